/* Glosas e recursos: list, classify, build recurso, download XML, record the answer; summary chart. */
'use strict';
(() => {
  const { el, limpa, reais, data, api, tabela, selo, tenta, aviso, baixar } = Faturo;
  let grafico = null;

  const corClass = { devida: 'neutro', indevida: 'bloqueio', a_classificar: 'alerta' };

  Faturo.tela('glosas', {
    titulo: 'Glosas e recursos',
    async render(main) {
      const op = await Faturo.seletorOperadora('g-operadora');
      const sit = el('select', { id: 'g-situacao' }, ['', 'aberta', 'em_recurso', 'recuperada', 'recuperada_parcial', 'perdida', 'aceita']
        .map(s => el('option', { value: s }, s || 'todas')));
      const canvas = el('canvas', { id: 'glosas-grafico' });
      const lista = el('div', { id: 'glosas-lista' }), recursos = el('div', { id: 'recursos-lista' });
      const selecionadas = new Set();
      const justificativa = el('textarea', { id: 'g-justificativa', rows: 2, cols: 60,
        placeholder: 'justificativa do recurso (vale para as glosas marcadas)' });

      const carrega = async () => {
        const [g, r, s] = await Promise.all([
          api('GET', '/api/glosas', { query: { operadora: op.value, situacao: sit.value, por_pagina: 200 } }),
          api('GET', '/api/recursos', { query: { operadora: op.value } }),
          api('GET', '/api/glosas/resumo', { query: { operadora: op.value } })]);
        selecionadas.clear();
        limpa(lista).append(tabela(g.glosas, [
          { t: '', v: x => x.situacao === 'aberta' ? el('input', { type: 'checkbox', onchange: (ev) => {
            if (ev.target.checked) selecionadas.add(x.id); else selecionadas.delete(x.id); } }) : '' },
          { t: 'Guia', v: x => el('a', { href: '#/guias/' + x.guia_id }, x.numero_prestador) },
          { t: 'Operadora', v: x => x.operadora }, { t: 'Código', v: x => x.codigo },
          { t: 'Descrição', v: x => x.descricao || x.grupo || '—' },
          { t: 'Valor', v: x => reais(x.valor), num: true },
          { t: 'Classificação', v: x => [selo(x.classificacao, corClass[x.classificacao]),
            x.evidencia ? el('div', { class: 'meta' }, x.evidencia) : null] },
          { t: 'Situação', v: x => x.situacao }, { t: 'Prazo do recurso', v: x => data(x.prazo_recurso) },
          { t: '', v: x => el('button', { class: 'link', onclick: () => tenta(async () => {
            await api('POST', `/api/glosas/${x.id}/classificar`, { json: {} }); aviso('Glosa classificada.'); await carrega();
          }) }, 'Classificar') }]));
        limpa(recursos).append(tabela(r.recursos, [
          { t: 'Recurso', v: x => x.numero }, { t: 'Operadora', v: x => x.operadora }, { t: 'Situação', v: x => x.status },
          { t: 'Itens', v: x => x.itens, num: true }, { t: 'Recursado', v: x => reais(x.valor_recursado), num: true },
          { t: 'Recuperado', v: x => reais(x.valor_recuperado), num: true }, { t: 'Prazo', v: x => data(x.prazo) },
          { t: '', v: x => el('div', { class: 'acoes' },
            el('button', { class: 'link', onclick: () => tenta(() => baixar(`/api/recursos/${x.id}/xml`, `recurso-${x.numero}.xml`)) }, 'XML'),
            x.status !== 'respondido' ? el('button', { class: 'link', onclick: () => tenta(async () => {
              const v = prompt('Valor deferido pela operadora (R$), em branco se indeferido:', '');
              if (v === null) return;
              const centavos = Faturo.centavosDe(v || '0');
              if (centavos === null) { aviso('Valor inválido: use o formato 1.234,56', true); return; }
              await api('POST', `/api/recursos/${x.id}/resposta`, { json: { valor_deferido: centavos } });
              aviso('Resposta registrada.'); await carrega();
            }) }, 'Registrar resposta') : null) }]));
        const dados = s.por_codigo.slice(0, 12);
        if (grafico) grafico.destroy();
        if (window.Chart && dados.length) {
          grafico = new Chart(canvas, { type: 'bar', data: {
            labels: dados.map(d => d.codigo + (d.descricao ? ' ' + d.descricao.slice(0, 24) : '')),
            datasets: [{ label: 'Valor glosado (R$)', data: dados.map(d => d.valor / 100), backgroundColor: '#0b6e99' },
              { label: 'Recuperado (R$)', data: dados.map(d => d.valor_recuperado / 100), backgroundColor: '#1a7f37' }] },
          options: { responsive: true, maintainAspectRatio: false, animation: false, indexAxis: 'y',
            plugins: { tooltip: { callbacks: { label: (c) => c.dataset.label + ': ' + reais(Math.round(c.parsed.x * 100)) } } } } });
        }
      };
      const criar = el('button', { class: 'primario', id: 'g-recurso', onclick: () => tenta(async () => {
        if (selecionadas.size === 0) { aviso('Marque as glosas a recorrer.', true); return; }
        const r = await api('POST', '/api/recursos', { json: { glosas: [...selecionadas], justificativa: justificativa.value } });
        /* glosas of several lotes give one recurso per protocolo (a list) */
        const rs = Array.isArray(r) ? r : [r];
        aviso(rs.length > 1 ? `${rs.length} recursos criados, um por protocolo: nº ${rs.map(x => x.numero).join(', ')}.`
          : `Recurso ${rs[0].numero || rs[0].id} criado.`);
        await carrega();
      }) }, 'Montar recurso');
      main.append(el('h1', {}, 'Glosas e recursos'),
        el('div', { class: 'filtros' }, el('label', {}, 'Operadora', op), el('label', {}, 'Situação', sit),
          el('button', { onclick: () => tenta(carrega) }, 'Filtrar')),
        el('h2', {}, 'Glosas por motivo'), el('div', { class: 'graf' }, canvas),
        el('h2', {}, 'Glosas'), lista,
        el('div', { class: 'barra' }, justificativa, criar),
        el('h2', {}, 'Recursos'), recursos);
      await carrega();
    }
  });
})();
