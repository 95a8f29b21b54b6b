/* Guias: list with filters, page by page; detail with findings explained and
 * acknowledged, items and glosas. */
'use strict';
(() => {
  const { el, limpa, reais, data, competencia, documento, rotulo, api, tabela, selo, tenta, aviso,
    paginador, parametrosHash } = Faturo;

  const STATUS = ['digitada', 'conferida', 'pendente', 'em_lote', 'enviada', 'processada', 'paga',
    'glosada', 'cancelada'];

  async function lista(main) {
    const hp = parametrosHash();
    const op = await Faturo.seletorOperadora('f-operadora');
    op.value = hp.get('operadora') || '';
    const comp = el('input', { id: 'f-competencia', type: 'month', value: hp.get('competencia') || '' });
    const status = el('select', { id: 'f-status' }, el('option', { value: '' }, 'todas'),
      STATUS.map(s => el('option', { value: s }, rotulo('guia', s))));
    status.value = hp.get('status') || '';
    const bloq = el('input', { id: 'f-bloqueio', type: 'checkbox' });
    bloq.checked = hp.get('com_bloqueio') === '1';
    const busca = el('input', { id: 'f-busca', placeholder: 'nº da guia ou carteira' });
    const limite = Number(hp.get('por_pagina')) || 50;
    const res = el('div', { id: 'guias-lista' });
    const pag = paginador(async (apos, vigente) => {
      const r = await api('GET', '/api/guias', { query: {
        operadora: op.value, competencia: comp.value, status: status.value,
        com_bloqueio: bloq.checked ? 1 : '', busca: busca.value.trim(), limite, apos } });
      if (!vigente()) return null;
      limpa(res).append(tabela(r.guias, [
        { t: 'Guia', v: g => el('a', { href: '#/guias/' + g.id, onclick: (ev) => ev.stopPropagation() }, g.numero_prestador) },
        { t: 'Tipo', v: g => rotulo('tipo', g.tipo) },
        { t: 'Operadora', v: g => g.operadora }, { t: 'Beneficiário', v: g => g.beneficiario_nome || '—' },
        { t: 'CPF', v: g => g.beneficiario_cpf || '—' },
        { t: 'Atendimento', v: g => data(g.data_inicio) }, { t: 'Competência', v: g => competencia(g.competencia) },
        { t: 'Situação', v: g => rotulo('guia', g.status) },
        { t: 'Achados', v: g => [g.bloqueios ? selo(g.bloqueios + ' bloqueio(s)', 'bloqueio') : null, ' ',
          g.alertas ? selo(g.alertas + ' alerta(s)', 'alerta') : null] },
        { t: 'Valor', v: g => reais(g.valor_total), num: true },
        { t: 'Em risco', v: g => g.valor_risco ? reais(g.valor_risco) : '—', num: true }],
        g => { location.hash = '#/guias/' + g.id; }));
      return r.proximo;
    });
    const filtrar = () => tenta(pag.recarrega);
    main.append(el('h1', {}, 'Guias'), el('p', {}, el('a', { class: 'botao', href: '#/digitacao' }, 'Digitar uma guia')),
      el('div', { class: 'filtros' },
        el('label', {}, 'Operadora', op), el('label', {}, 'Competência', comp),
        el('label', {}, 'Situação', status), el('label', {}, 'Busca', busca),
        el('label', {}, 'Só com bloqueio', bloq),
        el('button', { class: 'primario', id: 'filtrar', onclick: filtrar }, 'Filtrar')), res, pag.nav);
    await pag.recarrega();
  }

  /* A finding's field as the faturista reads it: items by número (the
   * stored path counts positions from 0), words instead of keys. */
  function campoAchado(campo, g) {
    const m = /^itens\[(\d+)\]\.?(.*)$/.exec(campo);
    if (!m) return campo.replace(/_/g, ' ').replace(/\./g, ': ');
    const it = (g.itens || [])[Number(m[1])];
    const num = it ? it.sequencial : Number(m[1]) + 1;
    return `item ${num}` + (m[2] ? ': ' + m[2].replace(/_/g, ' ').replace(/\./g, ': ') : '');
  }

  function achadoNo(a, recarrega, g) {
    const reconhecido = !!a.reconhecido_em;
    const motivo = el('input', { placeholder: 'motivo do reconhecimento', size: 40,
      'aria-label': `Motivo do reconhecimento de ${a.codigo}` });
    const podeReconhecer = a.severidade === 'alerta' || Faturo.pode('supervisor');
    return el('div', { class: `achado ${a.severidade} ${reconhecido ? 'reconhecido' : ''}`, dataset: { codigo: a.codigo } },
      el('div', { class: 'cab' }, selo(rotulo('severidade', a.severidade), a.severidade),
        el('span', { class: 'codigo' }, a.codigo),
        a.campo ? el('span', { class: 'meta' }, 'campo ' + campoAchado(a.campo, g || {})) : null,
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
    limpa(main); // a reload keeps the old content until the new one has arrived
    const recarrega = () => { detalhe(main, id).catch(e => aviso(e.message, true)); };
    const abertos = r.achados.filter(a => !a.reconhecido_em && a.atual !== 0);
    const benef = g.beneficiario || {};
    const E = Faturo.guiaEdicao;
    const caixaItem = el('div', { id: 'item-caixa' });
    main.append(el('p', {}, el('a', { href: '#/guias' }, '‹ voltar às guias')),
      el('h1', {}, `Guia ${g.numero_prestador} · ${rotulo('tipo', g.tipo)}`),
      el('div', { class: 'barra' }, E.imprimir(id)),
      el('div', { class: 'grade2' },
        el('div', { class: 'detalhe cartao' }, el('dl', {}, [
          ['Operadora', g.operadora && g.operadora.nome], ['Situação', rotulo('guia', g.status)],
          ['Beneficiário', g.beneficiario_nome || benef.nome], ['CPF', benef.cpf ? documento(benef.cpf) : null],
          ['Carteira', g.carteira_numero], ['Atendimento', data(g.data_inicio)],
          ['Competência', competencia(g.competencia)],
          ['Senha', g.senha], ['Validade da senha', data(g.validade_senha)], ['CID', g.cid],
          ['Prestador', g.prestador ? documento(g.prestador.cnpj || g.prestador.cpf) : null],
          ['Valor total', reais(g.valor_total)]
        ].map(([k, v]) => [el('dt', {}, k), el('dd', {}, v || '—')]))),
        el('div', {}, el('h2', { style: 'margin-top:0' }, `Achados (${abertos.length} em aberto)`),
          r.achados.length ? r.achados.map(a => achadoNo(a, recarrega, g))
            : el('p', { class: 'vazio' }, 'Nenhum achado. Rode a conferência para verificar esta guia.'),
          el('button', { onclick: () => tenta(async () => {
            await api('POST', '/api/conferir', { json: { guia_id: Number(id), todas: true } });
            aviso('Guia conferida.'); recarrega();
          }) }, 'Conferir esta guia'))),
      el('h2', {}, 'Itens'), el('div', { id: 'guia-itens' }, tabela(g.itens || [], [
        { t: 'Nº', v: i => i.sequencial }, { t: 'Tabela', v: i => i.codigo_tabela }, { t: 'Código', v: i => i.codigo },
        { t: 'Descrição', v: i => i.descricao || '—' }, { t: 'Data', v: i => data(i.data) },
        { t: 'Qtd', v: i => E.quantidade(i.quantidade), num: true },
        { t: 'Unitário', v: i => reais(i.valor_unitario), num: true }, { t: 'Total', v: i => reais(i.valor_total), num: true },
        { t: 'Ações', v: i => E.acoesItem(g, i, caixaItem, id, recarrega) }])), caixaItem);
    if (r.glosas.length) {
      main.append(el('h2', {}, 'Glosas'), el('div', { id: 'guia-glosas' }, tabela(r.glosas, [
        { t: 'Código', v: x => x.codigo }, { t: 'Motivo', v: x => x.descricao || rotulo('grupo', x.grupo) },
        { t: 'Item', v: x => x.item || 'guia inteira' }, { t: 'Valor', v: x => reais(x.valor), num: true },
        { t: 'Classificação', v: x => rotulo('classificacao', x.classificacao) },
        { t: 'Situação', v: x => rotulo('glosa', x.situacao) }, { t: 'Prazo do recurso', v: x => data(x.prazo_recurso) }])));
    }
    await E.secoes(main, g, id, recarrega);
  }

  Faturo.tela('guias', {
    titulo: 'Guias',
    render(main, params) {
      const id = (params[0] || '').split('?')[0];
      return id ? detalhe(main, id) : lista(main);
    }
  });
})();
