/* Relatórios gerenciais (Part H): painel gerencial, produção, inadimplência,
 * previsto × realizado, glosas, produtividade, fechamento and the what-if of
 * a contract proposal. Every report is the engine's document
 * {titulo, parametros, tabelas: [{nome, titulo, colunas, linhas, total}]}
 * (GET /api/relatorios/<nome>); each chart has its table one click away and
 * CSV/XLSX buttons that download the same table made by the engine. */
'use strict';
(() => {
  const { el, limpa, reais, data, api, tenta, baixar, pode } = Faturo;
  const graficos = [];
  const CORES = ['#0b6e99', '#1a7f37', '#b35900', '#8250df', '#cf222e', '#57606a', '#0a8a8a', '#9a6700'];

  const ABAS = [
    { id: 'gerencial', titulo: 'Painel gerencial', api: 'painel', filtros: ['hoje', 'operadora'] },
    { id: 'producao', titulo: 'Produção', api: 'producao', filtros: ['de', 'ate', 'operadora', 'detalhe'] },
    { id: 'inadimplencia', titulo: 'Inadimplência', api: 'inadimplencia', filtros: ['hoje', 'operadora'] },
    { id: 'previsto', titulo: 'Previsto × realizado', api: 'previsto', filtros: ['de', 'ate', 'operadora'] },
    { id: 'glosas', titulo: 'Glosas', api: 'glosas', filtros: ['de', 'ate', 'operadora'] },
    { id: 'produtividade', titulo: 'Produtividade', api: 'produtividade', papel: 'supervisor',
      filtros: ['dia_de', 'dia_ate'] },
    { id: 'fechamento', titulo: 'Fechamento do mês', api: 'fechamento', papel: 'supervisor', filtros: ['mes'] },
    { id: 'proposta', titulo: 'Proposta de contrato', papel: 'supervisor' },
  ];

  /* ---- cells by column type ---- */
  const num = new Intl.NumberFormat('pt-BR');
  const pct = new Intl.NumberFormat('pt-BR', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function mes(s) { const m = /^(\d{4})-(\d{2})/.exec(s || ''); return m ? `${m[2]}/${m[1]}` : (s || '—'); }
  function celula(v, tipo) {
    if (v === undefined) return '';
    if (v === null) return '—';
    switch (tipo) {
      case 'dinheiro': return reais(v);
      case 'percentual': return pct.format(v / 100) + '%';
      case 'inteiro': case 'dias': return num.format(v);
      case 'data': return data(v);
      case 'mes': return mes(v);
      default: return String(v);
    }
  }
  const numerico = (tipo) => !['texto', 'data', 'mes'].includes(tipo);

  /* The table of a report table: header, lines, total in the footer. */
  function tabelaRel(tab) {
    if (!tab.linhas || tab.linhas.length === 0) return el('p', { class: 'vazio' }, 'Nada no período.');
    const cols = tab.colunas;
    const linha = (o, total) => el('tr', {}, cols.map((c, i) => el('td', { class: numerico(c.tipo) ? 'num' : null },
      total && i === 0 ? 'Total' : (total && !numerico(c.tipo) ? '' : celula(o[c.chave], c.tipo)))));
    return el('table', { class: 'relatorio', dataset: { tabela: tab.nome } },
      el('thead', {}, el('tr', {}, cols.map(c => el('th', { class: numerico(c.tipo) ? 'num' : null }, c.rotulo)))),
      el('tbody', {}, tab.linhas.map(o => linha(o, false))),
      tab.total ? el('tfoot', {}, linha(tab.total, true)) : null);
  }

  function query(filtros) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filtros)) if (v) q.set(k, v);
    return q;
  }

  /* One block: title, chart (when given) with its table one click away,
   * and the CSV/XLSX of this table. */
  function bloco(tab, url, filtros, grafico) {
    const caixaTabela = el('div', { class: 'rel-tabela' }, tabelaRel(tab));
    const exporta = (formato) => tenta(() => {
      const q = query({ ...filtros, tabela: tab.nome, formato });
      return baixar(`${url}?${q}`, `${tab.nome}.${formato}`);
    });
    const botoes = el('div', { class: 'acoes' },
      grafico ? el('button', { class: 'link ver-tabela', onclick: () => { caixaTabela.hidden = !caixaTabela.hidden; } },
        'Ver tabela') : null,
      el('button', { class: 'link', dataset: { exporta: 'csv' }, onclick: () => exporta('csv') }, 'Exportar CSV'),
      el('button', { class: 'link', dataset: { exporta: 'xlsx' }, onclick: () => exporta('xlsx') }, 'Exportar XLSX'));
    const box = el('section', { class: 'rel-bloco', dataset: { tabela: tab.nome } },
      el('div', { class: 'rel-cabeca' }, el('h2', {}, tab.titulo), botoes));
    let desenha = () => {};
    if (grafico && tab.linhas && tab.linhas.length && window.Chart) {
      const canvas = el('canvas', { dataset: { grafico: tab.nome } });
      box.append(el('div', { class: 'graf' }, canvas));
      caixaTabela.hidden = true;
      /* drawn once the canvas is in the page, so it takes the box's size */
      desenha = () => graficos.push(new Chart(canvas, grafico(tab)));
    }
    box.append(caixaTabela);
    return { box, desenha };
  }

  /* Put the blocks of a report document into out, then draw their charts. */
  function mostraTabelas(out, rel, url, filtros, conf, cabeca) {
    const blocos = rel.tabelas.map(t => bloco(t, url, filtros, conf[t.nome]));
    limpa(out).append(cabeca, ...blocos.map(b => b.box));
    blocos.forEach(b => b.desenha());
  }

  /* ---- chart configurations ---- */
  const opcoes = (fmt, extra) => ({ responsive: true, maintainAspectRatio: false, animation: false, ...extra,
    plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${fmt(c.parsed.y ?? c.parsed.x ?? c.parsed)}` } } } });
  const emReais = (v) => reais(Math.round(v * 100));
  const emPct = (v) => pct.format(v) + '%';
  const valores = (linhas, k) => linhas.map(l => (l[k] || 0) / 100);
  const unicos = (linhas, k) => [...new Set(linhas.map(l => l[k]))];

  /* bars per competência, one dataset per operadora */
  function porMesOperadora(campo, rotulo) {
    return (tab) => {
      const meses = unicos(tab.linhas, 'competencia'), ops = unicos(tab.linhas, 'operadora');
      return { type: 'bar', data: { labels: meses.map(mes), datasets: ops.map((o, i) => ({
        label: o, backgroundColor: CORES[i % CORES.length],
        data: meses.map(m => { const l = tab.linhas.find(x => x.competencia === m && x.operadora === o); return l ? l[campo] / 100 : 0; })
      })) }, options: opcoes(emReais, { scales: { y: { title: { display: true, text: rotulo } } } }) };
    };
  }
  function linhaTaxa(campo, chaveMes, serie) {
    return (tab) => {
      const meses = unicos(tab.linhas, chaveMes), ops = serie ? unicos(tab.linhas, serie) : [null];
      return { type: 'line', data: { labels: meses.map(mes), datasets: ops.map((o, i) => ({
        label: o || 'Taxa de glosa', borderColor: CORES[i % CORES.length], backgroundColor: CORES[i % CORES.length],
        data: meses.map(m => { const l = tab.linhas.find(x => x[chaveMes] === m && (!serie || x[serie] === o));
          return l && l[campo] !== null ? l[campo] / 100 : null; })
      })) }, options: opcoes(emPct) };
    };
  }
  function barras(rotuloK, series) {
    return (tab) => ({ type: 'bar', data: { labels: tab.linhas.map(l => l[rotuloK]),
      datasets: series.map(([k, rotulo], i) => ({ label: rotulo, data: valores(tab.linhas, k), backgroundColor: CORES[i % CORES.length] })) },
    options: opcoes(emReais) });
  }
  function empilhado(rotuloK, series) {
    return (tab) => ({ type: 'bar', data: { labels: tab.linhas.map(l => l[rotuloK]),
      datasets: series.map(([k, rotulo], i) => ({ label: rotulo, data: valores(tab.linhas, k), backgroundColor: CORES[i % CORES.length] })) },
    options: opcoes(emReais, { scales: { x: { stacked: true }, y: { stacked: true } } }) });
  }
  const AGING = [['a_vencer', 'A vencer'], ['ate_30', '1 a 30 dias'], ['de_31_a_60', '31 a 60 dias'],
    ['de_61_a_90', '61 a 90 dias'], ['acima_de_90', 'Mais de 90 dias'], ['sem_previsao', 'Sem previsão']];

  /* which chart goes with which table (the others are shown as tables) */
  const GRAFICOS = {
    painel: { producao: porMesOperadora('faturado', 'Faturado (R$)'), taxa_glosa: linhaTaxa('taxa_glosa', 'competencia'),
      aging: empilhado('operadora', AGING),
      mapa: barras('operadora', [['valor_recebido', 'Recebido'], ['saldo_a_receber', 'Saldo a receber']]) },
    producao: { mensal: porMesOperadora('faturado', 'Faturado (R$)'),
      detalhe: barras('detalhe', [['faturado', 'Faturado'], ['glosado', 'Glosado']]) },
    inadimplencia: { aging: empilhado('operadora', AGING) },
    previsto: { mensal: (tab) => {
      const meses = unicos(tab.linhas, 'mes');
      const soma = (m, k) => tab.linhas.filter(l => l.mes === m).reduce((a, l) => a + (l[k] || 0), 0) / 100;
      return { type: 'bar', data: { labels: meses.map(mes), datasets: [
        { label: 'Previsto', data: meses.map(m => soma(m, 'previsto')), backgroundColor: CORES[0] },
        { label: 'Realizado', data: meses.map(m => soma(m, 'realizado')), backgroundColor: CORES[1] }] },
      options: opcoes(emReais) };
    } },
    glosas: { mensal: linhaTaxa('taxa', 'competencia', 'operadora'),
      por_grupo: barras('grupo', [['devida', 'Devidas'], ['indevida', 'Indevidas']]) },
    produtividade: { usuarios: (tab) => ({ type: 'bar', data: { labels: tab.linhas.map(l => l.usuario),
      datasets: [['guias_digitadas', 'Guias digitadas'], ['guias_corrigidas', 'Guias corrigidas'],
        ['achados_resolvidos', 'Achados resolvidos'], ['lotes_fechados', 'Lotes fechados'],
        ['recursos_enviados', 'Recursos enviados']].map(([k, r], i) => ({
        label: r, data: tab.linhas.map(l => l[k]), backgroundColor: CORES[i % CORES.length] })) },
    options: opcoes((v) => num.format(v)) }) },
    fechamento: { resumo: barras('operadora', [['recebido_liquido', 'Recebido (líquido)'], ['retido', 'Retenções'],
      ['repasse', 'Repasse médico']]) },
    simulacao_precos: { por_grupo: barras('grupo', [['atual', 'Contrato atual'], ['proposta', 'Proposta']]) },
  };

  /* ---- filters ---- */
  async function campos(aba) {
    const c = {};
    for (const f of aba.filtros || []) {
      if (f === 'operadora') { c[f] = await Faturo.seletorOperadora('r-operadora');
        c[f].append(el('option', { value: 'particular' }, 'Particulares')); }
      else if (f === 'detalhe') c[f] = el('select', { id: 'r-detalhe' },
        [['', 'por operadora'], ['profissional', 'por profissional'], ['grupo', 'por grupo de procedimento'],
          ['unidade', 'por unidade']].map(([v, t]) => el('option', { value: v }, t)));
      else if (f === 'hoje' || f === 'dia_de' || f === 'dia_ate') c[f] = el('input', { id: 'r-' + f, type: 'date' });
      else c[f] = el('input', { id: 'r-' + f, type: 'month' });
    }
    return c;
  }
  const ROTULOS = { de: 'De', ate: 'Até', operadora: 'Operadora', detalhe: 'Detalhe', hoje: 'Referência',
    dia_de: 'De', dia_ate: 'Até', mes: 'Mês' };
  function valoresFiltros(c) {
    const v = {};
    for (const [k, e] of Object.entries(c)) {
      if (k === 'dia_de') v.de = e.value; else if (k === 'dia_ate') v.ate = e.value; else v[k] = e.value;
    }
    return v;
  }

  async function mostraRelatorio(aba, out, filtros) {
    graficos.splice(0).forEach(g => g.destroy());
    const url = `/api/relatorios/${aba.api}`;
    if (aba.api === 'fechamento' && !filtros.mes) {
      limpa(out).append(el('p', { class: 'vazio' }, 'Escolha o mês do fechamento.'));
      return;
    }
    const rel = await api('GET', url, { query: filtros });
    const conf = GRAFICOS[rel.relatorio] || {};
    const p = rel.parametros || {};
    const periodo = p.mes ? `mês ${mes(p.mes)}` : (p.de && p.ate ? `${p.de.length > 7 ? data(p.de) : mes(p.de)} a ${
      p.ate.length > 7 ? data(p.ate) : mes(p.ate)}` : (p.hoje ? `em ${data(p.hoje)}` : ''));
    mostraTabelas(out, rel, url, filtros, conf, el('p', { class: 'meta', id: 'rel-periodo' }, periodo));
  }

  async function abaProposta(main) {
    const op = await Faturo.seletorOperadora('r-prop-operadora', false);
    const desde = el('input', { id: 'r-prop-desde', type: 'month' }), ate = el('input', { id: 'r-prop-ate', type: 'month' });
    const out = el('div', { id: 'rel-saida' });
    const simula = () => tenta(async () => {
      graficos.splice(0).forEach(g => g.destroy());
      limpa(out).append(el('p', { class: 'meta' }, 'Precificando a produção pelos dois contratos...'));
      const url = `/api/regras/${encodeURIComponent(op.value)}/simular-precos`;
      const filtros = { desde: desde.value, ate: ate.value };
      const rel = await api('GET', url, { query: filtros });
      mostraTabelas(out, rel, url, filtros, GRAFICOS.simulacao_precos, el('p', { class: 'meta', id: 'rel-periodo' },
        `${rel.titulo}: ${rel.parametros.guias} guias de ${mes(rel.parametros.de)} a ${mes(rel.parametros.ate)}`));
    });
    main.append(el('p', {}, 'A proposta é o rascunho do script da operadora salvo na tela Regras. ',
      'A produção real das competências escolhidas é precificada pelo contrato atual e pela proposta; ',
      'nada é gravado.'),
    el('div', { class: 'filtros' }, el('label', {}, 'Operadora', op), el('label', {}, 'Desde', desde),
      el('label', {}, 'Até', ate), el('button', { class: 'primario', id: 'r-simular', onclick: simula }, 'Simular')), out);
  }

  Faturo.tela('relatorios', {
    titulo: 'Relatórios',
    async render(main, partes) {
      const abas = ABAS.filter(a => pode(a.papel || 'faturista'));
      const aba = abas.find(a => a.id === partes[0]) || abas[0];
      main.append(el('h1', {}, 'Relatórios'),
        el('nav', { class: 'abas', id: 'rel-abas' }, abas.map(a => el('a', {
          href: '#/relatorios/' + a.id, class: a === aba ? 'ativo' : null, dataset: { aba: a.id } }, a.titulo))));
      if (aba.id === 'proposta') { await abaProposta(main); return; }
      const c = await campos(aba);
      const out = el('div', { id: 'rel-saida' });
      const carrega = () => tenta(() => mostraRelatorio(aba, out, valoresFiltros(c)));
      main.append(el('div', { class: 'filtros' },
        Object.entries(c).map(([k, e]) => el('label', {}, ROTULOS[k] || k, e)),
        el('button', { id: 'r-atualizar', onclick: carrega }, 'Atualizar'),
        aba.id === 'fechamento' ? el('button', { id: 'r-pacote', onclick: () => tenta(() => {
          if (!c.mes.value) throw new Error('Escolha o mês do fechamento.');
          return baixar(`/api/relatorios/fechamento?${query({ mes: c.mes.value, formato: 'xlsx' })}`,
            `fechamento-${c.mes.value}.xlsx`);
        }) }, 'Baixar planilha do contador') : null), out);
      await carrega();
    }
  });
})();
