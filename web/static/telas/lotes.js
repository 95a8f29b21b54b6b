/* Lotes: close, download XML, mark sent, protocol; the list filtered by
 * operadora, situação and competência, page by page; the printable relação
 * de guias of one lote (#/lotes/ID) with its physical papers (delivery record,
 * guias missing their signed paper); the lote map of one competência. */
'use strict';
(() => {
  const { el, limpa, reais, data, competencia, rotulo, api, tabela, selo, tenta, aviso, baixar,
    paginador, parametrosHash, documento } = Faturo;

  const corStatus = { aberto: 'neutro', fechado: 'alerta', enviado: 'neutro', protocolado: 'neutro', processado: 'ok',
    pago: 'ok', pago_parcial: 'alerta' };
  const SITUACOES = ['fechado', 'enviado', 'protocolado', 'processado', 'pago', 'pago_parcial'];

  function acoes(l, recarrega) {
    const protocolo = el('input', { placeholder: 'nº do protocolo', size: 12, 'aria-label': `Protocolo do lote ${l.numero}` });
    const para = (fn) => (ev) => { ev.stopPropagation(); tenta(fn); };
    return el('div', { class: 'acoes' },
      el('a', { class: 'link', href: `#/lotes/${l.id}`, onclick: (ev) => ev.stopPropagation() }, 'Relação'),
      l.tem_xml ? el('button', { class: 'link', onclick: para(() => baixar(`/api/lotes/${l.id}/xml`, `lote-${l.numero}.xml`)) }, 'XML') : null,
      el('button', { class: 'link', onclick: para(() => baixar(`/api/lotes/${l.id}/relacao?formato=csv`, `relacao-${l.numero}.csv`)) }, 'CSV'),
      l.status === 'fechado' ? el('button', { onclick: para(async () => {
        await api('POST', `/api/lotes/${l.id}/enviado`, { json: {} }); aviso(`Lote ${l.numero} marcado como enviado.`); recarrega();
      }) }, 'Marcar enviado') : null,
      l.status === 'enviado' ? [protocolo, el('button', { onclick: para(async () => {
        await api('POST', `/api/lotes/${l.id}/protocolo`, { json: { protocolo: protocolo.value } });
        aviso(`Protocolo registrado no lote ${l.numero}.`); recarrega();
      }) }, 'Registrar protocolo')] : null);
  }

  /* The physical papers of the lote (some operators still want the signed
   * paper guias): the delivery record and the guias still missing their paper. */
  async function papeis(box, l) {
    const p = await api('GET', `/api/lotes/${l.id}/papel`);
    // the old content stays until the new one is ready, so the box is never empty
    limpa(box);
    const recarrega = () => tenta(() => papeis(box, l));
    const e = p.entrega;
    const dia = el('input', { id: 'pp-data', size: 10, placeholder: 'DD/MM/AAAA', value: e ? data(e.data) : Faturo.hojeBR() });
    const por = el('input', { id: 'pp-por', size: 20, maxlength: 200, value: e ? e.por : '' });
    const prot = el('input', { id: 'pp-protocolo', size: 16, maxlength: 200, value: e && e.protocolo ? e.protocolo : '' });
    const obs = el('input', { id: 'pp-observacao', size: 24, maxlength: 200, value: e && e.observacao ? e.observacao : '' });
    box.append(el('h2', {}, 'Papéis físicos'),
      el('p', { class: 'meta', id: 'papel-exigencia' }, p.papel_fisico === true ? 'O contrato da operadora exige as guias em papel assinadas.'
        : p.papel_fisico === false ? 'O contrato da operadora não exige papel; registre a entrega se ela pediu.' : ''),
      el('p', { id: 'papel-situacao' }, e ? `Entregue em ${data(e.data)} por ${e.por}` + (e.protocolo ? `, protocolo ${e.protocolo}` : ', sem protocolo de recebimento') +
        (e.observacao ? ` (${e.observacao})` : '') + `. Registrado por ${e.registrado_por || '—'} em ${data(e.registrado_em)}.`
        : 'Entrega ainda não registrada.',
      ` Papéis assinados em mãos: ${p.recebidos} de ${p.guias}.`),
      el('form', { id: 'papel-form', class: 'filtros', onsubmit: (ev) => { ev.preventDefault(); tenta(async () => {
        await api('POST', `/api/lotes/${l.id}/papel`, { json: { data: dia.value.trim(), por: por.value.trim(),
          protocolo: prot.value.trim(), observacao: obs.value.trim() } });
        aviso('Entrega dos papéis registrada.'); recarrega();
      }); } }, el('label', {}, 'Data da entrega', dia), el('label', {}, 'Quem levou', por),
        el('label', {}, 'Protocolo de recebimento', prot), el('label', {}, 'Observação', obs),
        el('button', { class: 'primario', id: 'papel-registrar', type: 'submit' }, e ? 'Atualizar entrega' : 'Registrar entrega')),
      el('h3', {}, 'Guias sem o papel assinado'),
      el('div', { id: 'papel-pendentes' }, tabela(p.pendentes, [
        { t: 'Guia', v: g => el('a', { href: '#/guias/' + g.guia_id }, g.numero_prestador) },
        { t: 'Beneficiário', v: g => g.beneficiario_nome || '—' }, { t: 'Atendimento', v: g => data(g.data_inicio) },
        { t: 'Ação', v: g => el('button', { class: 'link papel-recebido', onclick: () => tenta(async () => {
          await api('POST', `/api/guias/${g.guia_id}/papel`, { json: { recebido: true } });
          aviso(`Papel da guia ${g.numero_prestador} recebido.`); recarrega();
        }) }, 'Papel recebido') }])));
  }

  /* The relação de guias of one lote, to read and to print. */
  async function relacao(main, id) {
    const r = await api('GET', `/api/lotes/${encodeURIComponent(id)}/relacao`);
    const l = r.lote;
    const total = r.guias.reduce((a, g) => a + (Number(g.valor_total) || 0), 0);
    main.append(el('p', { class: 'nao-imprime' }, el('a', { href: '#/lotes' }, '‹ Lotes')),
      el('div', { class: 'relacao', id: 'relacao' },
        el('h1', {}, `Relação de guias — lote ${l.numero}`),
        el('dl', { class: 'cabecalho-relacao' },
          el('dt', {}, 'Operadora'), el('dd', {}, `${l.operadora} (registro ANS ${l.registro_ans})`),
          el('dt', {}, 'Tipo de guia'), el('dd', {}, rotulo('tipo', l.tipo_guia)),
          el('dt', {}, 'Competência'), el('dd', {}, competencia(l.competencia)),
          el('dt', {}, 'Situação'), el('dd', {}, rotulo('lote', l.status)),
          el('dt', {}, 'Fechado em'), el('dd', {}, data(l.fechado_em)),
          el('dt', {}, 'Protocolo'), el('dd', {}, l.protocolo || '—'),
          el('dt', {}, 'Guias'), el('dd', {}, String(l.qtd_guias)),
          el('dt', {}, 'Valor informado'), el('dd', {}, reais(l.valor_informado)),
          el('dt', {}, 'Hash do arquivo'), el('dd', { class: 'hash' }, l.hash || '—')),
        tabela(r.guias, [
          { t: 'Nº', v: g => r.guias.indexOf(g) + 1, num: true },
          { t: 'Guia no prestador', v: g => g.numero_prestador }, { t: 'Guia na operadora', v: g => g.numero_operadora || '—' },
          { t: 'Beneficiário', v: g => g.beneficiario_nome || '—' },
          { t: 'Carteira', v: g => g.carteira_numero || '—' }, { t: 'Atendimento', v: g => data(g.data_inicio) },
          { t: 'Senha', v: g => g.senha || '—' }, { t: 'Valor', v: g => reais(g.valor_total), num: true },
          { t: 'Assinatura', v: () => '' }]),
        el('p', { class: 'total-relacao' }, `Total: ${r.guias.length} guia(s), ${reais(total)}`),
        el('p', { class: 'assinatura' }, 'Recebido por: ______________________________   Data: ____/____/________')),
      el('div', { class: 'barra nao-imprime' },
        el('button', { class: 'primario', id: 'relacao-imprimir', onclick: () => window.print() }, 'Imprimir'),
        el('button', { onclick: () => tenta(() => baixar(`/api/lotes/${l.id}/relacao?formato=csv`, `relacao-${l.numero}.csv`)) }, 'Baixar CSV')));
    const box = el('section', { class: 'nao-imprime', id: 'lote-papeis' });
    main.append(box);
    await papeis(box, l);
  }

  Faturo.tela('lotes', {
    titulo: 'Lotes',
    async render(main, params) {
      if (params && params[0]) { await relacao(main, params[0]); return; }
      const hp = parametrosHash();
      const op = await Faturo.seletorOperadora('l-operadora');
      if (hp.get('operadora')) op.value = hp.get('operadora');
      const sit = el('select', { id: 'l-situacao' }, el('option', { value: '' }, 'todas'),
        SITUACOES.map(s => el('option', { value: s }, rotulo('lote', s))));
      sit.value = hp.get('situacao') || '';
      const comp = el('input', { id: 'l-competencia', type: 'month', value: hp.get('competencia') || '' });
      const porPag = el('select', { id: 'l-por-pagina' }, [10, 25, 50, 100].map(n => el('option', { value: n }, String(n))));
      const pedido = Number(hp.get('por_pagina'));
      if (pedido > 0 && ![10, 25, 50, 100].includes(pedido)) porPag.append(el('option', { value: pedido }, String(pedido)));
      porPag.value = String(pedido > 0 ? pedido : 50);
      const compFechar = el('input', { id: 'l-competencia-fechar', type: 'month', value: Faturo.competenciaAnterior() });
      const lista = el('div', { id: 'lotes-lista' }), mapa = el('div', { id: 'lotes-mapa' });
      const resumo = el('p', { class: 'meta', id: 'lotes-filtro' });
      const pag = paginador(async (apos, vigente) => {
        const r = await api('GET', '/api/lotes', { query: { operadora: op.value, status: sit.value, competencia: comp.value,
          limite: porPag.value, apos } });
        if (!vigente()) return null;
        resumo.textContent = [op.value ? op.options[op.selectedIndex].textContent : 'todas as operadoras',
          sit.value ? rotulo('lote', sit.value) : 'todas as situações',
          comp.value ? 'competência ' + competencia(comp.value) : 'todas as competências'].join(' · ');
        limpa(lista).append(tabela(r.lotes, [
          { t: 'Lote', v: l => l.numero }, { t: 'Operadora', v: l => l.operadora },
          { t: 'Tipo', v: l => rotulo('tipo', l.tipo_guia) },
          { t: 'Competência', v: l => competencia(l.competencia) },
          { t: 'Situação', v: l => selo(rotulo('lote', l.status), corStatus[l.status]) },
          { t: 'Guias', v: l => l.qtd_guias, num: true }, { t: 'Valor', v: l => reais(l.valor_informado), num: true },
          { t: 'Prazo de envio', v: l => l.atrasado ? selo('atrasado ' + data(l.prazo_envio), 'bloqueio') : data(l.prazo_envio) },
          { t: 'Protocolo', v: l => l.protocolo || '—' },
          { t: 'Ações', v: l => acoes(l, () => tenta(recarrega)) }], l => { location.hash = `#/lotes/${l.id}`; }));
        return r.proximo;
      });
      const carregaMapa = async () => {
        const m = await api('GET', '/api/lotes/mapa', { query: { competencia: comp.value || compFechar.value, operadora: op.value } });
        limpa(mapa).append(el('p', { class: 'meta' }, `Competência ${competencia(m.competencia)}`), tabela(m.mapa, [
          { t: 'Operadora', v: x => x.operadora },
          { t: 'Lotes', v: x => x.qtd_lotes, num: true },
          { t: 'Guias', v: x => x.qtd_guias, num: true },
          { t: 'Enviado', v: x => reais(x.valor_enviado), num: true },
          { t: 'Liberado', v: x => reais(x.valor_liberado), num: true },
          { t: 'Glosado', v: x => reais(x.valor_glosado), num: true }, { t: 'Recebido', v: x => reais(x.valor_recebido), num: true },
          { t: 'Situação', v: x => x.situacoes.map(s => `${rotulo('lote', s.situacao)} (${s.lotes})`).join(', ') }]));
      };
      const recarrega = async () => { await Promise.all([pag.recarrega(), carregaMapa()]); };
      const fechar = el('button', { class: 'primario', id: 'lote-fechar', onclick: () => tenta(async () => {
        const r = await api('POST', '/api/lotes/fechar', { json: { operadora: op.value || null, competencia: compFechar.value || null } });
        const erros = (r.erros || []).map(e => `${e.operadora}: ${e.message}`);
        aviso(`${r.lotes.length} lote(s) fechado(s).` + (erros.length ? ' Não fechados — ' + erros.join('; ') : ''), erros.length > 0);
        await recarrega();
      }) }, 'Fechar lotes');
      for (const f of [op, sit, comp, porPag]) f.addEventListener('change', () => tenta(recarrega));
      main.append(el('h1', {}, 'Lotes'),
        el('p', {}, 'Fecha em lotes TISS as guias conferidas sem bloqueio, gera o XML com o hash e acompanha envio e protocolo.'),
        el('div', { class: 'filtros' }, el('label', {}, 'Competência a fechar', compFechar), fechar),
        el('h2', {}, 'Lotes'),
        el('div', { class: 'filtros', role: 'search' }, el('label', {}, 'Operadora', op), el('label', {}, 'Situação', sit),
          el('label', {}, 'Competência', comp), el('label', {}, 'Por página', porPag),
          el('button', { id: 'l-filtrar', onclick: () => tenta(recarrega) }, 'Atualizar')),
        resumo, lista, pag.nav, el('h2', {}, 'Mapa de lotes'), mapa);
      await recarrega();
    }
  });
})();
