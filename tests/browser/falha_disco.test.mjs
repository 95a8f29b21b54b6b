// Browser test (Part M): a database that cannot be written reaches the user
// as the store's own pt-BR message (what the CLI prints), not as "erro
// interno no servidor". The database file is made read-only (0444; as root,
// which ignores permissions, the server runs as nobody via setpriv, as
// tests/fault/somente_leitura.sh does):
//   - reads still work for a session opened before (GET /api/painel 200);
//   - a write (POST /api/usuarios) answers 503 with "somente leitura" and
//     "nada foi gravado", the database file unchanged byte for byte;
//   - logging in (which records the login) shows that message on the login
//     screen of the panel.
// Usage: node falha_disco.test.mjs /path/to/faturo
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const FATURO = process.argv[2];
if (!FATURO) { console.error('uso: node falha_disco.test.mjs CAMINHO_DO_FATURO'); process.exit(2); }
const here = dirname(fileURLToPath(import.meta.url));
const src = process.env.FAT_SOURCE_DIR || join(here, '..', '..');
const shots = join(here, 'test-results');
mkdirSync(shots, { recursive: true });
const root = process.getuid && process.getuid() === 0;
if (root && spawnSync('setpriv', ['--version']).status !== 0) {
  console.log('sem setpriv: teste pulado (root ignora permissões)');
  process.exit(77);
}
const dir = mkdtempSync(join(tmpdir(), 'faturo-browser-m-'));
const db = join(dir, 'somente-leitura.db');
const env = { ...process.env, FATURO_DB: db, FATURO_REGRAS: join(src, 'rules'), USER: 'teste' };

function mustRun(args, input) {
  const r = spawnSync(FATURO, args, { env, input, encoding: 'utf8' });
  assert.equal(r.status, 0, `faturo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
mustRun(['demo', '--guias', '100', '--ate-etapa', 'precos']);
mustRun(['usuario', 'criar', 'ana', '--papel', 'admin'], 'Admin-forte-2026\n');
if (root) { // the server runs as nobody: its database, and the folder where the -shm goes
  for (const f of [dir, db, db + '-wal', db + '-shm']) { try { chownSync(f, 65534, 65534); } catch (e) { /* absent */ } }
}

let srv = null, log = '';
async function servidor() {
  const cmd = root ? 'setpriv' : FATURO;
  const args = root ? ['--reuid=65534', '--regid=65534', '--clear-groups', FATURO, 'servidor', '--porta', '0']
    : ['servidor', '--porta', '0'];
  srv = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  srv.stderr.on('data', d => { log += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    srv.stdout.on('data', d => { out += d; const m = /127\.0\.0\.1:(\d+)\//.exec(out); if (m) resolve(`http://127.0.0.1:${m[1]}`); });
    srv.on('exit', c => reject(new Error('servidor saiu com ' + c + ': ' + log)));
    setTimeout(() => reject(new Error('servidor não respondeu')), 15000);
  });
}
async function para() {
  if (srv === null) return;
  const s = srv;
  srv = null;
  await new Promise(r => { s.removeAllListeners('exit'); s.on('exit', r); s.kill('SIGTERM'); });
}
async function entrarApi(base) {
  const r = await fetch(base + '/api/sessao', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ usuario: 'ana', senha: 'Admin-forte-2026' }) });
  return { r, j: await r.json(), cookie: (r.headers.get('set-cookie') || '').split(';')[0] };
}
const sha = () => createHash('sha256').update(readFileSync(db)).digest('hex');

let falhou = false;
let browser = null;
try {
  // a session opened while the database was writable
  let base = await servidor();
  const s = await entrarApi(base);
  assert.equal(s.r.status, 200, JSON.stringify(s.j));
  await para();
  // the WAL checkpointed into the file by the server's exit; now read-only
  chmodSync(db, 0o444);
  const antes = sha();
  base = await servidor();

  const painel = await fetch(base + '/api/painel', { headers: { Cookie: s.cookie } });
  assert.equal(painel.status, 200, 'leitura com o banco somente leitura');
  assert.equal((await painel.json()).guias_total, 100);
  console.log('ok - leitura funciona com o banco somente leitura');

  const w = await fetch(base + '/api/usuarios', { method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: s.cookie, 'X-CSRF-Token': s.j.csrf },
    body: JSON.stringify({ nome: 'bia', papel: 'faturista', senha: 'Fatura-boa-2026' }) });
  const wj = await w.json();
  assert.equal(w.status, 503, JSON.stringify(wj));
  assert.match(wj.error.message, /somente leitura/);
  assert.match(wj.error.message, /nada foi gravado/);
  assert.doesNotMatch(wj.error.message, /erro interno|readonly|SQLITE/i);
  console.log('ok - gravação recusada com 503 e a mensagem: ' + wj.error.message);

  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-proxy-server'];
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 }, locale: 'pt-BR' });
  page.setDefaultTimeout(15000);
  await page.goto(base + '/');
  await page.waitForSelector('#login-form', { state: 'visible' });
  await page.fill('#login-usuario', 'ana');
  await page.fill('#login-senha', 'Admin-forte-2026');
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => /somente leitura/.test(document.getElementById('login-erro').textContent))
    .catch(async () => {
      throw new Error(`mensagem esperada não apareceu; login-erro: "${await page.textContent('#login-erro')}"`);
    });
  const msg = await page.textContent('#login-erro');
  assert.match(msg, /nada foi gravado/);
  assert.doesNotMatch(msg, /erro interno/);
  await page.screenshot({ path: join(shots, 'falha-disco-login.png') });
  console.log('ok - o painel mostra no login: ' + msg);

  await para();
  assert.equal(sha(), antes, 'o arquivo do banco não muda');
  console.log('ok - o arquivo do banco ficou idêntico');
} catch (e) {
  falhou = true;
  console.error('FALHOU:', e.message);
  console.error(log);
} finally {
  if (browser) await browser.close();
  await para();
  try { chmodSync(db, 0o644); } catch (e) { /* already gone */ }
  rmSync(dir, { recursive: true, force: true });
}
process.exit(falhou ? 1 : 0);
