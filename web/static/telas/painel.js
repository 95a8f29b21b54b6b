/* Painel: the numbers a billing office looks at first thing in the morning. */
'use strict';
(() => {
  const { el, reais, data, api, tabela, cartao } = Faturo;

  Faturo.tela('painel', {
    titulo: 'Painel',
    async render(main) {
      const p = await api('GET', '/api/painel');
      main.append(el('h1', {}, 'Painel'), el('p', { class: 'meta' }, 'Hoje: ' + data(p.hoje)),
        el('div', { class: 'cartoes', id: 'painel-cartoes' },
          cartao('Guias com bloqueio', p.guias_com_bloqueio, p.guias_com_bloqueio > 0 ? 'ruim' : ''),
          cartao('Valor em risco', reais(p.valor_em_risco), p.valor_em_risco > 0 ? 'atencao' : ''),
          cartao('Guias a faturar', p.guias_a_faturar || 0),
          cartao('Valor a faturar', reais(p.valor_a_faturar)),
          cartao('Lotes a enviar', p.lotes_a_enviar),
          cartao('Lotes atrasados', p.lotes_atrasados, p.lotes_atrasados > 0 ? 'ruim' : ''),
          cartao('Aguardando retorno', p.lotes_aguardando_retorno),
          cartao('Glosas aguardando recurso', p.glosas_aguardando_recurso,
            p.glosas_aguardando_recurso > 0 ? 'atencao' : ''),
          cartao('Valor glosado em aberto', reais(p.valor_glosas_aguardando)),
          cartao('Recursos vencendo (10 dias)', p.recursos_prazo_proximo,
            p.recursos_prazo_proximo > 0 ? 'ruim' : ''),
          cartao('Recursos com prazo vencido', p.recursos_prazo_vencido)));
      const esq = el('div'), dir = el('div');
      main.append(el('div', { class: 'grade2' }, esq, dir));
      esq.append(el('h2', {}, 'Por operadora'), tabela(p.por_operadora, [
        { t: 'Operadora', v: o => o.nome },
        { t: 'A faturar', v: o => o.guias_a_faturar, num: true },
        { t: 'Com bloqueio', v: o => o.guias_com_bloqueio, num: true },
        { t: 'Em risco', v: o => reais(o.valor_em_risco), num: true },
        { t: 'Glosado', v: o => reais(o.valor_glosado), num: true }],
        o => { location.hash = '#/guias?operadora=' + encodeURIComponent(o.chave); }));
      esq.append(el('h2', {}, 'Lotes fechados a enviar'), tabela(p.lotes_fechados, [
        { t: 'Lote', v: l => l.numero }, { t: 'Operadora', v: l => l.operadora },
        { t: 'Guias', v: l => l.qtd_guias, num: true },
        { t: 'Valor', v: l => reais(l.valor_informado), num: true },
        { t: 'Prazo de envio', v: l => l.atrasado
          ? Faturo.selo('atrasado ' + data(l.prazo_envio), 'bloqueio') : data(l.prazo_envio) }],
        () => { location.hash = '#/lotes'; }));
      dir.append(el('h2', {}, 'Recursos com prazo mais próximo'), tabela(p.recursos_proximos, [
        { t: 'Prazo', v: g => data(g.prazo_recurso) }, { t: 'Operadora', v: g => g.operadora },
        { t: 'Guia', v: g => g.numero_prestador }, { t: 'Glosa', v: g => g.codigo },
        { t: 'Valor', v: g => reais(g.valor), num: true }],
        () => { location.hash = '#/glosas'; }));
    }
  });
})();
