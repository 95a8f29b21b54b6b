/* Glosas e recursos: list (page by page), classify (automatic or a person's
 * decision), register a manual glosa, build recurso, open a recurso's detail
 * (#/recurso/ID), download XML, record the answer; summary chart of one
 * competência by motive group. */
'use strict';
(() => {
  const { el, limpa, reais, data, competencia, rotulo, api, tabela, tenta, aviso, baixar,
    paginador, seloDe, centavosDe } = Faturo;
  let grafico = null;

  const SITUACOES = ['aberta', 'em_recurso', 'recuperada', 'recuperada_parcial', 'perdida', 'aceita'];

  function decidir(x, recarrega) {
    const cls = el('select', { 'aria-label': `Classificação da glosa ${x.codigo} da guia ${x.guia}` },
      ['indevida', 'devida', 'a_classificar'].map(c => el('option', { value: c }, rotulo('classificacao', c))));
    const ev = el('input', { placeholder: 'evidência (obrigatória)', size: 14,
      'aria-label': `Evidência da classificação da glosa ${x.codigo} da guia ${x.guia}` });
    return el('div', { class: 'acoes' },
      el('button', { class: 'link', title: 'pela regra automática', onclick: () => tenta(async () => {
        await api('POST', `/api/glosas/${x.id}/classificar`, { json: {} }); aviso('Glosa classificada.'); await recarrega();
      }) }, 'Classificar'),
      cls, ev, el('button', { class: 'link', onclick: () => tenta(async () => {
        await api('POST', `/api/glosas/${x.id}/classificar`, { json: { classificacao: cls.value, evidencia: ev.value } });
        aviso('Decisão registrada.'); await recarrega();
      }) }, 'Decidir'));
  }

  /* A glosa the operator applied outside a demonstrativo (by letter, by
   * phone): as `faturo glosa registrar`. */
  function formManual(opFiltro, depois) {
    const guia = el('input', { id: 'gm-guia', size: 14, required: true, placeholder: 'nº no prestador' });
    const op = el('select', { id: 'gm-operadora' }, [...opFiltro.options].map(o =>
      el('option', { value: o.value }, o.value ? o.textContent : 'a da guia')));
    const item = el('input', { id: 'gm-item', size: 4, inputmode: 'numeric', placeholder: 'todos' });
    const codigo = el('input', { id: 'gm-codigo', size: 6, inputmode: 'numeric', maxlength: 4, required: true, placeholder: '1801' });
    const valor = el('input', { id: 'gm-valor', size: 10, inputmode: 'decimal', placeholder: 'todo o valor' });
    const obs = el('input', { id: 'gm-obs', size: 30 });
    const res = el('div', { id: 'gm-resultado', 'aria-live': 'polite' });
    const form = el('form', { id: 'glosa-manual', class: 'filtros', onsubmit: (ev) => { ev.preventDefault(); tenta(async () => {
      let centavos;
      if (valor.value.trim() !== '') {
        centavos = centavosDe(valor.value);
        if (centavos === null) { aviso('Valor inválido: use o formato 1.234,56', true); return; }
      }
      limpa(res);
      let g;
      try {
        g = await api('POST', '/api/glosas', { json: { guia: guia.value.trim(), operadora: op.value || null,
          item: item.value.trim() || null, codigo: codigo.value.trim(), valor: centavos, observacao: obs.value.trim() } });
      } catch (e) { res.append(el('p', { class: 'aviso erro', role: 'alert' }, e.message)); throw e; }
      res.append(el('p', {}, `Glosa ${g.codigo} registrada na guia `, el('a', { href: '#/guias/' + g.guia_id }, g.guia),
        `: ${reais(g.valor)}, `, seloDe('classificacao', g.classificacao)));
      aviso(`Glosa manual registrada na guia ${g.guia}.`);
      form.reset();
      await depois();
    }); } },
    el('label', {}, 'Guia', guia), el('label', {}, 'Operadora', op), el('label', {}, 'Item (nº)', item),
    el('label', {}, 'Código da glosa', codigo), el('label', {}, 'Valor glosado (R$)', valor),
    el('label', {}, 'Observação', obs), el('button', { class: 'primario', id: 'gm-registrar', type: 'submit' }, 'Registrar glosa'));
    return el('section', {}, el('h2', {}, 'Registrar glosa manual'),
      el('p', { class: 'meta' }, 'Para a glosa que a operadora comunicou fora do demonstrativo. Sem item, vale para a guia inteira; ',
        'sem valor, glosa todo o valor ainda não glosado.'), form, res);
  }

  Faturo.tela('glosas', {
    titulo: 'Glosas e recursos',
    async render(main) {
      const op = await Faturo.seletorOperadora('g-operadora');
      const sit = el('select', { id: 'g-situacao' }, el('option', { value: '' }, 'todas'),
        SITUACOES.map(s => el('option', { value: s }, rotulo('glosa', s))));
      const comp = el('input', { id: 'g-competencia', type: 'month', value: Faturo.competenciaAnterior() });
      const canvas = el('canvas', { id: 'glosas-grafico' });
      const resumo = el('div', { id: 'glosas-resumo' });
      const lista = el('div', { id: 'glosas-lista' }), recursos = el('div', { id: 'recursos-lista' });
      const selecionadas = new Set();
      const justificativa = el('textarea', { id: 'g-justificativa', rows: 2, cols: 60,
        'aria-label': 'Justificativa do recurso (vale para as glosas marcadas)',
        placeholder: 'justificativa do recurso (vale para as glosas marcadas)' });

      const pagGlosas = paginador(async (apos, vigente) => {
        const g = await api('GET', '/api/glosas', { query: { operadora: op.value, situacao: sit.value, limite: 100, apos } });
        if (!vigente()) return null;
        selecionadas.clear();
        limpa(lista).append(tabela(g.glosas, [
          { t: 'Recorrer', v: x => x.situacao === 'aberta' ? el('input', { type: 'checkbox',
            'aria-label': `Recorrer da glosa ${x.codigo} da guia ${x.guia}`, onchange: (ev) => {
            if (ev.target.checked) selecionadas.add(x.id); else selecionadas.delete(x.id); } }) : '' },
          { t: 'Guia', v: x => [el('a', { class: 'nw', href: '#/guias/' + x.guia_id }, x.guia),
            el('div', { class: 'meta' }, x.operadora)] },
          { t: 'Glosa', v: x => [el('strong', {}, x.codigo), ' ', x.descricao || rotulo('grupo', x.grupo)] },
          { t: 'Valor', v: x => reais(x.valor), num: true },
          { t: 'Classificação', v: x => [seloDe('classificacao', x.classificacao),
            x.evidencia ? el('div', { class: 'meta' }, x.evidencia) : null] },
          { t: 'Situação', v: x => [seloDe('glosa', x.situacao),
            x.prazo_recurso ? el('div', { class: 'meta' }, 'recurso até ' + data(x.prazo_recurso)) : null] },
          { t: 'Decisão', v: x => decidir(x, () => pagGlosas.recarrega()) }]));
        return g.proximo;
      });
      const pagRecursos = paginador(async (apos, vigente) => {
        const r = await api('GET', '/api/recursos', { query: { operadora: op.value, limite: 50, apos } });
        if (!vigente()) return null;
        limpa(recursos).append(tabela(r.recursos, [
          { t: 'Operadora', v: x => x.operadora },
          { t: 'Recurso', v: x => el('a', { href: '#/recurso/' + x.id }, x.numero || String(x.id)) },
          { t: 'Situação', v: x => [seloDe('recurso', x.status), x.resultado ? [' ', seloDe('recurso', x.resultado)] : null] },
          { t: 'Itens', v: x => x.itens, num: true }, { t: 'Recursado', v: x => reais(x.valor_recursado), num: true },
          { t: 'Recuperado', v: x => reais(x.valor_recuperado), num: true }, { t: 'Prazo', v: x => data(x.prazo) },
          { t: 'Ações', v: x => el('div', { class: 'acoes' },
            el('a', { class: 'link', href: '#/recurso/' + x.id }, 'Detalhe'),
            el('button', { class: 'link', onclick: () => tenta(() => baixar(`/api/recursos/${x.id}/xml`, `recurso-${x.numero}.xml`)) }, 'XML'),
            x.status === 'enviado' || x.status === 'protocolado' ? el('button', { class: 'link', onclick: () => tenta(async () => {
              const v = prompt('Valor deferido pela operadora (R$), em branco se indeferido:', '');
              if (v === null) return;
              const centavos = Faturo.centavosDe(v || '0');
              if (centavos === null) { aviso('Valor inválido: use o formato 1.234,56', true); return; }
              await api('POST', `/api/recursos/${x.id}/resposta`, { json: { valor_deferido: centavos } });
              aviso('Resposta registrada.'); await pagRecursos.recarrega();
            }) }, 'Registrar resposta') : null) }]));
        return r.proximo;
      });
      const carregaResumo = async () => {
        const s = await api('GET', '/api/glosas/resumo', { query: { operadora: op.value, competencia: comp.value } });
        const total = (s.total && s.total[0]) || { quantidade: 0, valor: 0 };
        limpa(resumo).append(el('p', { class: 'meta' },
          `Competência ${competencia(s.competencia)}: ${total.quantidade} glosa(s), ${reais(total.valor)}`));
        const dados = (s.por_grupo || []).slice(0, 12);
        if (grafico) grafico.destroy();
        grafico = null;
        if (window.Chart && dados.length) {
          grafico = new Chart(canvas, { type: 'bar', data: {
            labels: dados.map(d => d.rotulo || rotulo('grupo', d.chave)),
            datasets: [{ label: 'Valor glosado', data: dados.map(d => d.valor / 100), backgroundColor: '#0b6e99' }] },
          options: { responsive: true, maintainAspectRatio: false, animation: false, indexAxis: 'y',
            scales: { x: { ticks: { callback: (v) => reais(Math.round(v * 100)) } } },
            plugins: { tooltip: { callbacks: { label: (c) => c.dataset.label + ': ' + reais(Math.round(c.parsed.x * 100)) } } } } });
        }
      };
      const carrega = async () => { await Promise.all([pagGlosas.recarrega(), pagRecursos.recarrega(), carregaResumo()]); };
      const criar = el('button', { class: 'primario', id: 'g-recurso', onclick: () => tenta(async () => {
        if (selecionadas.size === 0) { aviso('Marque as glosas a recorrer.', true); return; }
        const r = await api('POST', '/api/recursos', { json: { glosas: [...selecionadas], justificativa: justificativa.value } });
        /* glosas of several lotes give one recurso per protocolo (a list) */
        const rs = Array.isArray(r) ? r : [r];
        aviso(rs.length > 1 ? `${rs.length} recursos criados, um por protocolo: nº ${rs.map(x => x.numero).join(', ')}.`
          : `Recurso ${rs[0].numero || rs[0].id} criado.`);
        await carrega();
      }) }, 'Montar recurso');
      const manual = formManual(op, () => carrega());
      main.append(el('h1', {}, 'Glosas e recursos'),
        el('div', { class: 'filtros' }, el('label', {}, 'Operadora', op), el('label', {}, 'Situação', sit),
          el('label', {}, 'Competência do resumo', comp),
          el('button', { onclick: () => tenta(carrega) }, 'Filtrar')),
        el('h2', {}, 'Glosas por motivo'), resumo, el('div', { class: 'graf' }, canvas),
        el('h2', {}, 'Glosas'), lista, pagGlosas.nav,
        el('div', { class: 'barra' }, justificativa, criar),
        el('h2', {}, 'Recursos'), recursos, pagRecursos.nav, manual);
      await carrega();
    }
  });
})();
