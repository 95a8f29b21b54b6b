/* Conferir: run the pre-billing check for an operator / competência. */
'use strict';
(() => {
  const { el, limpa, reais, rotulo, api, tabela, cartao, tenta, aviso } = Faturo;

  Faturo.tela('conferir', {
    titulo: 'Conferir',
    async render(main) {
      const op = await Faturo.seletorOperadora('c-operadora');
      const comp = el('input', { id: 'c-competencia', type: 'month', value: Faturo.competenciaAnterior() });
      const todas = el('input', { id: 'c-todas', type: 'checkbox' });
      const barra = el('div', {});
      const prog = el('div', { class: 'progresso', hidden: true }, barra);
      const res = el('div', { id: 'conferir-resultado' });
      const botao = el('button', { class: 'primario', id: 'conferir-rodar' }, 'Conferir');
      botao.addEventListener('click', () => tenta(async () => {
        botao.disabled = true; prog.hidden = false; barra.style.width = '15%';
        const t = setInterval(() => { barra.style.width = Math.min(90, parseFloat(barra.style.width) + 7) + '%'; }, 400);
        try {
          const r = await api('POST', '/api/conferir', { json: {
            operadora: op.value || null, competencia: comp.value || null, todas: todas.checked } });
          barra.style.width = '100%';
          const s = r.resumo;
          limpa(res).append(el('div', { class: 'cartoes' },
            cartao('Selecionadas', s.selecionadas), cartao('Conferidas agora', s.conferidas),
            cartao('Sem mudança', s.sem_mudanca),
            cartao('Com bloqueio', s.com_bloqueio, s.com_bloqueio ? 'ruim' : ''),
            cartao('Com alerta', s.com_alerta, s.com_alerta ? 'atencao' : ''),
            cartao('Erros de regra', s.com_erro, s.com_erro ? 'ruim' : ''),
            cartao('Valor em risco', reais(s.valor_risco), s.valor_risco ? 'atencao' : ''),
            cartao('Bloqueios em aberto', s.bloqueios_abertos)),
            el('h2', {}, 'Guias com achados nesta conferência'),
            tabela(r.guias, [
              { t: 'Guia', v: g => g.numero_prestador }, { t: 'Operadora', v: g => g.operadora },
              { t: 'Situação', v: g => rotulo('guia', g.status) },
              { t: 'Achados', v: g => g.codigos.join(', ') },
              { t: 'Erro', v: g => g.erro || '' },
              { t: 'Em risco', v: g => reais(g.valor_risco), num: true }],
              g => { location.hash = '#/guias/' + g.guia_id; }));
          aviso(`Conferência concluída: ${s.conferidas} guia(s) conferida(s).`);
        } finally { clearInterval(t); botao.disabled = false; setTimeout(() => { prog.hidden = true; }, 600); }
      }));
      main.append(el('h1', {}, 'Conferir guias'),
        el('p', {}, 'Confere as guias ainda não enviadas contra as regras de cada operadora, ',
          'os preços do contrato e as verificações do padrão TISS. Guias sem mudança desde a última conferência são puladas.'),
        el('div', { class: 'filtros' }, el('label', {}, 'Operadora', op), el('label', {}, 'Competência', comp),
          el('label', {}, 'Reconferir todas', todas), botao), prog, res);
    }
  });
})();
