/* Achados: the finding worklist (as `faturo achado listar`): filters by
 * operadora, código, severidade, competência and profissional; counts and R$
 * at risk per code; CSV export; acknowledge in batch with one motivo. */
'use strict';
(() => {
  const { el, limpa, reais, data, competencia, api, tabela, cartao, tenta, aviso, baixar, seloDe } = Faturo;

  Faturo.tela('achados', {
    titulo: 'Achados',
    async render(main) {
      const hp = Faturo.parametrosHash();
      const op = await Faturo.seletorOperadora('a-operadora');
      if (hp.get('operadora')) op.value = hp.get('operadora');
      const codigo = el('input', { id: 'a-codigo', size: 18, value: hp.get('codigo') || '' });
      const sev = el('select', { id: 'a-severidade' }, el('option', { value: '' }, 'todas'),
        el('option', { value: 'bloqueio' }, 'bloqueio'), el('option', { value: 'alerta' }, 'alerta'));
      sev.value = hp.get('severidade') || '';
      const comp = el('input', { id: 'a-competencia', type: 'month', value: hp.get('competencia') || '' });
      const prof = el('input', { id: 'a-profissional', size: 18, placeholder: 'nome, CPF ou conselho' });
      const rec = el('select', { id: 'a-reconhecidos' }, el('option', { value: 'nao' }, 'em aberto'),
        el('option', { value: 'sim' }, 'reconhecidos'), el('option', { value: 'todos' }, 'todos'));
      const resumo = el('div', { id: 'achados-resumo' }), porCodigo = el('div', { id: 'achados-por-codigo' });
      const lista = el('div', { id: 'achados-lista' });
      const motivo = el('input', { id: 'a-motivo', size: 40, maxlength: 500 });
      const marcados = new Set();
      const filtro = () => ({ operadora: op.value, codigo: codigo.value.trim(), severidade: sev.value,
        competencia: comp.value, profissional: prof.value.trim(), reconhecidos: rec.value });
      const contaMarcados = el('span', { id: 'a-marcados', class: 'meta' }, '0 marcado(s)');
      const atualizaConta = () => { contaMarcados.textContent = `${marcados.size} marcado(s)`; };

      // one page of lines at a time (the totals and per-code come with the first)
      let linhas = [], proximo = null;
      const mais = el('button', { id: 'a-mais', hidden: true, onclick: () => tenta(carregaMais) }, 'Carregar mais achados');
      const carregaMais = async () => {
        const r = await api('GET', '/api/achados', { query: { ...filtro(), apos: proximo } });
        const t = Object.fromEntries((r.tabelas || []).map(x => [x.nome, x]));
        linhas = linhas.concat((t.achados && t.achados.linhas) || []);
        proximo = r.proximo || null;
        mostraLinhas();
      };
      const carrega = async () => {
        const r = await api('GET', '/api/achados', { query: filtro() });
        const t = Object.fromEntries((r.tabelas || []).map(x => [x.nome, x]));
        linhas = (t.achados && t.achados.linhas) || [];
        proximo = r.proximo || null;
        const tot = (t.achados && t.achados.total) || { achados: 0, guias: 0, valor_risco: 0 };
        marcados.clear(); atualizaConta();
        limpa(resumo).append(el('div', { class: 'cartoes' }, cartao('Achados', tot.achados),
          cartao('Guias', tot.guias), cartao('Em risco', reais(tot.valor_risco), tot.valor_risco ? 'atencao' : '')));
        limpa(porCodigo).append(tabela((t.por_codigo && t.por_codigo.linhas) || [], [
          { t: 'Código', v: x => el('button', { class: 'link', title: 'filtrar por este código',
            onclick: () => { codigo.value = x.codigo; tenta(carrega); } }, x.codigo) },
          { t: 'Severidade', v: x => seloDe('severidade', x.severidade) },
          { t: 'Achados', v: x => x.achados, num: true }, { t: 'Guias', v: x => x.guias, num: true },
          { t: 'R$ em risco', v: x => reais(x.valor_risco), num: true }]));
        mostraLinhas();
      };
      const mostraLinhas = () => {
        const todosCb = el('input', { type: 'checkbox', id: 'a-marcar-todos', 'aria-label': 'Marcar todos os achados da lista',
          onchange: (ev) => {
            for (const cb of lista.querySelectorAll('input.a-marca')) { cb.checked = ev.target.checked; cb.dispatchEvent(new Event('change')); }
          } });
        limpa(lista).append(linhas.length ? el('p', {}, el('label', {}, todosCb, ' marcar todos')) : null, tabela(linhas, [
          { t: 'Marcar', v: x => x.reconhecido_em ? '' : el('input', { type: 'checkbox', class: 'a-marca', value: x.id,
            'aria-label': `Marcar o achado ${x.codigo} da guia ${x.guia}`,
            onchange: (ev) => { if (ev.target.checked) marcados.add(x.id); else marcados.delete(x.id); atualizaConta(); } }) },
          { t: 'Guia', nw: true, v: x => [el('a', { href: '#/guias/' + x.guia_id }, x.guia),
            el('div', { class: 'meta' }, competencia(x.competencia))] },
          { t: 'Operadora', v: x => x.operadora },
          { t: 'Profissional', v: x => x.profissional || '—' },
          { t: 'Código', v: x => [el('div', { class: 'codigo' }, x.codigo), seloDe('severidade', x.severidade)] },
          { t: 'Mensagem', v: x => el('span', { class: 'mensagem-motor' }, x.mensagem) },
          { t: 'Em risco', v: x => reais(x.valor_risco), num: true },
          { t: 'Reconhecido', v: x => x.reconhecido_em ? `${data(x.reconhecido_em)} por ${x.reconhecido_por}: ${x.reconhecido_motivo || ''}` : '—' }]));
        for (const cb of lista.querySelectorAll('input.a-marca')) if (marcados.has(Number(cb.value))) cb.checked = true;
        mais.hidden = !proximo;
      };
      const reconhecer = el('button', { class: 'primario', id: 'a-reconhecer', onclick: () => tenta(async () => {
        if (marcados.size === 0) { aviso('Marque os achados a reconhecer.', true); return; }
        if (!motivo.value.trim()) { aviso('Escreva o motivo do reconhecimento.', true); motivo.focus(); return; }
        const r = await api('POST', '/api/achados/reconhecer', { json: { ids: [...marcados], motivo: motivo.value.trim() } });
        aviso(`${r.reconhecidos} achado(s) reconhecido(s) em ${r.guias} guia(s).`);
        motivo.value = '';
        await carrega();
      }) }, 'Reconhecer marcados');
      const csv = el('button', { id: 'a-csv', onclick: () => tenta(() => {
        const q = new URLSearchParams(Object.entries({ ...filtro(), formato: 'csv' }).filter(([, v]) => v !== ''));
        return baixar('/api/achados?' + q.toString(), 'achados.csv');
      }) }, 'Exportar CSV');
      for (const f of [op, sev, comp, rec]) f.addEventListener('change', () => tenta(carrega));
      main.append(el('h1', {}, 'Achados da conferência'),
        el('p', {}, 'A lista de trabalho: o que a conferência encontrou e ainda não foi corrigido nem reconhecido. ',
          'Corrija a guia (abra pelo número) ou reconheça vários achados de uma vez com um motivo (fica na auditoria de cada um).'),
        el('form', { class: 'filtros', role: 'search', onsubmit: (ev) => { ev.preventDefault(); tenta(carrega); } },
          el('label', {}, 'Operadora', op), el('label', {}, 'Código', codigo), el('label', {}, 'Severidade', sev),
          el('label', {}, 'Competência', comp), el('label', {}, 'Profissional', prof), el('label', {}, 'Situação', rec),
          el('button', { id: 'a-filtrar', type: 'submit' }, 'Filtrar'), csv),
        resumo, el('h2', {}, 'Por código'), porCodigo,
        el('h2', {}, 'Achados'),
        el('div', { class: 'barra' }, el('label', {}, 'Motivo do reconhecimento', motivo), reconhecer, contaMarcados),
        lista, mais);
      await carrega();
    }
  });
})();
