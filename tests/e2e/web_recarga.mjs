// Part M: the rules are reloaded while 64 connections keep asking for the
// panel's routes, and not one request fails. Reloads come from the CLI
// (`faturo regras recarregar`, which signals the server) and from the panel
// (POST /api/regras/recarregar), alternately; every one must succeed.
// Usage: node web_recarga.mjs /path/to/faturo [server options...]
// FAT_RECARGAS sets the number of reloads (default 40: 20 by each way).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import assert from 'node:assert/strict';

const FATURO = process.argv[2];
if (!FATURO) { console.error('uso: node web_recarga.mjs CAMINHO_DO_FATURO [opções do servidor]'); process.exit(2); }
const extra = process.argv.slice(3);
const RECARGAS = Number(process.env.FAT_RECARGAS || 40);
const CONEXOES = 64;
const TEMPO_MAX_MS = 10000;
const dir = mkdtempSync(join(tmpdir(), 'faturo-recarga-'));
const db = join(dir, 'recarga.db');
const src = process.env.FAT_SOURCE_DIR || new URL('../..', import.meta.url).pathname;
const regras = join(dir, 'regras');
cpSync(join(src, 'rules'), regras, { recursive: true });
cpSync(join(src, 'scripts'), join(regras, 'scripts'), { recursive: true });
const env = { ...process.env, FATURO_DB: db, FATURO_REGRAS: regras, USER: 'teste' };

function mustRun(args, input) {
  const r = spawnSync(FATURO, args, { env, input, encoding: 'utf8' });
  assert.equal(r.status, 0, `faturo ${args.join(' ')} falhou: ${r.stderr}`);
}
// the CLI reload, without blocking the event loop that drives the clients
function runAsync(args) {
  return new Promise(resolve => {
    const p = spawn(FATURO, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', d => { out += d; });
    p.stderr.on('data', d => { out += d; });
    p.on('exit', code => resolve({ code, out }));
  });
}

mustRun(['demo', '--guias', '300', '--ate-etapa', 'conferir']);
mustRun(['usuario', 'criar', 'ana', '--papel', 'admin'], 'senha-admin-1\n');

const srv = spawn(FATURO, ['servidor', '--porta', '0', '--silencioso', ...extra], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
srv.stderr.on('data', d => { log += d; });
const port = await new Promise((resolve, reject) => {
  let out = '';
  srv.stdout.on('data', d => { out += d; const m = /127\.0\.0\.1:(\d+)\//.exec(out); if (m) resolve(Number(m[1])); });
  srv.on('exit', c => reject(new Error('servidor saiu com ' + c + ': ' + log)));
  setTimeout(() => reject(new Error('servidor não respondeu: ' + log)), 30000);
});

// one keep-alive connection per client, as wrk does
const agent = new http.Agent({ keepAlive: true, maxSockets: CONEXOES });
function pede(method, path, headers = {}, body) {
  return new Promise(resolve => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent, headers }, r => {
      let t = ''; r.setEncoding('utf8'); r.on('data', d => { t += d; });
      r.on('end', () => resolve({ status: r.statusCode, text: t, headers: r.headers }));
      r.on('error', e => resolve({ status: 0, text: String(e) }));
    });
    req.on('error', e => resolve({ status: 0, text: String(e.code || e.message || e) }));
    // wrk gives up after 2 s; a loaded 2-core test box gets more room, but a
    // request stuck behind a reload still counts as failed
    req.setTimeout(TEMPO_MAX_MS, () => req.destroy(new Error('sem resposta em ' + TEMPO_MAX_MS + ' ms')));
    req.end(body);
  });
}

const login = await pede('POST', '/api/sessao', { 'Content-Type': 'application/json' },
  JSON.stringify({ usuario: 'ana', senha: 'senha-admin-1' }));
assert.equal(login.status, 200, login.text);
const cookie = login.headers['set-cookie'][0].split(';')[0];
const csrf = JSON.parse(login.text).csrf;

const ROTAS = ['/api/painel', '/api/guias', '/api/guias?com_bloqueio=1', '/api/regras'];
let parar = false, feitas = 0;
const falhas = [];
async function cliente(i) {
  for (let k = i; !parar; k++) {
    const r = await pede('GET', ROTAS[k % ROTAS.length], { Cookie: cookie });
    feitas++;
    if (r.status !== 200) falhas.push(`${ROTAS[k % ROTAS.length]}: ${r.status} ${r.text.slice(0, 120)}`);
  }
}

const t0 = Date.now();
const clientes = Array.from({ length: CONEXOES }, (_, i) => cliente(i));
const recargas = { cli: 0, painel: 0 };
const erros = [];
for (let n = 0; n < RECARGAS; n++) {
  if (n % 2 === 0) {
    const r = await runAsync(['regras', 'recarregar']);
    if (r.code !== 0) erros.push('CLI: ' + r.out.trim());
    else if (!/servidor avisado/.test(r.out)) erros.push('CLI não avisou o servidor: ' + r.out.trim());
    else recargas.cli++;
  } else {
    const r = await pede('POST', '/api/regras/recarregar', { Cookie: cookie, 'X-CSRF-Token': csrf,
      'Content-Type': 'application/json' }, '{}');
    if (r.status !== 200) erros.push('painel: ' + r.status + ' ' + r.text);
    else recargas.painel++;
  }
}
// a SIGHUP reload runs on a thread of the server's own: let the last ones end under load
const conta = () => (log.match(/regras recarregadas \(SIGHUP\)/g) || []).length;
for (let i = 0; i < 100 && conta() < recargas.cli; i++) await new Promise(r => setTimeout(r, 100));
parar = true;
await Promise.all(clientes);
const seg = (Date.now() - t0) / 1000;
agent.destroy();

srv.kill('SIGTERM');
const code = await new Promise(r => srv.on('exit', c => r(c)));
const hups = conta();
console.log(`${recargas.cli} recargas pela CLI (${hups} concluídas no servidor), ${recargas.painel} pelo painel; ` +
  `${feitas} requisições em ${seg.toFixed(1)} s (${(feitas / seg).toFixed(0)}/s) por ${CONEXOES} conexões; ` +
  `${falhas.length} falharam`);
let falhou = false;
function confere(nome, fn) {
  try { fn(); console.log('ok   ' + nome); } catch (e) { falhou = true; console.log('FALHA ' + nome + '\n      ' + e.message); }
}
confere('toda recarga pedida deu certo', () => assert.deepEqual(erros, []));
confere('o servidor concluiu cada recarga da CLI', () => assert.equal(hups, recargas.cli));
confere('nenhuma requisição falhou durante as recargas', () =>
  assert.equal(falhas.length, 0, falhas.slice(0, 5).join('\n      ')));
confere('houve carga durante as recargas', () => assert.ok(feitas >= RECARGAS * 10, `só ${feitas} requisições`));
confere('o servidor encerra com SIGTERM (saída 0)', () => assert.equal(code, 0));
if (falhou) { console.log('--- log do servidor ---\n' + log.slice(-4000)); process.exit(1); }
rmSync(dir, { recursive: true, force: true });
