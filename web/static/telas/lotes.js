/* Lotes: close, download XML and relação, mark sent, protocol (list page by
 * page); the lote map of one competência. */
'use strict';
(() => {
  const { el, limpa, reais, data, competencia, rotulo, api, tabela, selo, tenta, aviso, baixar,
    paginador, parametrosHash } = Faturo;

  const corStatus = { fechado: 'alerta', enviado: 'neutro', protocolado: 'neutro', processado: 'ok', pago: 'ok', pago_parcial: 'alerta' };

  function acoes(l, recarrega) {
    const protocolo = el('input', { placeholder: 'nº do protocolo', size: 12 });
    return el('div', { class: 'acoes' },
      l.tem_xml ? el('button', { class: 'link', onclick: (ev) => { ev.stopPropagation(); tenta(() => baixar(`/api/lotes/${l.id}/xml`, `lote-${l.numero}.xml`)); } }, 'XML') : null,
      el('button', { class: 'link', onclick: (ev) => { ev.stopPropagation(); tenta(() => baixar(`/api/lotes/${l.id}/relacao?formato=csv`, `relacao-${l.numero}.csv`)); } }, 'Relação'),
      l.status === 'fechado' ? el('button', { onclick: (ev) => { ev.stopPropagation(); tenta(async () => {
        await api('POST', `/api/lotes/${l.id}/enviado`, { json: {} }); aviso(`Lote ${l.numero} marcado como enviado.`); recarrega();
      }); } }, 'Marcar enviado') : null,
      l.status === 'enviado' ? [protocolo, el('button', { onclick: (ev) => { ev.stopPropagation(); tenta(async () => {
        await api('POST', `/api/lotes/${l.id}/protocolo`, { json: { protocolo: protocolo.value } });
        aviso(`Protocolo registrado no lote ${l.numero}.`); recarrega();
      }); } }, 'Registrar protocolo')] : null);
  }

  Faturo.tela('lotes', {
    titulo: 'Lotes',
    async render(main) {
      const hp = parametrosHash();
      const limite = Number(hp.get('por_pagina')) || 50;
      const op = await Faturo.seletorOperadora('l-operadora');
      const comp = el('input', { id: 'l-competencia', type: 'month', value: hp.get('competencia') || Faturo.competenciaAnterior() });
      const lista = el('div', { id: 'lotes-lista' }), mapa = el('div', { id: 'lotes-mapa' });
      const pag = paginador(async (apos) => {
        const r = await api('GET', '/api/lotes', { query: { operadora: op.value, limite, apos } });
        limpa(lista).append(tabela(r.lotes, [
          { t: 'Lote', v: l => l.numero }, { t: 'Operadora', v: l => l.operadora },
          { t: 'Tipo', v: l => rotulo('tipo', l.tipo_guia) },
          { t: 'Competência', v: l => competencia(l.competencia) },
          { t: 'Situação', v: l => selo(rotulo('lote', l.status), corStatus[l.status]) },
          { t: 'Guias', v: l => l.qtd_guias, num: true }, { t: 'Valor', v: l => reais(l.valor_informado), num: true },
          { t: 'Prazo de envio', v: l => l.atrasado ? selo('atrasado ' + data(l.prazo_envio), 'bloqueio') : data(l.prazo_envio) },
          { t: 'Protocolo', v: l => l.protocolo || '—' },
          { t: '', v: l => acoes(l, () => tenta(recarrega)) }]));
        return r.proximo;
      });
      const carregaMapa = async () => {
        const m = await api('GET', '/api/lotes/mapa', { query: { competencia: comp.value, operadora: op.value } });
        limpa(mapa).append(el('p', { class: 'meta' }, `Competência ${competencia(m.competencia)}`), tabela(m.mapa, [
          { t: 'Operadora', v: x => x.operadora },
          { t: 'Lotes', v: x => x.lotes.length, num: true },
          { t: 'Guias', v: x => x.lotes.reduce((a, l) => a + (l.qtd_guias || 0), 0), num: true },
          { t: 'Enviado', v: x => reais(x.valor_enviado), num: true },
          { t: 'Liberado', v: x => reais(x.valor_liberado), num: true },
          { t: 'Glosado', v: x => reais(x.valor_glosado), num: true }, { t: 'Recebido', v: x => reais(x.valor_recebido), num: true },
          { t: 'Situação', v: x => [...new Set(x.lotes.map(l => l.situacao))].join(', ') }]));
      };
      const recarrega = async () => { await Promise.all([pag.recarrega(), carregaMapa()]); };
      const fechar = el('button', { class: 'primario', id: 'lote-fechar', onclick: () => tenta(async () => {
        const r = await api('POST', '/api/lotes/fechar', { json: { operadora: op.value || null, competencia: comp.value || null } });
        const erros = (r.erros || []).map(e => `${e.operadora}: ${e.message}`);
        aviso(`${r.lotes.length} lote(s) fechado(s).` + (erros.length ? ' Não fechados — ' + erros.join('; ') : ''), erros.length > 0);
        await recarrega();
      }) }, 'Fechar lotes');
      main.append(el('h1', {}, 'Lotes'),
        el('p', {}, 'Fecha em lotes TISS as guias conferidas sem bloqueio, gera o XML com o hash e acompanha envio e protocolo.'),
        el('div', { class: 'filtros' }, el('label', {}, 'Operadora', op), el('label', {}, 'Competência', comp), fechar,
          el('button', { onclick: () => tenta(recarrega) }, 'Atualizar')),
        lista, pag.nav, el('h2', {}, 'Mapa de lotes'), mapa);
      await recarrega();
    }
  });
})();
