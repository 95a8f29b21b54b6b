/* faturo panel core: API calls, DOM helpers, router, login.
 * Screens register themselves with Faturo.tela(nome, {...}); see docs/painel.md.
 * Data is only ever rendered with textContent / DOM nodes, never innerHTML. */
'use strict';

const Faturo = (() => {
  const telas = {};
  const ordem = [];
  let sessao = null;

  const PAPEIS = { faturista: 1, supervisor: 2, admin: 3 };

  /* el('td', {class: 'num', onclick: fn}, 'texto', outroNo) */
  function el(tag, attrs, ...filhos) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else if (k === 'class') e.className = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k === 'value') e.value = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const f of filhos.flat(Infinity)) {
      if (f === null || f === undefined || f === false) continue;
      e.append(f instanceof Node ? f : document.createTextNode(String(f)));
    }
    return e;
  }

  function limpa(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }

  const fmtMoeda = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });
  function reais(centavos) {
    if (centavos === null || centavos === undefined || centavos === '') return '—';
    /* the guia's JSON form carries TISS decimals as text ("31.03" reais);
     * SQL listings carry integer centavos */
    if (typeof centavos === 'string') return fmtMoeda.format(Number(centavos));
    return fmtMoeda.format(Number(centavos) / 100);
  }
  /* "1.234,56" / "1234,5" / "12" -> integer centavos without floating point;
   * null when the text is not a Brazilian money value */
  function centavosDe(texto) {
    const m = /^\s*(\d{1,3}(?:\.\d{3})*|\d+)(?:,(\d{1,2}))?\s*$/.exec(String(texto));
    if (!m) return null;
    const inteiro = m[1].replace(/\./g, '');
    const frac = (m[2] || '').padEnd(2, '0');
    return Number(inteiro) * 100 + Number(frac);
  }
  /* Dates: 'AAAA-MM-DD' -> DD/MM/AAAA; UTC timestamps ('...T...Z') -> the
   * clinic's local time, DD/MM/AAAA HH:MM. The clinic's time zone is the
   * server's (GET /api/sessao: fuso, fuso_minutos; see defineFuso), the one
   * its "today" and deadlines are counted in; America/Sao_Paulo until the
   * session says otherwise or when the browser does not know the zone. */
  let FUSO = 'America/Sao_Paulo';
  const formatoDataHora = (tz) => new Intl.DateTimeFormat('pt-BR', { timeZone: tz, day: '2-digit',
    month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  let fmtDataHora = formatoDataHora(FUSO);
  /* The server's zone: its IANA name, else its offset from UTC in whole hours
   * (a POSIX TZ such as "<-03>3" has no name: Etc/GMT+3, sign reversed). */
  function defineFuso(s) {
    const candidatos = [];
    if (s && typeof s.fuso === 'string' && s.fuso) candidatos.push(s.fuso);
    if (s && Number.isInteger(s.fuso_minutos) && s.fuso_minutos % 60 === 0) {
      const h = -s.fuso_minutos / 60;
      candidatos.push(h === 0 ? 'Etc/UTC' : `Etc/GMT${h > 0 ? '+' : ''}${h}`);
    }
    for (const tz of candidatos) {
      try { fmtDataHora = formatoDataHora(tz); FUSO = tz; return; } catch (e) { /* a zone this browser does not know */ }
    }
  }
  function dataHora(s) {
    const d = new Date(s);
    if (isNaN(d)) return s;
    const p = Object.fromEntries(fmtDataHora.formatToParts(d).map(x => [x.type, x.value]));
    return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
  }
  function data(s) {
    if (!s) return '—';
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s)) return dataHora(s);
    /* SQLite's datetime('now') ('AAAA-MM-DD HH:MM:SS') is UTC too */
    if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(s)) return dataHora(s.replace(' ', 'T') + 'Z');
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    return m ? `${m[3]}/${m[2]}/${m[1]}` : s;
  }
  /* Today in the clinic's time zone as users type dates, DD/MM/AAAA (the
   * engine reads DD/MM/AAAA and AAAA-MM-DD alike; a native date input would
   * show the browser's own locale). */
  function hojeBR() {
    return new Date().toLocaleDateString('pt-BR', { timeZone: FUSO, day: '2-digit', month: '2-digit', year: 'numeric' });
  }
  /* Today in the clinic's time zone as 'AAAA-MM-DD', for API fields that take
   * an ISO day (toISOString() would give the UTC day: tomorrow after 21:00
   * in Brasília). */
  function hojeISO() {
    return hojeBR().split('/').reverse().join('-');
  }
  /* 'AAAA-MM' -> MM/AAAA */
  function competencia(s) {
    const m = /^(\d{4})-(\d{2})$/.exec(s || '');
    return m ? `${m[2]}/${m[1]}` : (s || '—');
  }
  function competenciaAnterior() {
    const d = new Date(); d.setDate(1); d.setMonth(d.getMonth() - 1);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
  }
  /* CPF 000.000.000-00, CNPJ 00.000.000/0000-00 (other text as it is) */
  function documento(s) {
    const d = String(s || '').replace(/\D/g, '');
    if (d.length === 11) return d.replace(/^(\d{3})(\d{3})(\d{3})(\d{2})$/, '$1.$2.$3-$4');
    if (d.length === 14) return d.replace(/^(\d{2})(\d{3})(\d{3})(\d{4})(\d{2})$/, '$1.$2.$3/$4-$5');
    return s || '—';
  }
  /* Quantities as users read them: 10000 (ten-thousandths) or "1.0000" ->
   * "1"; 25000 / "2.5000" -> "2,5" (no trailing zeros, decimal comma). */
  const fmtQtd = new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 4 });
  function quantidade(v, e4) {
    if (v === null || v === undefined || v === '') return '—';
    const n = e4 ? Number(v) / 10000 : Number(v);
    return isNaN(n) ? String(v) : fmtQtd.format(n);
  }
  /* Labels for the internal keys users must never read: the engine's one
   * list (GET /api/rotulos, the same words the CLI prints), loaded once per
   * session before any screen renders. Until then, or if it failed, a key
   * reads as itself with spaces for underscores. */
  let ROTULOS = {};
  async function carregaRotulos() {
    try { ROTULOS = await api('GET', '/api/rotulos'); } catch (e) { ROTULOS = {}; }
  }
  function rotulo(tipo, chave) {
    if (chave === null || chave === undefined || chave === '') return '—';
    const t = ROTULOS[tipo];
    return (t && t[chave]) || String(chave).replace(/_/g, ' ');
  }
  /* Colours that mean the right thing: an indevida glosa is money to
   * recover ('recuperar'), not an error; a devida one is a loss accepted. */
  const CORES = {
    classificacao: { devida: 'neutro', indevida: 'recuperar', a_classificar: 'alerta' },
    glosa: { aberta: 'alerta', em_recurso: 'recuperar', recuperada: 'ok', recuperada_parcial: 'ok',
      perdida: 'neutro', aceita: 'neutro' },
    recurso: { rascunho: 'alerta', enviado: 'neutro', protocolado: 'neutro', respondido: 'ok',
      deferido: 'ok', deferido_parcial: 'ok', indeferido: 'neutro' },
    severidade: { bloqueio: 'bloqueio', alerta: 'alerta', Bloqueio: 'bloqueio', Alerta: 'alerta' },
  };
  function cor(tipo, chave) { return (CORES[tipo] && CORES[tipo][chave]) || 'neutro'; }
  /* A selo (badge) with the label and colour of a key. */
  function seloDe(tipo, chave) { return selo(rotulo(tipo, chave), cor(tipo, chave)); }

  class ErroApi extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }

  /* api('GET', '/api/guias', {query}) / api('POST', url, {json}) / {body, tipo} / {bruto: true} */
  async function api(metodo, url, opts = {}) {
    const headers = {};
    let body;
    if (opts.query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.query)) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
      const s = q.toString();
      if (s) url += '?' + s;
    }
    if (opts.json !== undefined) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(opts.json); }
    else if (opts.body !== undefined) { headers['Content-Type'] = opts.tipo || 'application/octet-stream'; body = opts.body; }
    if (metodo !== 'GET' && sessao) headers['X-CSRF-Token'] = sessao.csrf;
    const r = await fetch(url, { method: metodo, headers, body, credentials: 'same-origin' });
    if (opts.bruto && r.ok) return r;
    let j = null;
    try { j = await r.json(); } catch (e) { j = null; }
    if (!r.ok) {
      const e = (j && j.error) || { code: 'HTTP' + r.status, message: 'erro ' + r.status };
      if (r.status === 401 && url !== '/api/sessao') mostraLogin('Sua sessão expirou. Entre de novo.');
      throw new ErroApi(r.status, e.code, e.message);
    }
    return j;
  }

  /* Download a file from the API (XML, CSV) keeping the server's file name. */
  async function baixar(url, nomePadrao) {
    const r = await api('GET', url, { bruto: true });
    const cd = r.headers.get('Content-Disposition') || '';
    const m = /filename="([^"]+)"/.exec(cd);
    const blob = await r.blob();
    const a = el('a', { href: URL.createObjectURL(blob), download: m ? m[1] : nomePadrao });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 5000);
  }

  let avisoTimer = null;
  function aviso(msg, erro) {
    const a = document.getElementById('aviso');
    a.textContent = msg; a.classList.toggle('erro', !!erro); a.hidden = false;
    clearTimeout(avisoTimer);
    avisoTimer = setTimeout(() => { a.hidden = true; }, erro ? 9000 : 4000);
  }
  /* Run an async action, showing its error (pt-BR message from the API). */
  async function tenta(fn) {
    try { return await fn(); } catch (e) { aviso(e.message || String(e), true); return undefined; }
  }

  function pode(papel) { return !!sessao && PAPEIS[sessao.papel] >= PAPEIS[papel]; }

  /* Register a screen: {titulo, papel: 'faturista'|'supervisor'|'admin', menu: true, render(main, params)} */
  function tela(nome, def) { telas[nome] = def; ordem.push(nome); }

  function montaMenu() {
    const menu = limpa(document.getElementById('menu'));
    for (const nome of ordem) {
      const t = telas[nome];
      if (t.menu === false || !pode(t.papel || 'faturista')) continue;
      menu.append(el('a', { href: '#/' + nome, dataset: { tela: nome } }, t.titulo));
    }
  }

  async function rota() {
    if (!sessao) return;
    if (sessao.troca_senha) { trocaObrigatoria(); return; }
    const caminho = location.hash.replace(/^#\/?/, '').split('?')[0];
    const partes = (caminho || 'painel').split('/').map(decodeURIComponent);
    const nome = telas[partes[0]] ? partes[0] : 'painel';
    const t = telas[nome];
    for (const a of document.querySelectorAll('#menu a')) a.classList.toggle('ativo', a.dataset.tela === nome);
    /* each navigation renders into a fresh box: a slow earlier screen that
     * finishes late writes into a detached node, never over this one */
    const main = el('div', { class: 'tela-conteudo' });
    limpa(document.getElementById('tela')).append(main);
    if (!pode(t.papel || 'faturista')) {
      main.append(el('p', { class: 'vazio' }, 'Seu papel não permite abrir esta tela.'));
      return;
    }
    document.title = t.titulo + ' — faturo';
    try { await t.render(main, partes.slice(1)); }
    catch (e) { main.append(el('p', { class: 'aviso erro' }, e.message || String(e))); }
  }

  function mostraLogin(msg) {
    sessao = null;
    document.getElementById('app').hidden = true;
    document.getElementById('login').hidden = false;
    document.getElementById('login-erro').textContent = msg || '';
    document.getElementById('login-usuario').focus();
  }

  async function entrou(s) {
    sessao = s;
    defineFuso(s);
    await carregaRotulos();
    document.getElementById('login').hidden = true;
    document.getElementById('app').hidden = false;
    document.getElementById('quem-nome').textContent = s.usuario;
    document.getElementById('quem-papel').textContent = rotulo('papel', s.papel);
    montaMenu();
    rota();
  }

  /* Opened with a one-time password: the server refuses everything else
   * until the user chooses a password of its own. */
  function trocaObrigatoria() {
    const main = limpa(document.getElementById('tela'));
    const atual = el('input', { id: 'troca-atual', type: 'password', autocomplete: 'current-password' });
    const nova = el('input', { id: 'troca-nova', type: 'password', autocomplete: 'new-password' });
    const conf = el('input', { id: 'troca-confirma', type: 'password', autocomplete: 'new-password' });
    main.append(el('h1', {}, 'Troque a sua senha'),
      el('p', {}, 'Você entrou com uma senha provisória. Escolha uma senha sua (pelo menos 10 caracteres, diferente do nome, fora das senhas mais usadas) para continuar.'),
      el('div', { class: 'filtros' }, el('label', {}, 'Senha provisória', atual), el('label', {}, 'Nova senha', nova),
        el('label', {}, 'Repita a nova senha', conf),
        el('button', { id: 'troca-salvar', class: 'primario', onclick: () => tenta(async () => {
          if (nova.value !== conf.value) throw new Error('as duas senhas novas não são iguais');
          await api('POST', '/api/sessao/senha', { json: { atual: atual.value, nova: nova.value } });
          sessao.troca_senha = false;
          aviso('Senha trocada.');
          rota();
        }) }, 'Trocar senha')));
  }

  async function inicia() {
    document.getElementById('login-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const usuario = document.getElementById('login-usuario').value.trim();
      const senha = document.getElementById('login-senha').value;
      const codigo = document.getElementById('login-codigo').value.replace(/\s/g, '');
      try {
        const s = await api('POST', '/api/sessao', { json: codigo ? { usuario, senha, codigo } : { usuario, senha } });
        document.getElementById('login-senha').value = '';
        document.getElementById('login-codigo').value = '';
        await entrou(s);
      } catch (e) { document.getElementById('login-erro').textContent = e.message; }
    });
    document.getElementById('sair').addEventListener('click', async () => {
      await tenta(() => api('DELETE', '/api/sessao'));
      mostraLogin('Você saiu.');
    });
    window.addEventListener('hashchange', rota);
    let s = null;
    try { s = await api('GET', '/api/sessao'); } catch (e) { mostraLogin(''); return; }
    await entrou(s);
  }

  /* A table from rows: cols = [{t: 'Título', v: row => value|Node, num: true}]
   * (num: a right-aligned figure; nw: a code or number never broken) */
  function tabela(linhas, cols, aoClicar) {
    if (!linhas || linhas.length === 0) return el('p', { class: 'vazio' }, 'Nada encontrado.');
    return el('table', {},
      el('thead', {}, el('tr', {}, cols.map(c => el('th', { class: c.num ? 'num' : null }, c.t)))),
      el('tbody', {}, linhas.map(l => el('tr', {
        class: aoClicar ? 'clicavel' : null, onclick: aoClicar ? () => aoClicar(l) : null,
        /* rows that open something are reached and opened from the keyboard too */
        tabindex: aoClicar ? 0 : null,
        onkeydown: aoClicar ? (ev) => {
          if ((ev.key === 'Enter' || ev.key === ' ') && ev.target === ev.currentTarget) { ev.preventDefault(); aoClicar(l); }
        } : null
      }, cols.map(c => el('td', { class: c.num ? 'num' : c.nw ? 'nw' : null }, c.v(l)))))));
  }

  function selo(texto, tipo) { return el('span', { class: 'selo ' + (tipo || 'neutro') }, texto); }

  function cartao(rotulo, valor, tipo) {
    return el('div', { class: 'cartao ' + (tipo || '') }, el('div', { class: 'rotulo' }, rotulo),
      el('div', { class: 'valor' }, valor));
  }

  /* A <select> of operators (value = script key), first option "todas". */
  async function seletorOperadora(id, todas = true) {
    const r = await api('GET', '/api/operadoras');
    return el('select', { id },
      todas ? el('option', { value: '' }, 'todas') : null,
      r.operadoras.map(o => el('option', { value: o.chave }, o.nome)));
  }

  /* Page through a keyset listing: paginador(carrega) where carrega(apos)
   * renders one page and returns its `proximo` cursor; gives the nav node
   * (‹ anterior / próxima ›) and a reload function that starts over. */
  function paginador(carrega) {
    const pilha = [];
    let atual = null, proximo = null;
    const ant = el('button', { class: 'pag-anterior', disabled: true }, '‹ anterior');
    const prox = el('button', { class: 'pag-proxima', disabled: true }, 'próxima ›');
    const info = el('span', { class: 'pag-info' });
    /* carrega(apos, vigente): vigente() is false once a newer page was
     * asked for (Filtrar clicked again before this answer came): a late
     * answer must not draw over the newer one */
    let pedido = 0;
    const mostra = async (apos) => {
      const meu = ++pedido;
      const p = await carrega(apos, () => meu === pedido);
      if (meu !== pedido) return;
      proximo = p;
      atual = apos;
      ant.disabled = pilha.length === 0;
      prox.disabled = !proximo;
      info.textContent = `página ${pilha.length + 1}`;
    };
    ant.addEventListener('click', () => tenta(async () => { const a = pilha.pop(); await mostra(a); }));
    prox.addEventListener('click', () => tenta(async () => { pilha.push(atual); await mostra(proximo); }));
    const nav = el('div', { class: 'paginacao' }, ant, info, prox);
    return { nav, recarrega: async () => { pilha.length = 0; await mostra(null); } };
  }

  /* ?chave=valor of the hash route (#/tela?chave=valor) */
  function parametrosHash() {
    const i = location.hash.indexOf('?');
    return new URLSearchParams(i >= 0 ? location.hash.slice(i + 1) : '');
  }

  return {
    el, limpa, reais, centavosDe, data, dataHora, competencia, competenciaAnterior, documento, rotulo,
    quantidade, cor, seloDe, hojeBR, hojeISO,
    api, baixar, aviso, tenta, pode, tela, tabela, selo, cartao, seletorOperadora, paginador,
    parametrosHash, inicia, get sessao() { return sessao; }, get fuso() { return FUSO; }
  };
})();
