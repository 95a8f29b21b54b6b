// Browser tests of the Usuários screen (Part N) in Debian's chromium driven
// by playwright-core: an admin gives a user a one-time password, the user
// must change it before anything else; the admin deactivates the user and
// the user's open page is sent back to the login on its next request; the
// last admin cannot demote itself (the API's reason is shown); the masked
// CPF of the guia list for a faturista.
// Usage: node usuarios.test.mjs /path/to/faturo
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const FATURO = process.argv[2];
if (!FATURO) { console.error('uso: node usuarios.test.mjs CAMINHO_DO_FATURO'); process.exit(2); }
const here = dirname(fileURLToPath(import.meta.url));
const src = process.env.FAT_SOURCE_DIR || join(here, '..', '..');
const shots = join(here, 'test-results');
mkdirSync(shots, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'faturo-browser-n-'));
const db = join(dir, 'usuarios.db');
const env = { ...process.env, FATURO_DB: db, FATURO_REGRAS: join(src, 'rules'), USER: 'teste' };

function mustRun(args, input) {
  const r = spawnSync(FATURO, args, { env, input, encoding: 'utf8' });
  assert.equal(r.status, 0, `faturo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
mustRun(['demo', '--guias', '100', '--ate-etapa', 'precos']);
const USERS = { admin: ['ana', 'Admin-forte-2026'], faturista: ['bia', 'Fatura-boa-2026'] };
for (const [papel, [nome, senha]] of Object.entries(USERS)) mustRun(['usuario', 'criar', nome, '--papel', papel], senha + '\n');

const srv = spawn(FATURO, ['servidor', '--porta', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
srv.stderr.on('data', d => { log += d; });
const port = await new Promise((resolve, reject) => {
  let out = '';
  srv.stdout.on('data', d => { out += d; const m = /127\.0\.0\.1:(\d+)\//.exec(out); if (m) resolve(Number(m[1])); });
  srv.on('exit', c => reject(new Error('servidor saiu com ' + c + ': ' + log)));
  setTimeout(() => reject(new Error('servidor não respondeu')), 15000);
});
const base = `http://127.0.0.1:${port}`;

const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-proxy-server'];
const profA = mkdtempSync(join(tmpdir(), 'faturo-chromium-a-'));
const profB = mkdtempSync(join(tmpdir(), 'faturo-chromium-b-'));
const opts = { executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1360, height: 860 }, locale: 'pt-BR', args };
const ctxA = await chromium.launchPersistentContext(profA, opts); // the admin
const ctxB = await chromium.launchPersistentContext(profB, opts); // the user
const pa = ctxA.pages()[0] || await ctxA.newPage();
const pb = ctxB.pages()[0] || await ctxB.newPage();
const errosJs = [];
for (const p of [pa, pb]) {
  p.on('pageerror', e => errosJs.push(String(e)));
  p.on('console', m => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errosJs.push(m.text()); });
  p.setDefaultTimeout(15000);
}

async function entrar(p, nome, senha) {
  await p.goto(base + '/');
  await p.waitForSelector('#login-form', { state: 'visible' });
  await p.fill('#login-usuario', nome);
  await p.fill('#login-senha', senha);
  await p.click('#login-form button[type=submit]');
  await p.waitForSelector('#app:not([hidden])');
}
async function aviso(p, re) {
  await p.waitForFunction((s) => {
    const a = document.getElementById('aviso');
    return !a.hidden && new RegExp(s).test(a.textContent);
  }, re.source).catch(async () => {
    throw new Error(`aviso esperado ${re} não apareceu; aviso atual: "${await p.textContent('#aviso')}"`);
  });
}
const botao = (p, acao, nome) => p.click(`#usuarios-lista button[data-acao="${acao}"][data-usuario="${nome}"]`);

let falhou = false;
const casos = [];
function caso(nome, fn) { casos.push([nome, fn]); }

caso('a faturista vê CPFs mascarados na lista de guias', async () => {
  await entrar(pb, ...USERS.faturista);
  await pb.goto(base + '/#/guias');
  await pb.waitForSelector('#guias-lista table');
  const tela = await pb.textContent('#guias-lista');
  assert.match(tela, /\*\*\*\.\d{3}\.\d{3}-\*\*/, 'a tela não mostra CPF mascarado');
  assert.doesNotMatch(tela, /\b\d{3}\.\d{3}\.\d{3}-\d{2}\b/, 'a tela mostra um CPF completo');
  const r = await pb.evaluate(async () => (await fetch('/api/guias?limite=10')).json());
  const cpfs = (r.guias || []).map(g => g.beneficiario_cpf).filter(Boolean);
  assert.ok(cpfs.length > 0, 'a lista não trouxe CPFs: ' + JSON.stringify(r).slice(0, 300));
  for (const c of cpfs) assert.match(c, /^\*\*\*\.\d{3}\.\d{3}-\*\*$/);
});

