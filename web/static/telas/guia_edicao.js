/* The faturista's work on one guia (Part L), shown in the guia's detail
 * (telas/guias.js): correct fields and items (PATCH /api/guias/{id}), cancel
 * with a motive, the history of revisions, the re-check the engine answers
 * right after each change, attachments, and the printable guia. The engine
 * decides what may change and why not; this file only sends what the user
 * typed and shows the answer. */
'use strict';
(() => {
  const { el, limpa, reais, data, dataHora, rotulo, api, tabela, selo, tenta, aviso } = Faturo;

  /* the last change's answer per guia, shown after the detail reloads */
  const ultima = new Map();

  const ACOES = { importar: 'importada', digitar: 'digitada', editar: 'corrigida', cancelar: 'cancelada',
    reimportar: 'reimportada' };
  const TIPOS_ANEXO = [['laudo', 'Laudo'], ['pedido_medico', 'Pedido médico'], ['autorizacao', 'Autorização'],
    ['termo', 'Termo'], ['outro', 'Outro']];

  /* fields of the guia the correction form offers: [caminho, rótulo, tipo] */
  const CAMPOS = [
    ['numero_operadora', 'Nº da guia na operadora'], ['senha', 'Senha'],
    ['data_autorizacao', 'Data da autorização', 'data'], ['validade_senha', 'Validade da senha', 'data'],
    ['carteira_numero', 'Número da carteira'], ['carteira_validade', 'Validade da carteira', 'data'],
    ['data_inicio', 'Data do atendimento', 'data'], ['cid', 'CID-10'],
    ['indicacao_clinica', 'Indicação clínica'], ['executante.numero_conselho', 'Nº no conselho do executante'],
    ['executante.cbo', 'CBO do executante'], ['observacao', 'Observação'],
  ];

  let n = 0;
  const novoId = (p) => `${p}-${++n}`;
  function pega(obj, caminho) {
    return caminho.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), obj);
  }
  /* what the user reads: dates DD/MM/AAAA, money 1.234,56, quantities without zeros */
  function paraTela(v, tipo) {
    if (v === null || v === undefined) return '';
    if (tipo === 'data') return /^\d{4}-\d{2}-\d{2}$/.test(v) ? data(v) : String(v);
    if (tipo === 'dinheiro') return v === '' ? '' : reais(String(v)).replace(/^R\$\s*/, '');
    if (tipo === 'qtd') return quantidade(v);
    return String(v);
  }
  function quantidade(v) {
    if (v === null || v === undefined || v === '') return '';
    const m = /^(-?\d+)(?:\.(\d+))?$/.exec(String(v));
    if (!m) return String(v);
    const frac = (m[2] || '').replace(/0+$/, '');
    return frac ? `${m[1]},${frac}` : m[1];
  }

  function campo(rot, valor, attrs) {
    const id = (attrs && attrs.id) || novoId('ge');
    const inp = el('input', { ...(attrs || {}), id });
    inp.value = valor;
    return { inp, label: el('label', { for: id }, rot, inp) };
  }

  /* The re-check the engine answered right after a change. */
  function rechecagem(m) {
    const pronta = m.pronta_para_lote || (m.status !== 'cancelada' && !m.bloqueios);
    const cls = m.status === 'cancelada' ? '' : pronta ? 'pronta' : 'bloqueada';
    return el('div', { id: 'guia-rechecagem', class: 'rechecagem ' + cls, role: 'status' },
      el('b', {}, 'Conferida de novo após a mudança: '),
      m.status === 'cancelada' ? 'guia cancelada'
        : pronta ? 'pronta para lote' : `${m.bloqueios} bloqueio(s) ainda em aberto`,
      m.alertas ? ` · ${m.alertas} alerta(s)` : '',
      m.valor_risco ? ` · em risco ${reais(m.valor_risco)}` : '',
      ` · situação: ${rotulo('guia', m.status)} · revisão ${m.revisao}`,
      m.reconferidas ? ` · ${m.reconferidas} outra(s) guia(s) conferida(s) de novo` : '',
      m.erro ? el('div', { class: 'erro' }, m.erro) : null,
      (m.alteracoes || []).length ? el('ul', {}, m.alteracoes.map(a =>
        el('li', {}, `${a.rotulo}: ${a.de_texto || '—'} → ${a.para_texto || '—'}`))) : null,
      (m.achados || []).filter(a => !a.reconhecido_em).map(a =>
        el('div', { class: 'meta' }, selo(rotulo('severidade', a.severidade), a.severidade), ' ', a.mensagem)));
  }

  async function muda(id, metodo, url, corpo, feito, recarrega) {
    const m = await api(metodo, url, { json: corpo });
    ultima.set(String(id), m);
    aviso(`${feito}: ` + (m.status === 'cancelada' ? 'guia cancelada.'
      : m.pronta_para_lote || !m.bloqueios ? 'pronta para lote.' : `${m.bloqueios} bloqueio(s) em aberto.`));
    recarrega();
  }

  /* Action buttons of item i in the items table. */
  function acoesItem(g, i, caixa, id, recarrega) {
    if (g.status === 'cancelada') return '—';
    const num = i.sequencial;
    return el('span', {},
      el('button', { class: 'link', 'aria-label': `Corrigir item ${num}`, onclick: () => {
        limpa(caixa).append(formItem(g, i, id, recarrega, caixa));
        caixa.querySelector('input').focus();
      } }, 'corrigir'),
      el('button', { class: 'link perigo', 'aria-label': `Remover item ${num}`, onclick: () => tenta(async () => {
        if (!confirm(`Remover o item ${num} da guia?`)) return;
        await muda(id, 'PATCH', '/api/guias/' + id, { remover_itens: [num] }, `Item ${num} removido`, recarrega);
      }) }, 'remover'));
  }

  function formItem(g, i, id, recarrega, caixa) {
    const num = i.sequencial;
    const cols = [['codigo_tabela', 'Tabela'], ['codigo', 'Código'], ['descricao', 'Descrição'],
      ['data', 'Data', 'data'], ['quantidade', 'Quantidade', 'qtd'],
      ['valor_unitario', 'Valor unitário (R$)', 'dinheiro'], ['valor_total', 'Valor total (R$)', 'dinheiro']];
    const ins = cols.map(([c, r, t]) => ({ c, ini: paraTela(i[c], t), ...campo(r, paraTela(i[c], t)) }));
    const salvar = () => tenta(async () => {
      const campos = {};
      for (const x of ins) if (x.inp.value.trim() !== x.ini) campos[`itens[${num}].${x.c}`] = x.inp.value.trim();
      if (!Object.keys(campos).length) { aviso('Nada mudou no item.', true); return; }
      await muda(id, 'PATCH', '/api/guias/' + id, { campos }, `Item ${num} corrigido`, recarrega);
    });
    return el('fieldset', { class: 'guia-edicao', id: 'item-edicao' }, el('legend', {}, `Corrigir o item ${num}`),
      el('div', { class: 'filtros' }, ins.map(x => x.label),
        el('button', { class: 'primario', id: 'item-salvar', onclick: salvar }, 'Salvar item'),
        el('button', { onclick: () => limpa(caixa) }, 'Fechar')));
  }

  function formNovoItem(id, recarrega) {
    const tab = el('select', { id: novoId('ge') }, [['22', '22 – Procedimentos (TUSS)'], ['18', '18 – Diárias e taxas'],
      ['19', '19 – Materiais e OPME'], ['20', '20 – Medicamentos'], ['98', '98 – Pacotes'], ['00', '00 – Tabela própria']]
      .map(([v, r]) => el('option', { value: v }, r)));
    const cod = campo('Código', '', { size: 10 }), desc = campo('Descrição', ''),
      dt = campo('Data', '', { placeholder: 'DD/MM/AAAA', size: 10 }), q = campo('Quantidade', '1', { size: 6 }),
      vu = campo('Valor unitário (R$)', '', { size: 10 }), vt = campo('Valor total (R$)', '', { size: 10 });
    const add = () => tenta(async () => {
      const it = { codigo_tabela: tab.value, codigo: cod.inp.value.trim(), descricao: desc.inp.value.trim(),
        data: dt.inp.value.trim(), quantidade: q.inp.value.trim(), valor_unitario: vu.inp.value.trim(),
        valor_total: vt.inp.value.trim() };
      for (const k of Object.keys(it)) if (it[k] === '') delete it[k];
      await muda(id, 'PATCH', '/api/guias/' + id, { alteracao: { itens: [it] } }, 'Item acrescentado', recarrega);
    });
    return el('details', { class: 'guia-edicao' }, el('summary', {}, 'Acrescentar um item'),
      el('div', { class: 'filtros' }, el('label', { for: tab.id }, 'Tabela', tab), cod.label, desc.label, dt.label,
        q.label, vu.label, vt.label, el('button', { id: 'item-acrescentar', onclick: add }, 'Acrescentar')));
  }

  function formCorrigir(g, id, recarrega) {
    const ins = CAMPOS.map(([c, r, t]) => {
      const ini = paraTela(pega(g, c), t);
      return { c, ini, ...campo(r, ini, { dataset: null, placeholder: t === 'data' ? 'DD/MM/AAAA' : null,
        size: t === 'data' ? 10 : 18 }) };
    });
    const motivo = campo('Motivo (opcional)', '', { size: 30 });
    for (const x of ins) x.inp.dataset.campo = x.c;
    const salvar = () => tenta(async () => {
      const campos = {};
      for (const x of ins) if (x.inp.value.trim() !== x.ini) campos[x.c] = x.inp.value.trim();
      if (!Object.keys(campos).length) { aviso('Nada mudou: altere algum campo antes de salvar.', true); return; }
      const corpo = { campos };
      if (motivo.inp.value.trim()) corpo.motivo = motivo.inp.value.trim();
      await muda(id, 'PATCH', '/api/guias/' + id, corpo, 'Guia corrigida', recarrega);
    });
    return el('details', { class: 'guia-edicao', id: 'guia-corrigir' }, el('summary', {}, 'Corrigir a guia'),
      el('div', { class: 'filtros' }, ins.map(x => x.label), motivo.label,
        el('button', { class: 'primario', id: 'guia-salvar', onclick: salvar }, 'Salvar correção')));
  }

  function formCancelar(g, id, recarrega) {
    const motivo = campo('Motivo do cancelamento', '', { size: 40, id: 'cancelar-motivo' });
    return el('details', { class: 'guia-edicao', id: 'guia-cancelar' }, el('summary', {}, 'Cancelar a guia'),
      el('p', { class: 'meta' }, 'A guia cancelada sai da conferência e dos lotes; o motivo fica no histórico.'),
      el('div', { class: 'filtros' }, motivo.label,
        el('button', { class: 'perigo', id: 'cancelar-confirmar', onclick: () => tenta(async () => {
          if (!confirm(`Cancelar a guia ${g.numero_prestador}?`)) return;
          await muda(id, 'POST', `/api/guias/${id}/cancelar`, { motivo: motivo.inp.value.trim() }, 'Guia cancelada', recarrega);
        }) }, 'Cancelar guia')));
  }

  async function historico(id) {
    const r = await api('GET', `/api/guias/${id}/historico`);
    return el('div', { id: 'guia-historico', class: 'historico' }, tabela(r.revisoes, [
      { t: 'Revisão', v: x => x.revisao, num: true }, { t: 'Quando', v: x => dataHora(x.em) },
      { t: 'Quem', v: x => x.usuario || '—' }, { t: 'O quê', v: x => ACOES[x.acao] || rotulo('acao', x.acao) },
      { t: 'Motivo', v: x => x.motivo || x.origem || '—' },
      { t: 'Campo: antes → depois', v: x => (x.alteracoes || []).length
        ? el('ul', {}, x.alteracoes.map(a => el('li', {}, `${a.rotulo}: ${a.de_texto || '—'} → ${a.para_texto || '—'}`)))
        : '—' }]));
  }

  function tamanho(b) {
    if (b < 1024) return `${b} bytes`;
    const kb = b / 1024;
    return kb < 1024 ? `${kb.toLocaleString('pt-BR', { maximumFractionDigits: 1 })} KB`
      : `${(kb / 1024).toLocaleString('pt-BR', { maximumFractionDigits: 1 })} MB`;
  }

  async function anexos(g, id, recarrega) {
    const r = await api('GET', `/api/guias/${id}/anexos`);
    const tipo = el('select', { id: 'anexo-tipo' }, TIPOS_ANEXO.map(([v, t]) => el('option', { value: v }, t)));
    const arq = el('input', { id: 'anexo-arquivo', type: 'file', accept: 'application/pdf,image/png,image/jpeg' });
    const enviar = () => tenta(async () => {
      const f = arq.files[0];
      if (!f) throw new Error('escolha o arquivo (PDF, PNG ou JPEG)');
      const a = await api('POST', `/api/guias/${id}/anexos`, { body: await f.arrayBuffer(),
        tipo: f.type || 'application/octet-stream', query: { tipo: tipo.value, arquivo: f.name } });
      /* an attachment can clear an operator's requirement: the guia is
       * checked again at once, as after any change */
      await api('POST', '/api/conferir', { json: { guia_id: Number(id), todas: true } });
      aviso(`Anexo ${a.nome} gravado; guia conferida de novo.`);
      recarrega();
    });
    return el('div', { id: 'guia-anexos' },
      tabela(r.anexos, [{ t: 'Tipo', v: a => a.tipo_rotulo || rotulo('anexo', a.tipo) }, { t: 'Arquivo', v: a => a.nome },
        { t: 'Tamanho', v: a => tamanho(a.tamanho), num: true }, { t: 'Anexado em', v: a => dataHora(a.criado_em) },
        { t: 'Por', v: a => a.criado_por || '—' },
        { t: 'Baixar', v: a => el('button', { class: 'link', 'aria-label': `Baixar ${a.nome}`,
          onclick: () => tenta(() => Faturo.baixar('/api/anexos/' + a.id, a.nome)) }, 'baixar') }]),
      g.status === 'cancelada' ? null : el('div', { class: 'filtros', style: 'margin-top:8px' },
        el('label', { for: 'anexo-tipo' }, 'Tipo do anexo', tipo), el('label', { for: 'anexo-arquivo' }, 'Arquivo (PDF, PNG ou JPEG, até 10 MB)', arq),
        el('button', { id: 'anexo-enviar', onclick: enviar }, 'Anexar')));
  }

  /* Everything the detail of guia id (its JSON g) adds below the findings. */
  async function secoes(main, g, id, recarrega) {
    const m = ultima.get(String(id));
    const topo = main.querySelector('h1');
    if (m && topo) topo.after(rechecagem(m));
    const partes = [];
    if (g.status !== 'cancelada') {
      partes.push(formNovoItem(id, recarrega), formCorrigir(g, id, recarrega), formCancelar(g, id, recarrega));
    }
    const [h, a] = await Promise.all([historico(id), anexos(g, id, recarrega)]);
    main.append(...partes, el('h2', {}, 'Anexos'), a, el('h2', {}, 'Histórico'), h);
  }

  /* The print link: the engine's printable guia in a new tab. */
  function imprimir(id) {
    return el('a', { class: 'botao', id: 'guia-imprimir', href: `/api/guias/${id}/impressao`, target: '_blank',
      rel: 'noopener' }, 'Imprimir');
  }

  Faturo.guiaEdicao = { secoes, acoesItem, imprimir, quantidade };
})();
