/* Guias: list with filters; detail with findings explained and acknowledged. */
'use strict';
(() => {
  const { el, limpa, reais, data, api, tabela, selo, tenta, aviso } = Faturo;

  function parametrosHash() {
    const i = location.hash.indexOf('?');
    return new URLSearchParams(i >= 0 ? location.hash.slice(i + 1) : '');
  }

  async function lista(main) {
    const hp = parametrosHash();
    const op = await Faturo.seletorOperadora('f-operadora');
    op.value = hp.get('operadora') || '';
    const comp = el('input', { id: 'f-competencia', type: 'month', value: hp.get('competencia') || '' });
    const status = el('select', { id: 'f-status' }, ['', 'digitada', 'conferida', 'pendente', 'em_lote',
      'enviada', 'processada', 'paga', 'glosada', 'cancelada'].map(s => el('option', { value: s }, s || 'todas')));
    status.value = hp.get('status') || '';
    const bloq = el('input', { id: 'f-bloqueio', type: 'checkbox' });
    bloq.checked = hp.get('com_bloqueio') === '1';
    const busca = el('input', { id: 'f-busca', placeholder: 'nº da guia ou carteira' });
    const res = el('div', { id: 'guias-lista' });
    let pagina = 1;
    const carrega = async () => {
      const r = await api('GET', '/api/guias', { query: {
        operadora: op.value, competencia: comp.value, status: status.value,
        com_bloqueio: bloq.checked ? 1 : '', busca: busca.value.trim(), pagina, por_pagina: 50 } });
      limpa(res).append(tabela(r.guias, [
        { t: 'Guia', v: g => g.numero_prestador }, { t: 'Tipo', v: g => g.tipo },
        { t: 'Operadora', v: g => g.operadora }, { t: 'Beneficiário', v: g => g.beneficiario_nome || '—' },
        { t: 'Atendimento', v: g => data(g.data_inicio) }, { t: 'Situação', v: g => g.status },
        { t: 'Achados', v: g => [g.bloqueios ? selo(g.bloqueios + ' bloqueio(s)', 'bloqueio') : null, ' ',
          g.alertas ? selo(g.alertas + ' alerta(s)', 'alerta') : null] },
        { t: 'Valor', v: g => reais(g.valor_total), num: true },
        { t: 'Em risco', v: g => g.valor_risco ? reais(g.valor_risco) : '—', num: true }],
        g => { location.hash = '#/guias/' + g.id; }),
        el('div', { class: 'paginacao' },
          el('button', { disabled: pagina <= 1, onclick: () => { pagina--; tenta(carrega); } }, '‹ anterior'),
          `página ${r.pagina} · ${r.total} guia(s)`,
          el('button', { disabled: pagina * r.por_pagina >= r.total, onclick: () => { pagina++; tenta(carrega); } }, 'próxima ›')));
    };
    const filtrar = () => { pagina = 1; tenta(carrega); };
    main.append(el('h1', {}, 'Guias'),
      el('div', { class: 'filtros' },
        el('label', {}, 'Operadora', op), el('label', {}, 'Competência', comp),
        el('label', {}, 'Situação', status), el('label', {}, 'Busca', busca),
        el('label', {}, 'Só com bloqueio', bloq),
        el('button', { class: 'primario', id: 'filtrar', onclick: filtrar }, 'Filtrar')), res);
    await carrega();
  }

  function achadoNo(a, recarrega) {
    const reconhecido = !!a.reconhecido_em;
    const motivo = el('input', { placeholder: 'motivo do reconhecimento', size: 40 });
    const podeReconhecer = a.severidade === 'alerta' || Faturo.pode('supervisor');
    return el('div', { class: `achado ${a.severidade} ${reconhecido ? 'reconhecido' : ''}`, dataset: { codigo: a.codigo } },
      el('div', { class: 'cab' }, selo(a.severidade, a.severidade), el('span', { class: 'codigo' }, a.codigo),
        a.campo ? el('span', { class: 'meta' }, 'campo ' + a.campo) : null,
        a.valor_risco ? el('span', { class: 'meta' }, 'em risco ' + reais(a.valor_risco)) : null,
        a.glosa_prevista ? el('span', { class: 'meta' }, 'glosa prevista ' + a.glosa_prevista) : null,
        a.atual === 0 ? selo('de revisão anterior', 'neutro') : null),
      el('div', {}, a.mensagem),
      el('div', { class: 'meta' }, 'regra ', a.regra,
        a.script_sha256 ? ` · versão ${a.script_sha256.slice(0, 12)}` : '',
        a.linha ? ` · linha ${a.linha}` : '', a.geracao_id ? ` · geração ${a.geracao_id}` : ''),
      reconhecido
        ? el('div', { class: 'meta' }, `reconhecido por ${a.reconhecido_por} em ${data(a.reconhecido_em)}: ${a.reconhecido_motivo || ''}`)
        : podeReconhecer ? el('div', { class: 'acoes' }, motivo, el('button', { onclick: () => tenta(async () => {
          await api('POST', `/api/achados/${a.id}/reconhecer`, { json: { motivo: motivo.value } });
          aviso('Achado reconhecido.'); recarrega();
        }) }, 'Reconhecer'))
          : el('div', { class: 'meta' }, 'Bloqueio: corrija a guia ou peça a um supervisor para reconhecer.'));
  }

  async function detalhe(main, id) {
    const r = await api('GET', '/api/guias/' + encodeURIComponent(id));
    const g = r.guia;
    const recarrega = () => { limpa(main); detalhe(main, id).catch(e => aviso(e.message, true)); };
    const abertos = r.achados.filter(a => !a.reconhecido_em && a.atual !== 0);
    main.append(el('p', {}, el('a', { href: '#/guias' }, '‹ voltar às guias')),
      el('h1', {}, `Guia ${g.numero_prestador} · ${g.tipo}`),
      el('div', { class: 'grade2' },
        el('div', { class: 'detalhe cartao' }, el('dl', {}, [
          ['Operadora', g.operadora && g.operadora.nome], ['Situação', g.status],
          ['Beneficiário', g.beneficiario_nome], ['Carteira', g.carteira_numero],
          ['Atendimento', data(g.data_inicio)], ['Competência', g.competencia],
          ['Senha', g.senha], ['Validade da senha', data(g.validade_senha)], ['CID', g.cid],
          ['Valor total', reais(g.valor_total)]
        ].map(([k, v]) => [el('dt', {}, k), el('dd', {}, v || '—')]))),
        el('div', {}, el('h2', { style: 'margin-top:0' }, `Achados (${abertos.length} em aberto)`),
          r.achados.length ? r.achados.map(a => achadoNo(a, recarrega))
            : el('p', { class: 'vazio' }, 'Nenhum achado. Rode a conferência para verificar esta guia.'),
          el('button', { onclick: () => tenta(async () => {
            await api('POST', '/api/conferir', { json: { guia_id: Number(id), todas: true } });
            aviso('Guia conferida.'); recarrega();
          }) }, 'Conferir esta guia'))),
      el('h2', {}, 'Itens'), tabela(g.itens || [], [
        { t: 'Seq', v: i => i.sequencial }, { t: 'Tabela', v: i => i.codigo_tabela }, { t: 'Código', v: i => i.codigo },
        { t: 'Descrição', v: i => i.descricao || '—' }, { t: 'Data', v: i => data(i.data) },
        { t: 'Qtd', v: i => i.quantidade, num: true },
        { t: 'Unitário', v: i => reais(i.valor_unitario), num: true }, { t: 'Total', v: i => reais(i.valor_total), num: true }]),
      r.glosas.length ? [el('h2', {}, 'Glosas'), tabela(r.glosas, [
        { t: 'Código', v: x => x.codigo }, { t: 'Valor', v: x => reais(x.valor), num: true },
        { t: 'Classificação', v: x => x.classificacao }, { t: 'Situação', v: x => x.situacao }])] : '');
  }

  Faturo.tela('guias', {
    titulo: 'Guias',
    render(main, params) {
      const id = (params[0] || '').split('?')[0];
      return id ? detalhe(main, id) : lista(main);
    }
  });
})();