caso('senha provisória: o usuário troca antes de qualquer coisa', async () => {
  await entrar(pa, ...USERS.admin);
  await pa.goto(base + '/#/usuarios');
  await pa.waitForSelector('#usuarios-lista table');
  await botao(pa, 'Senha provisória', 'bia');
  await pa.waitForSelector('#senha-provisoria');
  const provisoria = (await pa.textContent('#senha-provisoria')).trim();
  assert.match(provisoria, /^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/);
  // bia's session ended with the reset: her next request shows the login
  await pb.goto(base + '/#/painel');
  await pb.waitForSelector('#login-form', { state: 'visible' });
  await entrar(pb, 'bia', provisoria);
  await pb.waitForSelector('#troca-salvar');
  await pb.goto(base + '/#/guias'); // navigating elsewhere still asks for the change
  await pb.waitForSelector('#troca-salvar');
  await pb.fill('#troca-atual', provisoria);
  await pb.fill('#troca-nova', 'Nova-senha-da-Bia-7');
  await pb.fill('#troca-confirma', 'Nova-senha-da-Bia-7');
  await pb.click('#troca-salvar');
  await aviso(pb, /Senha trocada/);
  await pb.waitForSelector('#guias-lista');
  USERS.faturista[1] = 'Nova-senha-da-Bia-7';
});

caso('desativar encerra a sessão aberta do usuário na hora', async () => {
  await pa.goto(base + '/#/usuarios');
  await pa.waitForSelector('#usuarios-lista table');
  await botao(pa, 'Desativar', 'bia');
  await aviso(pa, /bia desativado/);
  await pa.waitForSelector('#usuarios-lista button[data-acao="Reativar"][data-usuario="bia"]');
  await pb.goto(base + '/#/painel');
  await pb.reload();
  await pb.waitForSelector('#login-form', { state: 'visible' });
  await pb.fill('#login-usuario', 'bia');
  await pb.fill('#login-senha', USERS.faturista[1]);
  await pb.click('#login-form button[type=submit]');
  await pb.waitForFunction(() => document.getElementById('login-erro').textContent.length > 0);
  await botao(pa, 'Reativar', 'bia');
  await aviso(pa, /bia reativado/);
  await entrar(pb, ...USERS.faturista);
});

caso('o último admin não deixa de ser admin', async () => {
  await pa.goto(base + '/#/usuarios');
  await pa.waitForSelector('#usuarios-lista table');
  await pa.selectOption('select.u-papel-linha[data-usuario="ana"]', 'faturista');
  await aviso(pa, /admin/);
  await pa.screenshot({ path: join(shots, 'usuarios.png'), fullPage: true });
  await pa.waitForSelector('select.u-papel-linha[data-usuario="ana"]');
  assert.equal(await pa.inputValue('select.u-papel-linha[data-usuario="ana"]'), 'admin');
  const me = await pa.evaluate(async () => (await fetch('/api/sessao')).json());
  assert.equal(me.papel, 'admin');
});

for (const [nome, fn] of casos) {
  try { await fn(); console.log('ok   ' + nome); }
  catch (e) {
    falhou = true; console.log('FALHA ' + nome + '\n      ' + (e.stack || e));
    await pa.screenshot({ path: join(shots, 'usuarios-falha-admin.png'), fullPage: true }).catch(() => {});
    await pb.screenshot({ path: join(shots, 'usuarios-falha-usuario.png'), fullPage: true }).catch(() => {});
  }
}
if (errosJs.length) { falhou = true; console.log('FALHA erros de JavaScript no painel:\n  ' + errosJs.join('\n  ')); }
await ctxA.close();
await ctxB.close();
srv.kill('SIGTERM');
await new Promise(r => srv.on('exit', r));
rmSync(profA, { recursive: true, force: true });
rmSync(profB, { recursive: true, force: true });
if (falhou) { console.log('--- log do servidor ---\n' + log.slice(-4000)); process.exit(1); }
rmSync(dir, { recursive: true, force: true });
