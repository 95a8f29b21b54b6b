/* Recurso de glosa, one at a time (#/recurso/ID): its items with editable
 * justifications while a rascunho, enviar, protocolo, and the operator's
 * answer item by item (as `faturo recurso editar|enviar|protocolo|resposta`). */
'use strict';
(() => {
  const { el, limpa, reais, data, dataHora, rotulo, api, tabela, tenta, aviso, baixar, centavosDe, seloDe } = Faturo;

  async function mostra(main, id) {
    const r = await api('GET', `/api/recursos/${encodeURIComponent(id)}`);
    limpa(main); // a reload keeps the old content until the new one has arrived
    const recarrega = () => tenta(() => mostra(main, id));
    const rascunho = r.status === 'rascunho';
    const aguardando = r.status === 'enviado' || r.status === 'protocolado';
    const itens = r.itens || [];
    main.append(el('p', {}, el('a', { href: '#/glosas' }, '‹ Glosas e recursos')),
      el('h1', {}, `Recurso ${r.numero || r.id}`),
      el('dl', { class: 'cabecalho-relacao', id: 'recurso-cabecalho' },
        el('dt', {}, 'Operadora'), el('dd', {}, r.operadora || '—'),
        el('dt', {}, 'Lote'), el('dd', {}, r.lote ? String(r.lote) : '—'),
        el('dt', {}, 'Protocolo do lote'), el('dd', {}, r.protocolo_lote || '—'),
        el('dt', {}, 'Situação'), el('dd', { id: 'recurso-situacao' }, seloDe('recurso', r.status),
          r.resultado ? [' ', seloDe('recurso', r.resultado)] : null),
        el('dt', {}, 'Protocolo do recurso'), el('dd', {}, r.protocolo || '—'),
        el('dt', {}, 'Prazo'), el('dd', {}, r.atrasado ? el('span', { class: 'selo bloqueio' }, 'vencido em ' + data(r.prazo)) : data(r.prazo)),
        el('dt', {}, 'Criado em'), el('dd', {}, dataHora(r.criado_em)),
        el('dt', {}, 'Recursado'), el('dd', {}, reais(r.valor_recursado)),
        el('dt', {}, 'Recuperado'), el('dd', { id: 'recurso-recuperado' }, reais(r.valor_recuperado)),
        el('dt', {}, 'Itens respondidos'), el('dd', {}, `${r.itens_respondidos || 0} de ${itens.length}`)));

    const linhas = itens.map((x, i) => {
      const just = el('textarea', { id: `rj-${x.id}`, rows: 3, cols: 48, maxlength: 500, readonly: !rascunho,
        'aria-label': `Justificativa do item ${i + 1}` }, x.justificativa || '');
      just.value = x.justificativa || '';
      const salvar = rascunho ? el('button', { class: 'rj-salvar', onclick: () => tenta(async () => {
        await api('POST', `/api/recursos/${r.id}/itens/${x.id}/justificativa`, { json: { justificativa: just.value } });
        aviso(`Justificativa do item ${i + 1} salva.`); recarrega();
      }) }, 'Salvar justificativa') : null;
      const valor = el('input', { id: `rv-${x.id}`, size: 10, inputmode: 'decimal', placeholder: '0,00',
        'aria-label': `Valor deferido do item ${i + 1} (R$)` });
      const responder = aguardando && (x.valor_deferido === null || x.valor_deferido === undefined) ?
        el('span', { class: 'acoes' }, valor, el('button', { class: 'rv-registrar', onclick: () => tenta(async () => {
          const c = centavosDe(valor.value);
          if (c === null) { aviso('Valor deferido inválido: use o formato 1.234,56', true); return; }
          await api('POST', `/api/recursos/${r.id}/itens/${x.id}/resposta`, { json: { valor_deferido: c } });
          aviso(`Resposta do item ${i + 1} registrada.`); recarrega();
        }) }, 'Registrar resposta')) : null;
      return { x, i, just, salvar, responder };
    });
    main.append(el('h2', {}, 'Itens'), tabela(linhas, [
      { t: 'Nº', v: l => l.i + 1, num: true },
      { t: 'Guia', v: l => l.x.guia || '—' }, { t: 'Item', v: l => l.x.item ? String(l.x.item) : 'guia inteira' },
      { t: 'Glosa', v: l => l.x.codigo || '—' },
      { t: 'Recursado', v: l => reais(l.x.valor_recursado), num: true },
      { t: 'Justificativa', v: l => [l.just, l.x.justificativa_pendente ?
        el('div', { class: 'selo alerta' }, 'justificativa pendente: escreva o texto') : null, l.salvar] },
      { t: 'Deferido', v: l => l.x.valor_deferido === null || l.x.valor_deferido === undefined ?
        (l.responder || '—') : reais(l.x.valor_deferido), num: true }]));

    const acoes = el('div', { class: 'barra', id: 'recurso-acoes' });
    if (rascunho) {
      const dia = el('input', { id: 'r-envio-data', size: 10, placeholder: 'DD/MM/AAAA', value: Faturo.hojeBR() });
      acoes.append(el('label', {}, 'Data do envio', dia), el('button', { class: 'primario', id: 'r-enviar-recurso',
        onclick: () => tenta(async () => {
          await api('POST', `/api/recursos/${r.id}/enviar`, { json: { data: dia.value } });
          aviso('Recurso marcado como enviado.'); recarrega();
        }) }, 'Marcar enviado'));
    }
    if (r.status === 'enviado') {
      const num = el('input', { id: 'r-protocolo-numero', size: 16 });
      const dia = el('input', { id: 'r-protocolo-data', size: 10, placeholder: 'DD/MM/AAAA', value: Faturo.hojeBR() });
      acoes.append(el('label', {}, 'Protocolo do recurso', num), el('label', {}, 'Data do protocolo', dia),
        el('button', { class: 'primario', id: 'r-protocolar', onclick: () => tenta(async () => {
          await api('POST', `/api/recursos/${r.id}/protocolo`, { json: { protocolo: num.value.trim(), data: dia.value } });
          aviso('Protocolo do recurso registrado.'); recarrega();
        }) }, 'Registrar protocolo'));
    }
    acoes.append(el('button', { onclick: () => tenta(() => baixar(`/api/recursos/${r.id}/xml`, `recurso-${r.numero}.xml`)) },
      'Baixar XML'));
    main.append(acoes);
  }

  Faturo.tela('recurso', {
    titulo: 'Recurso', menu: false,
    async render(main, params) {
      if (!params || !params[0]) { location.hash = '#/glosas'; return; }
      await mostra(main, params[0]);
    }
  });
})();
