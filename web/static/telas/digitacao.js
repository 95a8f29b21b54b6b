/* Digitação: a guia typed by hand in the four TISS forms (consulta, SP/SADT,
 * honorários, resumo de internação), laid out by the numbered fields of the
 * ANS form. The engine evaluates the form as it is typed (POST
 * /api/digitacao/avaliar) and says what is wrong; this screen only collects
 * the fields into the guia's JSON form (docs/formatos.md) and shows the
 * answer. Drafts (rascunhos) keep an unfinished form. */
'use strict';
(() => {
  const { el, limpa, reais, data, dataHora, documento, rotulo, api, tabela, selo, tenta, aviso } = Faturo;

  const TIPOS = [['consulta', 'Consulta'], ['sp-sadt', 'SP/SADT'], ['honorarios', 'Honorários'],
    ['resumo-internacao', 'Resumo de internação']];

  /* code lists of the TISS terminology the forms offer (value, pt-BR label) */
  const OPCOES = {
    simnao: [['', '—'], ['false', 'Não'], ['true', 'Sim']],
    sexo: [['', '—'], ['F', 'Feminino'], ['M', 'Masculino'], ['I', 'Indeterminado']],
    conselho: [['', '—'], ['CRM', 'CRM'], ['CRO', 'CRO'], ['COREN', 'COREN'], ['CRF', 'CRF'],
      ['CRFA', 'CRFa'], ['CREFITO', 'CREFITO'], ['CRN', 'CRN'], ['CRP', 'CRP'], ['CRAS', 'CRESS'],
      ['OUT', 'Outro']],
    carater: [['', '—'], ['1', '1 – Eletivo'], ['2', '2 – Urgência/emergência']],
    acidente: [['', '—'], ['0', '0 – Trabalho'], ['1', '1 – Trânsito'], ['2', '2 – Outros acidentes'],
      ['9', '9 – Não acidente']],
    tipo_consulta: [['', '—'], ['1', '1 – Primeira consulta'], ['2', '2 – Retorno'],
      ['3', '3 – Pré-natal'], ['4', '4 – Por encaminhamento']],
    tipo_atendimento: [['', '—'], ['01', '01 – Remoção'], ['02', '02 – Pequena cirurgia'],
      ['03', '03 – Outras terapias'], ['04', '04 – Consulta'], ['05', '05 – Exame ambulatorial'],
      ['06', '06 – Atendimento domiciliar'], ['07', '07 – Internação'], ['08', '08 – Quimioterapia'],
      ['09', '09 – Radioterapia'], ['10', '10 – Terapia renal substitutiva'],
      ['11', '11 – Pronto-socorro'], ['13', '13 – Pequeno atendimento']],
    regime_atendimento: [['', '—'], ['01', '01 – Ambulatorial'], ['02', '02 – Emergência'],
      ['03', '03 – Internação']],
    tipo_internacao: [['', '—'], ['1', '1 – Clínica'], ['2', '2 – Cirúrgica'], ['3', '3 – Obstétrica'],
      ['4', '4 – Pediátrica'], ['5', '5 – Psiquiátrica']],
    regime_internacao: [['', '—'], ['1', '1 – Hospitalar'], ['2', '2 – Hospital-dia'],
      ['3', '3 – Domiciliar']],
    motivo_encerramento: [['', '—'], ['11', '11 – Alta curado'], ['12', '12 – Alta melhorado'],
      ['14', '14 – Alta a pedido'], ['15', '15 – Alta com previsão de retorno'],
      ['16', '16 – Alta por evasão'], ['18', '18 – Alta por outros motivos'],
      ['21', '21 – Permanência (por características da doença)'], ['31', '31 – Transferência'],
      ['41', '41 – Óbito com declaração pelo médico assistente']],
    tabela: [['22', '22 – Procedimentos (TUSS)'], ['18', '18 – Diárias e taxas'],
      ['19', '19 – Materiais e OPME'], ['20', '20 – Medicamentos'], ['98', '98 – Pacotes'],
      ['00', '00 – Tabela própria']],
    despesa: [['material', 'Material'], ['medicamento', 'Medicamento'], ['opme', 'OPME'],
      ['taxa', 'Taxas e aluguéis'], ['diaria', 'Diária'], ['gas', 'Gases medicinais']],
    via: [['', '—'], ['1', '1 – Única'], ['2', '2 – Mesma via'], ['3', '3 – Diferentes vias']],
    tecnica: [['', '—'], ['1', '1 – Convencional'], ['2', '2 – Robótica'], ['3', '3 – Videolaparoscópica']],
    grau: [['', '—'], ['00', '00 – Cirurgião'], ['01', '01 – Primeiro auxiliar'],
      ['02', '02 – Segundo auxiliar'], ['03', '03 – Terceiro auxiliar'], ['04', '04 – Quarto auxiliar'],
      ['05', '05 – Instrumentador'], ['06', '06 – Anestesista'], ['07', '07 – Auxiliar de anestesista'],
      ['08', '08 – Consultor'], ['09', '09 – Perfusionista'], ['10', '10 – Pediatra na sala de parto'],
      ['11', '11 – Auxiliar SADT'], ['12', '12 – Clínico'], ['13', '13 – Intensivista']],
  };

  /* A field: [número no formulário da ANS | null, rótulo, caminho no JSON, tipo]. Tipos:
   * texto (default), data, hora, dinheiro, area, operadora, prestador, e os de OPCOES. */
  const F = (n, r, c, t) => ({ n, r, c, t: t || 'texto' });
  const BENEF = (n) => [F(n[0], 'Número da carteira', 'carteira_numero'),
    F(n[1], 'Validade da carteira', 'carteira_validade', 'data'),
    F(n[2], 'Atendimento a RN', 'atendimento_rn', 'simnao'),
    F(n[3], 'Nome do beneficiário', 'beneficiario.nome'),
    F(n[4], 'Cartão Nacional de Saúde', 'cns'),
    F(null, 'CPF do beneficiário', 'beneficiario.cpf'),
    F(null, 'Nascimento', 'beneficiario.nascimento', 'data'),
    F(null, 'Sexo', 'beneficiario.sexo', 'sexo')];
  const PROF = (n, quem, rot) => [F(n[0], rot, quem + '.nome'),
    F(n[1], 'Conselho profissional', quem + '.conselho', 'conselho'),
    F(n[2], 'Número no conselho', quem + '.numero_conselho'), F(n[3], 'UF', quem + '.uf'),
    F(n[4], 'Código CBO', quem + '.cbo')];
  const CONTRATADO = (n) => [F(n[0], 'Código na operadora', 'prestador.codigo_na_operadora'),
    F(n[1], 'Contratado (prestador)', 'prestador', 'prestador')];

  /* Sections of each form: [título, campos, busca?] ('beneficiario' or a
   * profissional's path: a look-up box above the section) */
  const FORMULARIOS = {
    consulta: {
      secoes: [
        ['Cabeçalho', [F(1, 'Registro ANS', 'operadora.registro_ans', 'operadora'),
          F(2, 'Nº da guia no prestador', 'numero_prestador'),
          F(3, 'Nº da guia atribuído pela operadora', 'numero_operadora')]],
        ['Dados do beneficiário', BENEF([4, 5, 6, 7, 8]), 'beneficiario'],
        ['Dados do contratado', [...CONTRATADO([9, 10]),
          ...PROF([12, 13, 14, 15, 16], 'executante', 'Nome do profissional executante')], 'executante'],
        ['Dados do atendimento', [F(17, 'Indicação de acidente', 'indicacao_acidente', 'acidente'),
          F(18, 'Data do atendimento', 'data_inicio', 'data'),
          F(19, 'Tipo de consulta', 'tipo_consulta', 'tipo_consulta'), F(null, 'CID-10', 'cid')]],
      ],
      procedimentos: { titulo: 'Procedimento realizado', max: 1, n: { tabela: 20, codigo: 21, valor_unitario: 22 },
        colunas: ['tabela', 'codigo', 'descricao', 'valor_unitario'] },
      fim: [F(23, 'Observação / justificativa', 'observacao', 'area')],
    },
    'sp-sadt': {
      secoes: [
        ['Cabeçalho', [F(1, 'Registro ANS', 'operadora.registro_ans', 'operadora'),
          F(2, 'Nº da guia no prestador', 'numero_prestador'), F(3, 'Nº da guia principal', 'numero_principal'),
          F(4, 'Data da autorização', 'data_autorizacao', 'data'), F(5, 'Senha', 'senha'),
          F(6, 'Validade da senha', 'validade_senha', 'data'),
          F(7, 'Nº da guia atribuído pela operadora', 'numero_operadora')]],
        ['Dados do beneficiário', BENEF([8, 9, 12, 10, 11]), 'beneficiario'],
        ['Dados do solicitante', PROF([15, 16, 17, 18, 19], 'solicitante', 'Nome do profissional solicitante'),
          'solicitante'],
        ['Dados da solicitação', [F(21, 'Caráter do atendimento', 'carater_atendimento', 'carater'),
          F(22, 'Data da solicitação', 'data_solicitacao', 'data'),
          F(23, 'Indicação clínica', 'indicacao_clinica'), F(null, 'CID-10', 'cid')]],
        ['Dados do contratado executante', [...CONTRATADO([29, 30]),
          ...PROF([51, 52, 53, 54, 55], 'executante', 'Nome do profissional executante')], 'executante'],
        ['Dados do atendimento', [F(32, 'Tipo de atendimento', 'tipo_atendimento', 'tipo_atendimento'),
          F(33, 'Indicação de acidente', 'indicacao_acidente', 'acidente'),
          F(34, 'Tipo de consulta', 'tipo_consulta', 'tipo_consulta'),
          F(35, 'Motivo de encerramento', 'motivo_encerramento', 'motivo_encerramento'),
          F(null, 'Regime de atendimento', 'regime_atendimento', 'regime_atendimento'),
          F(36, 'Data de realização', 'data_inicio', 'data')]],
      ],
      procedimentos: { titulo: 'Procedimentos e exames realizados', sessoes: true,
        n: { data: 36, hora_inicio: 37, hora_fim: 38, tabela: 39, codigo: 40, descricao: 41, quantidade: 42,
          via_acesso: 43, tecnica: 44, fator: 45, valor_unitario: 46, valor_total: 47, sessoes: 56 },
        colunas: ['data', 'hora_inicio', 'hora_fim', 'tabela', 'codigo', 'descricao', 'quantidade',
          'via_acesso', 'tecnica', 'fator', 'valor_unitario', 'valor_total', 'sessoes'] },
      despesas: true,
      fim: [F(57, 'Assinatura do beneficiário ou responsável', 'assinatura_beneficiario', 'simnao'),
        F(null, 'Pedido médico', 'pedido_medico', 'simnao'), F(null, 'Laudo', 'laudo', 'simnao'),
        F(58, 'Observação / justificativa', 'observacao', 'area')],
    },
    honorarios: {
      secoes: [
        ['Cabeçalho', [F(1, 'Registro ANS', 'operadora.registro_ans', 'operadora'),
          F(2, 'Nº da guia no prestador', 'numero_prestador'),
          F(3, 'Nº da guia de solicitação de internação', 'numero_principal'), F(4, 'Senha', 'senha'),
          F(5, 'Nº da guia atribuído pela operadora', 'numero_operadora')]],
        ['Dados do beneficiário', BENEF([6, null, 8, 7, null]), 'beneficiario'],
        ['Dados do contratado executante', CONTRATADO([12, 13])],
        ['Dados da internação', [F(15, 'Início do faturamento', 'data_inicio', 'data'),
          F(16, 'Fim do faturamento', 'data_fim', 'data')]],
      ],
      procedimentos: { titulo: 'Procedimentos realizados', profissional: true,
        n: { data: 17, hora_inicio: 18, hora_fim: 19, tabela: 20, codigo: 21, descricao: 22, quantidade: 23,
          via_acesso: 24, tecnica: 25, fator: 26, valor_unitario: 27, valor_total: 28, grau_participacao: 30 },
        colunas: ['data', 'hora_inicio', 'hora_fim', 'tabela', 'codigo', 'descricao', 'quantidade',
          'via_acesso', 'tecnica', 'fator', 'valor_unitario', 'valor_total', 'grau_participacao'] },
      fim: [F(37, 'Observação / justificativa', 'observacao', 'area')],
    },
    'resumo-internacao': {
      secoes: [
        ['Cabeçalho', [F(1, 'Registro ANS', 'operadora.registro_ans', 'operadora'),
          F(2, 'Nº da guia no prestador', 'numero_prestador'),
          F(3, 'Nº da guia de solicitação de internação', 'numero_principal'),
          F(4, 'Data da autorização', 'data_autorizacao', 'data'), F(5, 'Senha', 'senha'),
          F(6, 'Validade da senha', 'validade_senha', 'data'),
          F(7, 'Nº da guia atribuído pela operadora', 'numero_operadora')]],
        ['Dados do beneficiário', BENEF([8, 9, 12, 10, 11]), 'beneficiario'],
        ['Dados do contratado executante', CONTRATADO([13, 14])],
        ['Dados da internação', [F(16, 'Caráter do atendimento', 'carater_atendimento', 'carater'),
          F(18, 'Início do faturamento', 'data_inicio', 'data'), F(19, 'Hora do início', 'hora_inicio', 'hora'),
          F(20, 'Fim do faturamento', 'data_fim', 'data'), F(21, 'Hora do fim', 'hora_fim', 'hora'),
          F(22, 'Tipo de internação', 'tipo_internacao', 'tipo_internacao'),
          F(23, 'Regime de internação', 'regime_internacao', 'regime_internacao')]],
        ['Dados da saída da internação', [F(24, 'CID-10 principal', 'cid'),
          F(25, 'CIDs secundários (separados por vírgula)', 'cid_secundarios'),
          F(28, 'Indicação de acidente', 'indicacao_acidente', 'acidente'),
          F(29, 'Motivo de encerramento', 'motivo_encerramento', 'motivo_encerramento')]],
      ],
      procedimentos: { titulo: 'Procedimentos e exames realizados', profissional: true,
        n: { data: 34, hora_inicio: 35, hora_fim: 36, tabela: 37, codigo: 38, descricao: 39, quantidade: 40,
          via_acesso: 41, tecnica: 42, fator: 43, valor_unitario: 44, valor_total: 45, grau_participacao: 47 },
        colunas: ['data', 'hora_inicio', 'hora_fim', 'tabela', 'codigo', 'descricao', 'quantidade',
          'via_acesso', 'tecnica', 'fator', 'valor_unitario', 'valor_total', 'grau_participacao'] },
      despesas: true,
      fim: [F(65, 'Observação / justificativa', 'observacao', 'area')],
    },
  };

  /* item columns: path in the item, label, field type */
  const COLUNAS = {
    data: ['Data', 'data'], hora_inicio: ['Hora inicial', 'hora'], hora_fim: ['Hora final', 'hora'],
    tabela: ['Tabela', 'tabela'], codigo: ['Código do procedimento', 'codigo'], descricao: ['Descrição', 'texto'],
    quantidade: ['Quantidade', 'texto'], via_acesso: ['Via', 'via'], tecnica: ['Técnica', 'tecnica'],
    fator: ['Fator red./acrésc.', 'texto'], valor_unitario: ['Valor unitário (R$)', 'dinheiro'],
    valor_total: ['Valor total (R$)', 'dinheiro'], grau_participacao: ['Grau de participação', 'grau'],
    sessoes: ['Datas das sessões (DD/MM/AAAA, separadas por vírgula)', 'sessoes'],
    unidade_medida: ['Unidade de medida', 'texto'], registro_anvisa: ['Registro ANVISA', 'texto'],
    codigo_fabricante: ['Referência no fabricante', 'texto'],
  };
  const COLUNAS_DESPESA = ['tipo', 'data', 'hora_inicio', 'hora_fim', 'tabela', 'codigo', 'quantidade',
    'unidade_medida', 'fator', 'valor_unitario', 'valor_total', 'registro_anvisa', 'codigo_fabricante',
    'descricao'];
  const N_DESPESA = { tipo: 6, data: 7, hora_inicio: 8, hora_fim: 9, tabela: 10, codigo: 11, quantidade: 12,
    unidade_medida: 13, fator: 14, valor_unitario: 15, valor_total: 16, registro_anvisa: 17,
    codigo_fabricante: 18, descricao: 20 };

  /* ---------------------------------------------------- the form's state */

  function pega(obj, caminho) {
    return caminho.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), obj);
  }
  function poe(obj, caminho, v) {
    const ks = caminho.split('.');
    let o = obj;
    for (const k of ks.slice(0, -1)) { if (!o[k] || typeof o[k] !== 'object') o[k] = {}; o = o[k]; }
    const ult = ks[ks.length - 1];
    if (v === '' || v === null || v === undefined) delete o[ult]; else o[ult] = v;
  }
  /* the guia's JSON form without empty objects and with items in the order
   * shown (procedures, then outras despesas): that order is the items' número */
  function formulario(st) {
    const g = JSON.parse(JSON.stringify(st.guia));
    const limpaVazios = (o) => {
      for (const [k, v] of Object.entries(o)) {
        if (v && typeof v === 'object' && !Array.isArray(v)) { limpaVazios(v); if (!Object.keys(v).length) delete o[k]; }
      }
    };
    g.tipo = st.tipo;
    g.itens = [...st.procs, ...(FORMULARIOS[st.tipo].despesas ? st.despesas : [])].map(i => {
      const c = JSON.parse(JSON.stringify(i));
      if (!c.tipo) c.tipo = 'procedimento';
      /* the consulta form has no quantity field: one consultation */
      if (FORMULARIOS[st.tipo].procedimentos.max === 1 && c.quantidade === undefined) c.quantidade = '1';
      if (typeof c.sessoes === 'string') {
        const ds = c.sessoes.split(/[\s,;]+/).filter(Boolean);
        if (ds.length) { c.sessoes = ds; delete c.data; } else delete c.sessoes;
      }
      limpaVazios(c);
      return c;
    });
    limpaVazios(g);
    return g;
  }

  /* ---------------------------------------------------------- widgets */

  let nCampo = 0;
  function campoId() { nCampo += 1; return 'dig-c' + nCampo; }

  function opcoes(lista, valor) {
    return lista.map(([v, r]) => el('option', { value: v, selected: String(valor ?? '') === v }, r));
  }

  /* One labelled input bound to obj[caminho] (the label carries the ANS
   * number); aoMudar runs after each change. */
  function entrada(f, obj, aoMudar, ctx) {
    const id = campoId();
    const v = pega(obj, f.c);
    let inp;
    const muda = (val) => { poe(obj, f.c, val); aoMudar(); };
    if (f.t === 'operadora') {
      inp = el('select', { id }, el('option', { value: '' }, '— escolha —'),
        ctx.operadoras.map(o => el('option', { value: o.registro_ans, selected: o.registro_ans === v },
          `${o.registro_ans} – ${o.nome}`)));
      inp.addEventListener('change', () => muda(inp.value));
    } else if (f.t === 'prestador') {
      const atual = obj.prestador || {};
      inp = el('select', { id }, el('option', { value: '' }, '— escolha —'),
        ctx.prestadores.map(p => {
          const chave = p.cnpj ? 'cnpj:' + p.cnpj : 'cpf:' + p.cpf;
          const sel = (p.cnpj && p.cnpj === atual.cnpj) || (p.cpf && p.cpf === atual.cpf);
          return el('option', { value: chave, selected: !!sel }, `${p.nome} (${documento(p.cnpj || p.cpf)})`);
        }));
      inp.addEventListener('change', () => {
        const p = obj.prestador || (obj.prestador = {});
        delete p.cnpj; delete p.cpf;
        const [k, d] = inp.value.split(':');
        if (k) p[k] = d;
        aoMudar();
      });
    } else if (OPCOES[f.t]) {
      const atual = typeof v === 'boolean' ? String(v) : v;
      inp = el('select', { id }, opcoes(OPCOES[f.t], atual));
      inp.addEventListener('change', () => muda(f.t === 'simnao' ? (inp.value === '' ? '' : inp.value === 'true') : inp.value));
    } else if (f.t === 'area') {
      inp = el('textarea', { id, rows: 2, cols: 60 });
      inp.value = v || '';
      inp.addEventListener('input', () => muda(inp.value));
    } else {
      const ph = { data: 'DD/MM/AAAA', hora: 'HH:MM', dinheiro: '0,00' }[f.t];
      inp = el('input', { id, placeholder: ph || null, inputmode: f.t === 'dinheiro' ? 'decimal' : null,
        size: f.t === 'data' ? 10 : f.t === 'hora' ? 5 : f.t === 'dinheiro' ? 10 : null });
      /* what the user reads: DD/MM/AAAA even for a date stored as AAAA-MM-DD */
      const mostra = (x) => (f.t === 'data' && /^\d{4}-\d{2}-\d{2}$/.test(x) ? data(x) : x);
      inp.value = Array.isArray(v) ? v.map(mostra).join(', ') : mostra(v ?? '');
      inp.addEventListener('input', () => muda(inp.value.trim()));
    }
    inp.dataset.campo = f.c;
    return el('label', { for: id, class: 'dig-campo dig-' + f.t },
      el('span', {}, f.n ? el('b', { class: 'dig-n' }, f.n + ' ') : null, f.r), inp);
  }

  /* A look-up box: text -> GET url?termo= -> a list of buttons; escolher(row). */
  function busca(rotuloTexto, url, extra, linha, escolher) {
    const id = campoId();
    const inp = el('input', { id, type: 'search', autocomplete: 'off', size: 28,
      placeholder: 'digite 2 letras ou números' });
    const lista = el('ul', { class: 'dig-sugestoes', role: 'listbox' });
    let timer = null, seq = 0;
    inp.addEventListener('input', () => {
      clearTimeout(timer);
      const termo = inp.value.trim();
      if (termo.length < 2) { limpa(lista); return; }
      timer = setTimeout(() => tenta(async () => {
        const n = ++seq;
        const r = await api('GET', url, { query: { termo, ...(extra ? extra() : {}) } });
        if (n !== seq) return;
        const rows = Object.values(r).find(Array.isArray) || [];
        limpa(lista).append(...(rows.length ? rows.map(x => el('li', {},
          el('button', { type: 'button', class: 'link', onclick: () => { escolher(x); limpa(lista); inp.value = ''; } },
            linha(x)))) : [el('li', { class: 'meta' }, 'nada encontrado')]));
      }), 300);
    });
    return el('div', { class: 'dig-busca' }, el('label', { for: id }, rotuloTexto, inp), lista);
  }

  /* ----------------------------------------------------------- screen */

  async function render(main, params) {
    const [ops, prest] = await Promise.all([api('GET', '/api/operadoras'), api('GET', '/api/prestadores')]);
    const ctx = { operadoras: ops.operadoras, prestadores: prest.prestadores };
    const st = { tipo: 'sp-sadt', guia: {}, procs: [{ quantidade: '1' }], despesas: [], rascunho: 0 };
    if (ctx.prestadores.length === 1) {
      const p = ctx.prestadores[0];
      st.guia.prestador = p.cnpj ? { cnpj: p.cnpj } : { cpf: p.cpf };
    }
    const rid = Number(params[0]) || 0;
    if (rid) {
      const r = await api('GET', '/api/digitacao/rascunhos/' + rid);
      carregaForm(st, r.rascunho.guia || {});
      st.rascunho = rid;
    }

    const tipoSel = el('select', { id: 'dig-tipo' }, TIPOS.map(([v, r]) => el('option', { value: v }, r)));
    const formBox = el('div', { id: 'dig-form' });
    const achadosBox = el('div', { id: 'dig-achados', 'aria-live': 'polite' });
    const estado = el('p', { id: 'dig-estado', class: 'meta' });
    const rascBox = el('div', { id: 'dig-rascunhos' });

    let timer = null, seq = 0;
    /* the items' números as the engine will count them: a procedure with N
     * session dates is N items; outras despesas come after the procedures */
    const renumera = () => {
      let n = 1;
      const conta = (it) => {
        const ds = typeof it.sessoes === 'string' ? it.sessoes.split(/[\s,;]+/).filter(Boolean).length : 0;
        return Math.max(ds, 1);
      };
      const itens = [...st.procs, ...(FORMULARIOS[st.tipo].despesas ? st.despesas : [])];
      const caixas = formBox.querySelectorAll('.dig-item .dig-item-cab b');
      itens.forEach((it, i) => {
        const k = conta(it);
        if (caixas[i]) caixas[i].textContent = k > 1 ? `Itens ${n} a ${n + k - 1} (${k} sessões)` : `Item ${n}`;
        n += k;
      });
    };
    const avaliar = () => {
      renumera();
      clearTimeout(timer);
      estado.textContent = 'conferindo…';
      timer = setTimeout(() => tenta(async () => {
        const n = ++seq;
        const r = await api('POST', '/api/digitacao/avaliar', { json: { guia: formulario(st) } });
        if (n === seq) mostraAvaliacao(r);
      }), 400);
    };

    function mostraAvaliacao(r) {
      limpa(achadosBox);
      for (const x of formBox.querySelectorAll('.com-achado')) x.classList.remove('com-achado');
      const marca = (campo) => {
        if (!campo) return;
        const alvo = formBox.querySelector(`[data-campo="${CSS.escape(campo)}"]`);
        if (alvo) alvo.closest('label').classList.add('com-achado');
      };
      if (!r.valido) {
        estado.textContent = 'O formulário ainda não é uma guia:';
        achadosBox.append(...r.erros.map(e => {
          marca(e.campo);
          return el('div', { class: 'achado bloqueio' }, el('div', { class: 'cab' }, selo('falta', 'bloqueio'),
            el('span', { class: 'codigo' }, e.rotulo || e.campo || '')), el('div', {}, e.mensagem));
        }));
        return;
      }
      estado.textContent = r.pronta ? 'Pronta para conferir: nenhum bloqueio.'
        : `${r.bloqueios} bloqueio(s), ${r.alertas} alerta(s)`;
      estado.className = r.pronta ? 'ok-texto' : 'meta';
      achadosBox.append(el('div', { class: 'meta', id: 'dig-total' }, 'Valor total pelo contrato: ', reais(r.valor_total),
        r.valor_risco ? ` · em risco ${reais(r.valor_risco)}` : ''),
      ...(r.erro ? [el('p', { class: 'aviso erro' }, r.erro)] : []),
      ...(r.precos || []).map(p => el('div', { class: 'meta dig-preco' },
        `item ${p.item}: ${reais(p.valor_unitario)} cada, ${reais(p.valor_total)} pelo contrato`)),
      ...r.achados.map(a => {
        marca(a.campo);
        return el('div', { class: 'achado ' + a.severidade, dataset: { codigo: a.codigo } },
          el('div', { class: 'cab' }, selo(rotulo('severidade', a.severidade), a.severidade),
            el('span', { class: 'codigo' }, a.rotulo || a.codigo),
            a.item ? el('span', { class: 'meta' }, 'item ' + a.item) : null,
            a.valor_risco ? el('span', { class: 'meta' }, 'em risco ' + reais(a.valor_risco)) : null),
          el('div', {}, a.mensagem), el('div', { class: 'meta' }, a.codigo));
      }));
    }

    function desenha() {
      const def = FORMULARIOS[st.tipo];
      tipoSel.value = st.tipo;
      limpa(formBox);
      for (const [titulo, campos, qual] of def.secoes) {
        const fs = el('fieldset', { class: 'dig-secao' }, el('legend', {}, titulo));
        if (qual === 'beneficiario') {
          fs.append(busca('Buscar beneficiário (nome, CPF, CNS ou carteira)', '/api/busca/beneficiarios',
            () => ({ operadora: pega(st.guia, 'operadora.registro_ans') || '' }),
            b => `${b.nome} · CPF ${documento(b.cpf)}${b.carteiras && b.carteiras[0] ? ' · carteira ' + b.carteiras[0].numero : ''}`,
            b => {
              st.guia.beneficiario = { nome: b.nome, cpf: b.cpf ? documento(b.cpf) : undefined, cns: b.cns,
                nascimento: b.nascimento ? data(b.nascimento) : undefined, sexo: b.sexo };
              const op = pega(st.guia, 'operadora.registro_ans');
              const c = (b.carteiras || []).find(x => !op || x.registro_ans === op) || (b.carteiras || [])[0];
              if (c) { st.guia.carteira_numero = c.numero; st.guia.carteira_validade = c.validade ? data(c.validade) : undefined; }
              if (b.cns) st.guia.cns = b.cns;
              desenha(); avaliar();
            }));
        } else if (qual) {
          fs.append(busca('Buscar profissional (nome, CPF ou conselho)', '/api/busca/profissionais', null,
            p => `${p.nome} · ${p.conselho || ''} ${p.numero_conselho || ''}/${p.uf || ''}`,
            p => {
              st.guia[qual] = { nome: p.nome, cpf: p.cpf, conselho: p.conselho, numero_conselho: p.numero_conselho,
                uf: p.uf, cbo: p.cbo };
              desenha(); avaliar();
            }));
        }
        fs.append(el('div', { class: 'dig-grade' }, campos.map(f => entrada(f, st.guia, avaliar, ctx))));
        formBox.append(fs);
      }
      formBox.append(itens(def.procedimentos, st.procs, 0, false));
      if (def.despesas) formBox.append(itens({ titulo: 'Outras despesas', colunas: COLUNAS_DESPESA, n: N_DESPESA },
        st.despesas, st.procs.length, true));
      formBox.append(el('fieldset', { class: 'dig-secao' }, el('legend', {}, 'Fechamento'),
        el('div', { class: 'dig-grade' }, def.fim.map(f => entrada(f, st.guia, avaliar, ctx)))));
    }

    /* the items of one table; base = how many items come before (número) */
    function itens(def, lista, base, despesa) {
      const fs = el('fieldset', { class: 'dig-secao dig-itens', dataset: { itens: despesa ? 'despesas' : 'procedimentos' } },
        el('legend', {}, def.titulo));
      lista.forEach((it, i) => {
        const num = base + i + 1;
        const cols = def.colunas.map(c => {
          if (c === 'tipo') return entrada(F(def.n.tipo, 'Tipo de despesa (CD)', 'tipo', 'despesa'), it, avaliar, ctx);
          if (c === 'tabela') {
            if (!it.codigo_tabela) it.codigo_tabela = despesa ? '19' : '22';
            return entrada(F(def.n.tabela, 'Tabela', 'codigo_tabela', 'tabela'), it, avaliar, ctx);
          }
          if (c === 'codigo') return codigoItem(def.n.codigo, it, despesa);
          const [r, t] = COLUNAS[c];
          return entrada(F(def.n[c], r, c, t), it, avaliar, ctx);
        });
        if (def.profissional) {
          const p = it.profissional || {};
          cols.push(el('div', { class: 'dig-prof' },
            busca(`Profissional do item ${num}`, '/api/busca/profissionais', null,
              x => `${x.nome} · ${x.conselho || ''} ${x.numero_conselho || ''}/${x.uf || ''}`,
              x => {
                it.profissional = { nome: x.nome, cpf: x.cpf, conselho: x.conselho, numero_conselho: x.numero_conselho,
                  uf: x.uf, cbo: x.cbo };
                desenha(); avaliar();
              }),
            el('span', { class: 'meta dig-prof-nome' }, p.nome ? `${p.nome} (${p.conselho || ''} ${p.numero_conselho || ''})` : 'nenhum profissional escolhido')));
        }
        const podeRemover = !def.max || lista.length > 1;
        fs.append(el('div', { class: 'dig-item', dataset: { numero: num } },
          el('div', { class: 'dig-item-cab' }, el('b', {}, `Item ${num}`),
            podeRemover ? el('button', { type: 'button', class: 'link', 'aria-label': `Remover item ${num}`,
              onclick: () => { lista.splice(i, 1); desenha(); avaliar(); } }, 'remover') : null),
          el('div', { class: 'dig-grade' }, cols)));
      });
      if (!def.max || lista.length < def.max) {
        fs.append(el('button', { type: 'button', class: 'dig-mais', onclick: () => {
          lista.push(despesa ? { tipo: 'material', quantidade: '1' } : { quantidade: '1' }); desenha(); avaliar();
        } }, despesa ? '+ outra despesa' : '+ procedimento'));
      }
      return fs;
    }

    /* the code of an item with its autocomplete from the loaded tables */
    function codigoItem(n, it, despesa) {
      const id = campoId();
      const inp = el('input', { id, autocomplete: 'off', size: 12, role: 'combobox', 'aria-autocomplete': 'list' });
      inp.value = it.codigo || '';
      inp.dataset.campo = 'codigo';
      const lista = el('ul', { class: 'dig-sugestoes', role: 'listbox' });
      let timer = null;
      inp.addEventListener('input', () => {
        poe(it, 'codigo', inp.value.trim());
        avaliar();
        clearTimeout(timer);
        const termo = inp.value.trim();
        if (termo.length < 2) { limpa(lista); return; }
        timer = setTimeout(() => tenta(async () => {
          const r = await api('GET', '/api/busca/procedimentos', { query: { termo,
            tabela: it.codigo_tabela && it.codigo_tabela !== '00' && it.codigo_tabela !== '98' ? it.codigo_tabela : '' } });
          limpa(lista).append(...r.procedimentos.map(p => el('li', {}, el('button', { type: 'button', class: 'link',
            onclick: () => {
              it.codigo = p.codigo; it.codigo_tabela = p.tabela; it.descricao = p.descricao;
              limpa(lista); desenha(); avaliar();
            } }, `${p.codigo} – ${p.descricao} (tabela ${p.tabela})`))));
        }), 300);
      });
      return el('div', { class: 'dig-codigo' },
        el('label', { for: id, class: 'dig-campo' }, el('span', {}, n ? el('b', { class: 'dig-n' }, n + ' ') : null,
          despesa ? 'Código do item' : 'Código do procedimento'), inp), lista);
    }

    async function listaRascunhos() {
      const r = await api('GET', '/api/digitacao/rascunhos');
      limpa(rascBox);
      if (!r.rascunhos.length) return;
      rascBox.append(el('h2', {}, 'Rascunhos'), tabela(r.rascunhos, [
        { t: 'Nº', v: x => x.id }, { t: 'Tipo', v: x => rotulo('tipo', x.tipo) },
        { t: 'Operadora', v: x => x.operadora || x.registro_ans || '—' },
        { t: 'Guia no prestador', v: x => x.numero_prestador || '—' },
        { t: 'Beneficiário', v: x => x.beneficiario_nome || '—' },
        { t: 'Alterado em', v: x => dataHora(x.atualizado_em) }, { t: 'Por', v: x => x.atualizado_por || x.criado_por },
        { t: 'Ações', v: x => el('span', {},
          el('a', { href: '#/digitacao/' + x.id }, 'continuar'), ' ',
          el('button', { class: 'link', onclick: (ev) => { ev.stopPropagation(); tenta(async () => {
            if (!confirm(`Apagar o rascunho ${x.id}?`)) return;
            await api('DELETE', '/api/digitacao/rascunhos/' + x.id);
            aviso('Rascunho apagado.'); await listaRascunhos();
          }); } }, 'apagar')) }]));
    }

    tipoSel.addEventListener('change', () => {
      st.tipo = tipoSel.value;
      if (FORMULARIOS[st.tipo].procedimentos.max) st.procs = st.procs.slice(0, 1);
      if (!st.procs.length) st.procs.push({ quantidade: '1' });
      desenha(); avaliar();
    });
    const salvarRascunho = () => tenta(async () => {
      const g = formulario(st);
      if (st.rascunho) await api('PUT', '/api/digitacao/rascunhos/' + st.rascunho, { json: { guia: g } });
      else st.rascunho = (await api('POST', '/api/digitacao/rascunhos', { json: { guia: g } })).id;
      aviso(`Rascunho ${st.rascunho} salvo (ainda não é uma guia).`);
      await listaRascunhos();
    });
    const gravar = () => tenta(async () => {
      const r = await api('POST', '/api/digitacao', { json: { guia: formulario(st), rascunho_id: st.rascunho || null } });
      aviso(`Guia gravada: ${rotulo('guia', r.status)}` + (r.bloqueios ? `, ${r.bloqueios} bloqueio(s)` : ', pronta para lote'));
      location.hash = '#/guias/' + r.guia_id;
    });

    main.append(el('h1', {}, st.rascunho ? `Digitar guia (rascunho ${st.rascunho})` : 'Digitar guia'),
      el('div', { class: 'filtros' }, el('label', { for: 'dig-tipo' }, 'Tipo de guia', tipoSel),
        el('a', { href: '#/digitacao' }, 'nova guia')),
      el('div', { class: 'dig-layout' }, formBox,
        el('aside', { class: 'dig-lado', 'aria-label': 'Conferência enquanto digita' },
          el('h2', { style: 'margin-top:0' }, 'Conferência'), estado, achadosBox,
          el('div', { class: 'barra' },
            el('button', { id: 'dig-rascunho', type: 'button', onclick: salvarRascunho }, 'Salvar rascunho'),
            el('button', { id: 'dig-gravar', type: 'button', class: 'primario', onclick: gravar }, 'Gravar pronta para conferir')))),
      rascBox);
    desenha();
    avaliar();
    await listaRascunhos();
  }

  /* a stored form (a draft) back into the screen's state */
  function carregaForm(st, g) {
    const copia = JSON.parse(JSON.stringify(g));
    st.tipo = FORMULARIOS[copia.tipo] ? copia.tipo : 'sp-sadt';
    const its = copia.itens || [];
    delete copia.itens; delete copia.tipo;
    st.guia = copia;
    st.procs = its.filter(i => !i.tipo || i.tipo === 'procedimento')
      .map(i => (Array.isArray(i.sessoes) ? { ...i, sessoes: i.sessoes.join(', ') } : i));
    st.despesas = its.filter(i => i.tipo && i.tipo !== 'procedimento');
    if (!st.procs.length) st.procs.push({});
  }

  Faturo.tela('digitacao', { titulo: 'Digitar guia', render });
})();
