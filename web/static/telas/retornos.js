/* Retornos: upload an operator's demonstrativo / protocolo XML and see what matched. */
'use strict';
(() => {
  const { el, limpa, reais, data, rotulo, api, tabela, cartao, tenta, aviso, paginador } = Faturo;

  Faturo.tela('retornos', {
    titulo: 'Retornos',
    async render(main) {
      const arquivo = el('input', { id: 'r-arquivo', type: 'file', accept: '.xml,application/xml,text/xml' });
      const res = el('div', { id: 'retorno-resultado' }), lista = el('div', { id: 'retornos-lista' });
      const pag = paginador(async (apos, vigente) => {
        const r = await api('GET', '/api/retornos', { query: { limite: 50, apos } });
        if (!vigente()) return null;
        limpa(lista).append(tabela(r.retornos, [
          { t: 'Importado em', v: x => data(x.importado_em) }, { t: 'Tipo', v: x => rotulo('transacao', x.tipo) },
          { t: 'Operadora', v: x => x.operadora || '—' }, { t: 'Arquivo', v: x => x.arquivo || '—' },
          { t: 'Guias casadas', v: x => x.guias_casadas, num: true },
          { t: 'Sem par', v: x => x.guias_sem_par, num: true },
          { t: 'Pendências', v: x => x.pendencias, num: true },
          { t: 'Glosado', v: x => reais(x.valor_glosado), num: true }]));
        return r.proximo;
      });
      const carrega = () => pag.recarrega();
      const enviar = el('button', { class: 'primario', id: 'r-enviar', onclick: () => tenta(async () => {
        const f = arquivo.files[0];
        if (!f) { aviso('Escolha o arquivo XML do retorno.', true); return; }
        const r = await api('POST', '/api/retornos', { body: await f.arrayBuffer(), tipo: 'application/xml',
          query: { arquivo: f.name } });
        limpa(res).append(el('div', { class: 'cartoes' },
          cartao('Tipo', rotulo('transacao', r.tipo)), cartao('Guias casadas', `${r.guias_casadas} de ${r.guias}`),
          cartao('Guias sem par', r.guias - r.guias_casadas, r.guias > r.guias_casadas ? 'atencao' : ''),
          cartao('Glosas registradas', r.glosas), cartao('Valor glosado', reais(r.valor_glosado)),
          cartao('Hash', r.hash_confere === false ? 'não confere' : 'ok', r.hash_confere === false ? 'ruim' : '')),
          r.ja_importado ? el('p', { class: 'meta' }, 'Este arquivo já tinha sido importado; nada mudou.') : null,
          (r.avisos || []).map(a => el('p', { class: 'aviso erro' }, a)),
          r.lista_pendencias && r.lista_pendencias.length ? [el('h2', {}, 'Linhas sem correspondência'), tabela(r.lista_pendencias, [
            { t: 'Nível', v: p => p.nivel }, { t: 'Lote', v: p => p.lote || '—' }, { t: 'Guia', v: p => p.guia || '—' },
            { t: 'Código', v: p => p.codigo || '—' }, { t: 'Motivo', v: p => p.motivo }])] : null);
        aviso('Retorno importado.'); await carrega();
      }) }, 'Importar');
      main.append(el('h1', {}, 'Retornos'),
        el('p', {}, 'Importe o demonstrativo de análise de conta ou o protocolo de recebimento enviado pela operadora (XML TISS).'),
        el('div', { class: 'filtros' }, el('label', {}, 'Arquivo XML', arquivo), enviar), res,
        el('h2', {}, 'Retornos importados'), lista, pag.nav);
      await carrega();
    }
  });
})();
