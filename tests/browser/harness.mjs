// harness.mjs: what every browser test of the panel starts and ends with, in
// one place: a clinic in a temporary folder (database, a copy of the rules),
// the faturo server on a free port, Debian's chromium (never a downloaded
// browser) with JavaScript errors collected, the login, the notice bar, the
// cases runner and the clean-up. A test keeps only its own cases.
//
//   const c = clinica('guias');            // node guias.test.mjs /path/to/faturo
//   c.mustRun(['demo', '--guias', '100']);
//   const P = await painel(c, { viewport: { width: 1024, height: 800 } });
//   P.caso('...', async () => { await P.entrar('bia', 'senha'); ... });
//   await P.fim(await P.rodar('guias-falha.png'));
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-proxy-server'];

/* A clinic for test `nome`: faturo from argv[2], a temporary folder with the
 * database `<nome>.db` and (unless copiaRegras is false) a copy of rules/ and
 * scripts/, so that a case may edit or reload them without touching the tree. */
export function clinica(nome, { copiaRegras = true } = {}) {
  const FATURO = process.argv[2];
  if (!FATURO) { console.error(`uso: node ${nome}.test.mjs CAMINHO_DO_FATURO`); process.exit(2); }
  const src = process.env.FAT_SOURCE_DIR || join(here, '..', '..');
  const shots = join(here, 'test-results');
  mkdirSync(shots, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), `faturo-${nome}-`));
  const db = join(dir, `${nome}.db`);
  let regras = join(src, 'rules');
  if (copiaRegras) {
    regras = join(dir, 'regras');
    cpSync(join(src, 'rules'), regras, { recursive: true });
    cpSync(join(src, 'scripts'), join(regras, 'scripts'), { recursive: true });
  }
  const env = { ...process.env, FATURO_DB: db, FATURO_REGRAS: regras, USER: 'teste' };
  const run = (args, input) => spawnSync(FATURO, args, { env, input, encoding: 'utf8' });
  function mustRun(args, input) {
    const r = run(args, input);
    assert.equal(r.status, 0, `faturo ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }
  const json = args => JSON.parse(mustRun(['--json', ...args]));
  function sql(q) {
    const r = spawnSync('sqlite3', [db, q], { encoding: 'utf8' });
    assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
    return r.stdout.trim();
  }
  return { FATURO, src, shots, dir, db, regras, env, run, mustRun, json, sql };
}

/* Collect a page's JavaScript errors (a 4xx answer logged by the browser is
 * not one: the panel shows those) and set its timeout. */
function observar(page, errosJs, { dialogos, popups, timeout }) {
  page.on('pageerror', e => errosJs.push(String(e)));
  page.on('console', m => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errosJs.push(m.text()); });
  if (dialogos) page.on('dialog', d => d.accept());
  if (popups) page.on('popup', p => p.close().catch(() => {}));
  page.setDefaultTimeout(timeout);
}

/* The server on clinic c and a first browser context. Options: viewport,
 * timezoneId, timeout (ms), dialogos (accept confirm() boxes, default true),
 * popups (close new windows at once, default false). */
export async function painel(c, opcoes = {}) {
  const o = { viewport: { width: 1360, height: 860 }, timeout: 15000, dialogos: true, popups: false, ...opcoes };
  /* the server keeps the browser's clock: the clinic's day is the same on
   * both sides (Brazil has no summer time since 2019, so a POSIX TZ needs no
   * tzdata) */
  const TZ_POSIX = { 'America/Sao_Paulo': '<-03>3' };
  const env = o.timezoneId ? { ...c.env, TZ: TZ_POSIX[o.timezoneId] || o.timezoneId } : c.env;
  const srv = spawn(c.FATURO, ['servidor', '--porta', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  srv.stderr.on('data', d => { log += d; });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    srv.stdout.on('data', d => { out += d; const m = /127\.0\.0\.1:(\d+)\//.exec(out); if (m) resolve(Number(m[1])); });
    srv.on('exit', code => reject(new Error('servidor saiu com ' + code + ': ' + log)));
    setTimeout(() => reject(new Error('servidor não respondeu')), 15000);
  });
  const base = `http://127.0.0.1:${port}`;
  const errosJs = [];
  const abertos = [];
  const casos = [];

  /* One more browser (own profile, own cookies): for a second user at once. */
  async function contexto(mais = {}) {
    const x = { ...o, ...mais };
    const profile = mkdtempSync(join(tmpdir(), 'faturo-chromium-'));
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium', headless: true, viewport: x.viewport, locale: 'pt-BR',
      acceptDownloads: true, args: CHROMIUM_ARGS, ...(x.timezoneId ? { timezoneId: x.timezoneId } : {}),
    });
    const page = ctx.pages()[0] || await ctx.newPage();
    observar(page, errosJs, x);
    abertos.push({ ctx, profile });
    return { ctx, page };
  }
  const { ctx, page } = await contexto();

  /* Log in as usuario (clearing the cookies of the page's context first). */
  async function entrar(usuario, senha, p = page) {
    await p.context().clearCookies();
    await p.goto(base + '/');
    await p.waitForSelector('#login-form', { state: 'visible' });
    await p.fill('#login-usuario', usuario);
    await p.fill('#login-senha', senha);
    await p.click('#login-form button[type=submit]');
    await p.waitForSelector('#app:not([hidden])');
  }
  /* Wait until the notice bar shows a text matching re; returns the text. */
  async function aviso(re, p = page) {
    await p.waitForFunction((s) => {
      const a = document.getElementById('aviso');
      return !a.hidden && new RegExp(s).test(a.textContent);
    }, re.source).catch(async () => {
      throw new Error(`aviso esperado ${re} não apareceu; aviso atual: "${await p.textContent('#aviso')}"`);
    });
    return p.textContent('#aviso');
  }
  function caso(nome, fn) { casos.push([nome, fn]); }
  /* Run the cases in order (only those whose name contains $FAT_CASO, when
   * set); a failure keeps a screenshot of the page named falhaPng (and of
   * each [page, png] in outras). True if any failed or the panel logged a
   * JavaScript error. */
  async function rodar(falhaPng, outras = []) {
    let falhou = false, n = 0;
    for (const [nome, fn] of casos) {
      if (process.env.FAT_CASO && !nome.includes(process.env.FAT_CASO)) continue;
      n++;
      try { await fn(); console.log('ok   ' + nome); }
      catch (e) {
        falhou = true; console.log('FALHA ' + nome + '\n      ' + (e.stack || e));
        for (const [p, png] of [[page, falhaPng], ...outras])
          await p.screenshot({ path: join(c.shots, png), fullPage: true }).catch(() => {});
      }
    }
    if (errosJs.length) { falhou = true; console.log('FALHA erros de JavaScript no painel:\n  ' + errosJs.join('\n  ')); }
    if (!falhou) console.log(`${n} passed, 0 failed`);
    return falhou;
  }
  /* Close the browsers and the server; on failure print the end of the
   * server's log and exit 1 (the folder is kept to look at), else remove it. */
  async function fim(falhou) {
    for (const a of abertos) { await a.ctx.close(); rmSync(a.profile, { recursive: true, force: true }); }
    srv.kill('SIGTERM');
    await new Promise(r => { if (srv.exitCode !== null || srv.signalCode !== null) r(); else srv.on('exit', r); });
    if (falhou) { console.log('--- log do servidor ---\n' + log.slice(-4000)); process.exit(1); }
    rmSync(c.dir, { recursive: true, force: true });
  }
  return { base, srv, ctx, page, errosJs, contexto, entrar, aviso, caso, rodar, fim, log: () => log };
}
