/* Financeiro: mapa de faturas, bank statement conciliation (the supervisor
 * confirms), particulares with payments and recibos, repasse médico (the
 * supervisor closes). Every action calls /api/financeiro/...; see docs/financeiro.md. */
'use strict';
(() => {
  const { el, limpa, reais, centavosDe, data, api, tabela, selo, cartao, tenta, aviso, baixar, pode, paginador, rotulo } = Faturo;

  const origens = { convenio: 'convênio', particular: 'particular', liberacao: 'liberação', ajuste: 'ajuste' };
  const corFatura = { aberta: 'neutro', paga_parcial: 'alerta', paga: 'ok', 'sem fatura': 'alerta' };

  async function secaoMapa(box) {
    const op = await Faturo.seletorOperadora('f-operadora');
    const comp = el('input', { id: 'f-competencia', type: 'month' });
    const out = el('div', { id: 'fin-mapa' });
    const lotes = el('div', { id: 'fin-mapa-lotes' });
    /* a fatura's lotes, page by page (it may have thousands) */
    const verLotes = async (x) => {
      const tab = el('div');
      const pag = paginador(async (apos, vigente) => {
        const r = await api('GET', `/api/financeiro/faturas/${x.fatura_id}/lotes`, { query: { apos: apos || '', limite: 50 } });
        if (!vigente()) return null;
        limpa(tab).append(tabela(r.lotes, [
          { t: 'Lote', v: l => String(l.numero), nw: true },
          { t: 'Situação', v: l => rotulo('lote', l.status) },
          { t: 'Demonstrativo de pagamento', v: l => l.demonstrativo_pagamento ? 'sim' : 'não' }]));
        return r.proximo;
      });
      limpa(lotes).append(el('h3', {}, `Lotes da fatura ${x.fatura} — ${x.operadora} (${x.qtd_lotes})`), tab, pag.nav);
      await pag.recarrega();
    };
    const celulaLotes = x => x.fatura_id
      ? el('button', { class: 'fin-ver-lotes', onclick: () => tenta(() => verLotes(x)) }, `${x.qtd_lotes} lote(s)`)
      : (x.lotes || []).map(l => l.numero).join(', ');
    const carrega = async () => {
      limpa(lotes);
      const r = await api('GET', '/api/financeiro/mapa', { query: { operadora: op.value, competencia: comp.value } });
      limpa(out).append(tabela(r, [
        { t: 'Operadora', v: x => x.operadora }, { t: 'Competência', v: x => x.competencia || '—' },
        { t: 'Fatura', v: x => x.fatura ? String(x.fatura) : '—' },
        { t: 'Situação', v: x => selo(x.status_fatura, corFatura[x.status_fatura]) },
        { t: 'NF', v: x => x.nf_numero || '—' }, { t: 'Lotes', v: celulaLotes },
        { t: 'Enviado', v: x => reais(x.valor_enviado), num: true },
        { t: 'Liberado', v: x => reais(x.valor_liberado), num: true },
        { t: 'Glosado', v: x => reais(x.valor_glosado), num: true },
        { t: 'Recursado', v: x => reais(x.valor_recursado), num: true },
        { t: 'Recuperado', v: x => reais(x.valor_recuperado), num: true },
        { t: 'Recebido', v: x => reais(x.valor_recebido), num: true },
        { t: 'Recebido em', v: x => data(x.data_recebido) },
        { t: 'Saldo a receber', v: x => reais(x.saldo_a_receber), num: true },
        { t: 'Previsão', v: x => data(x.previsao_pagamento) },
        { t: 'Atraso (dias)', v: x => x.dias_atraso || '—', num: true },
        { t: '', v: x => x.situacao + (x.atraso_recebimento > 0 ? ` (${x.atraso_recebimento} dia(s) depois da previsão)` : '') }]));
    };
    box.append(el('h2', {}, 'Mapa de acompanhamento de faturas'),
      el('div', { class: 'filtros' }, el('label', {}, 'Operadora', op), el('label', {}, 'Competência', comp),
        el('button', { id: 'fin-mapa-atualizar', onclick: () => tenta(carrega) }, 'Atualizar')), out, lotes);
    await carrega();
  }

  async function secaoConciliacao(box) {
    const arquivo = el('input', { id: 'fin-extrato', type: 'file', accept: '.ofx,.ret,.RET,.txt' });
    const out = el('div', { id: 'fin-conciliacao' });
    const carrega = async () => {
      const r = await api('GET', '/api/financeiro/conciliacao');
      const sup = pode('supervisor');
      limpa(out).append(el('h3', {}, 'Propostas'), tabela(r.propostas, [
        { t: 'Data', v: x => data(x.data) }, { t: 'Valor', v: x => reais(x.valor), num: true },
        { t: 'Histórico', v: x => x.descricao || '—' }, { t: 'Motivo', v: x => x.motivo },
        { t: '', v: x => sup ? el('div', { class: 'acoes' },
          el('button', { class: 'primario', dataset: { proposta: x.id }, onclick: () => tenta(async () => {
            await api('POST', `/api/financeiro/conciliacao/${x.id}/confirmar`, { json: {} });
            aviso('Crédito conciliado e recebido.'); await carrega();
          }) }, 'Confirmar'),
          el('button', { class: 'link', onclick: () => tenta(async () => {
            await api('POST', `/api/financeiro/conciliacao/${x.id}/rejeitar`, { json: {} }); await carrega();
          }) }, 'Rejeitar')) : el('span', { class: 'meta' }, 'o supervisor confirma') }]),
      el('h3', {}, 'Créditos sem conciliação'), tabela(r.pendentes, [
        { t: 'Data', v: x => data(x.data) }, { t: 'Valor', v: x => reais(x.valor), num: true },
        { t: 'Histórico', v: x => x.descricao || '—' }, { t: 'Arquivo', v: x => `${x.arquivo || '—'} (linha ${x.linha})` }]));
    };
    const importar = el('button', { class: 'primario', id: 'fin-importar', onclick: () => tenta(async () => {
      const f = arquivo.files[0];
      if (!f) { aviso('Escolha o arquivo OFX ou CNAB.', true); return; }
      const r = await api('POST', '/api/financeiro/extratos', { body: await f.arrayBuffer(), query: { nome: f.name } });
      aviso(r.ja_importado ? 'Este extrato já tinha sido importado; nada mudou.'
        : `Extrato importado: ${r.creditos} crédito(s) de ${data(r.inicio)} a ${data(r.fim)}.`);
      await carrega();
    }) }, 'Importar extrato');
    const propor = el('button', { id: 'fin-propor', onclick: () => tenta(async () => {
      const r = await api('POST', '/api/financeiro/conciliacao/propor', { json: {} });
      aviso(`${r.length} proposta(s) nova(s).`); await carrega();
    }) }, 'Propor conciliação');
    box.append(el('h2', {}, 'Extrato e conciliação'),
      el('div', { class: 'filtros' }, el('label', {}, 'Arquivo', arquivo), importar, propor), out);
    await carrega();
  }

  async function secaoParticulares(box) {
    const out = el('div', { id: 'fin-particulares' });
    const f = {
      paciente: el('input', { id: 'p-paciente', placeholder: 'nome do paciente' }),
      cpf: el('input', { id: 'p-cpf', placeholder: 'CPF', size: 14 }),
      data: el('input', { id: 'p-data', type: 'date' }),
      codigo: el('input', { id: 'p-codigo', placeholder: 'código', size: 10 }),
      valor: el('input', { id: 'p-valor', placeholder: 'valor (vazio = tabela)', size: 12 }),
    };
    const carrega = async () => {
      const r = await api('GET', '/api/financeiro/particulares');
      limpa(out).append(tabela(r, [
        { t: 'Data', v: x => data(x.data) }, { t: 'Paciente', v: x => x.paciente },
        { t: 'Procedimento', v: x => x.descricao || x.codigo }, { t: 'Valor', v: x => reais(x.valor), num: true },
        { t: 'Saldo', v: x => reais(x.saldo), num: true },
        { t: 'Situação', v: x => selo(x.status, x.status === 'pago' ? 'ok' : 'alerta') },
        { t: '', v: x => x.status !== 'aberto' ? null : pagar(x, carrega) }]));
    };
    const registrar = el('button', { class: 'primario', id: 'p-registrar', onclick: () => tenta(async () => {
      const v = f.valor.value.trim() === '' ? 0 : centavosDe(f.valor.value);
      if (v === null) { aviso('Valor inválido (use 1.234,56).', true); return; }
      await api('POST', '/api/financeiro/particulares', { json: { paciente: f.paciente.value, cpf: f.cpf.value || null,
        data: f.data.value, codigo: f.codigo.value, valor: v } });
      aviso('Atendimento particular registrado.'); await carrega();
    }) }, 'Registrar');
    box.append(el('h2', {}, 'Particulares'),
      el('div', { class: 'filtros' }, f.paciente, f.cpf, f.data, f.codigo, f.valor, registrar), out);
    await carrega();
  }

  function pagar(x, recarrega) {
    const forma = el('select', {}, ['pix', 'dinheiro', 'debito', 'credito', 'boleto'].map(v => el('option', { value: v }, v)));
    const valor = el('input', { placeholder: 'valor (vazio = saldo)', size: 10 });
    const parcelas = el('input', { type: 'number', min: 1, max: 24, value: 1, size: 3 });
    const adq = el('input', { placeholder: 'adquirente', size: 8 });
    return el('div', { class: 'acoes' }, forma, valor, parcelas, adq,
      el('button', { onclick: () => tenta(async () => {
        const v = valor.value.trim() === '' ? 0 : centavosDe(valor.value);
        if (v === null) { aviso('Valor inválido.', true); return; }
        const r = await api('POST', `/api/financeiro/particulares/${x.id}/pagar`, { json: { forma: forma.value, valor: v,
          parcelas: Number(parcelas.value) || 1, adquirente: adq.value || null, data: Faturo.hojeISO() } });
        aviso(`Pagamento registrado: recibo ${r.recibo}.`);
        window.open(`/api/financeiro/recibos/${r.recibo}`, '_blank');
        recarrega();
      }) }, 'Receber'));
  }

  async function secaoRepasse(box) {
    const periodo = el('input', { id: 'rep-periodo', type: 'month', value: Faturo.competenciaAnterior() });
    const out = el('div', { id: 'fin-repasse' });
    const mostra = (r) => {
      const sup = pode('supervisor');
      limpa(out).append(el('div', {}, el('div', { class: 'cartoes' }, cartao('Situação', r.status),
        cartao('A pagar', reais(r.total_pagar)), cartao('Retido', reais(r.total_retido), r.total_retido > 0 ? 'atencao' : '')),
        (r.avisos || []).map(a => el('p', { class: 'aviso erro' }, a)),
        r.profissionais.flatMap(p => [el('h3', {}, `${p.nome} (${p.conselho}) — a pagar ${reais(p.total_pagar)}, retido ${reais(p.total_retido)}`),
          tabela(p.itens, [
            { t: 'Data', v: i => data(i.data) }, { t: 'Origem', v: i => origens[i.origem] || i.origem }, { t: 'Descrição', v: i => i.descricao },
            { t: 'Recebido', v: i => reais(i.base), num: true }, { t: 'Regra', v: i => i.regra },
            { t: 'Repasse', v: i => reais(i.valor), num: true },
            { t: 'Situação', v: i => i.situacao === 'retido' ? selo(`retido: glosa ${reais(i.glosa)}`, 'alerta') : selo('a pagar', 'ok') },
            { t: '', v: i => (sup && r.status === 'aberto' && i.glosa > 0) ? el('button', { class: 'link', onclick: () => tenta(async () => {
              await api('POST', `/api/financeiro/repasse/itens/${i.id}/decidir`, { json: { decisao: i.situacao === 'retido' ? 'pagar' : 'reter' } });
              mostra(await api('GET', '/api/financeiro/repasse', { query: { periodo: periodo.value } }));
            }) }, i.situacao === 'retido' ? 'Pagar o recebido' : 'Reter') : null }])])));
    };
    const calcular = el('button', { class: 'primario', id: 'rep-calcular', onclick: () => tenta(async () => {
      mostra(await api('POST', '/api/financeiro/repasse/calcular', { json: { periodo: periodo.value } }));
    }) }, 'Calcular');
    const fechar = pode('supervisor') ? el('button', { id: 'rep-fechar', onclick: () => tenta(async () => {
      if (!window.confirm(`Fechar o repasse de ${periodo.value}? Depois só muda por ajuste num repasse seguinte.`)) return;
      mostra(await api('POST', '/api/financeiro/repasse/fechar', { json: { periodo: periodo.value } }));
      aviso('Repasse fechado.');
    }) }, 'Fechar repasse') : null;
    const xlsx = el('button', { class: 'link', onclick: () => tenta(() => baixar(`/api/financeiro/repasse/xlsx?periodo=${periodo.value}`,
      `repasse_${periodo.value}.xlsx`)) }, 'Planilha (XLSX)');
    box.append(el('h2', {}, 'Repasse médico'),
      el('div', { class: 'filtros' }, el('label', {}, 'Período', periodo), calcular, fechar, xlsx,
        el('button', { onclick: () => tenta(async () => mostra(await api('GET', '/api/financeiro/repasse', { query: { periodo: periodo.value } }))) }, 'Ver')),
      out);
  }

  Faturo.tela('financeiro', {
    titulo: 'Financeiro',
    async render(main) {
      const mapa = el('section', {}), conc = el('section', {}), part = el('section', {}), rep = el('section', {});
      main.append(el('h1', {}, 'Financeiro'),
        el('p', {}, 'Do envio ao dinheiro na conta: faturas e notas, extrato do banco, particulares e repasse médico.'),
        mapa, conc, part, rep);
      await secaoMapa(mapa);
      await secaoConciliacao(conc);
      await secaoParticulares(part);
      await secaoRepasse(rep);
    }
  });
})();
