// Browser test of the Financeiro screen (Part G): Debian's chromium driven by
// playwright-core. A supervisor uploads a bank statement, proposes and
// confirms the match, registers and receives a particular, computes and
// closes the repasse; a faturista sees no confirm/close buttons.
// Usage: node financeiro.test.mjs /path/to/faturo   Screenshots: test-results/.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const FATURO = process.argv[2];
const here = dirname(fileURLToPath(import.meta.url));
const src = process.env.FAT_SOURCE_DIR || join(here, '..', '..');
const shots = join(here, 'test-results');
mkdirSync(shots, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'faturo-browser-fin-'));
const db = join(dir, 'fin.db');
const regras = join(dir, 'regras');
cpSync(join(src, 'rules'), regras, { recursive: true });
cpSync(join(src, 'scripts'), join(regras, 'scripts'), { recursive: true });
const env = { ...process.env, FATURO_DB: db, FATURO_REGRAS: regras, USER: 'teste' };
function mustRun(args, input) {
  const r = spawnSync(FATURO, args, { env, input, encoding: 'utf8' });
  assert.equal(r.status, 0, `faturo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
function sql(q) {
  const r = spawnSync('sqlite3', [db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}
mustRun(['init']);
mustRun(['cadastro', 'prestador', '--nome', 'Clínica São João', '--cnpj', '11.222.333/0001-81', '--cnes', '1234567']);
mustRun(['cadastro', 'operadora', '--registro-ans', '312347', '--nome', 'Aurora Saúde', '--script', 'aurora',
  '--codigo-prestador', 'A-10234']);
sql(`INSERT INTO profissional (id, nome, conselho, numero_conselho, uf) VALUES (1, 'Dra. Ana Lima', 'CRM', '1111', 'SP');
INSERT INTO lote (id, operadora_id, prestador_id, numero, tipo_guia, competencia, status, valor_informado,
  valor_liberado, valor_glosado, enviado_em, protocolo, protocolo_data)
  VALUES (1, 1, 1, 1, 'sp-sadt', '2025-03', 'processado', 90000, 90000, 0, '2025-04-05', 'P1', '2025-04-07');
INSERT INTO guia (id, prestador_id, operadora_id, tipo, numero_prestador, valor_total, competencia, status, lote_id,
  executante_id) VALUES (1, 1, 1, 'sp-sadt', 'G1', 90000, '2025-03', 'processada', 1, 1);
INSERT INTO item (guia_id, sequencial, codigo_tabela, codigo, quantidade_e4, valor_unitario, valor_total, profissional_id)
  VALUES (1, 1, '22', '40304361', 10000, 90000, 90000, 1);`);
mustRun(['fatura', 'criar', '--operadora', 'aurora', '--competencia', '2025-03']);
mustRun(['fatura', 'nf', '1', '--numero', '55', '--data', '2025-04-10']);
mustRun(['conciliacao', 'conta', 'adicionar', '--banco', '001', '--agencia', '1234', '--conta', '56789-0']);
mustRun(['repasse', 'regra', '--profissional', '1', '--percentual', '60']);
const ofx = join(dir, 'maio.ofx');
writeFileSync(ofx, `OFXHEADER:100
DATA:OFXSGML

<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>BRL
<BANKACCTFROM><BANKID>001<BRANCHID>1234<ACCTID>56789-0</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20250501<DTEND>20250531
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250508<TRNAMT>826.65<FITID>A1<MEMO>TED AURORA SAUDE</STMTTRN>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250509<TRNAMT>55.00<FITID>A2<MEMO>PIX DESCONHECIDO</STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
`);
const USERS = { faturista: ['bia', 'senha-fat-1'], supervisor: ['caio', 'senha-sup-1'] };
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
const profile = mkdtempSync(join(tmpdir(), 'faturo-chromium-fin-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1360, height: 900 }, locale: 'pt-BR',
  acceptDownloads: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-proxy-server'],
});
const page = ctx.pages()[0] || await ctx.newPage();
const errosJs = [];
page.on('pageerror', e => errosJs.push(String(e)));
page.on('console', m => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errosJs.push(m.text()); });
page.on('dialog', d => d.accept());
page.on('popup', p => p.close().catch(() => {}));
page.setDefaultTimeout(15000);

async function entrar(papel) {
  await ctx.clearCookies();
  await page.goto(base + '/');
  await page.waitForSelector('#login-form', { state: 'visible' });
  await page.fill('#login-usuario', USERS[papel][0]);
  await page.fill('#login-senha', USERS[papel][1]);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#app:not([hidden])');
}
async function aviso(re) {
  await page.waitForFunction((s) => {
    const a = document.getElementById('aviso');
    return !a.hidden && new RegExp(s).test(a.textContent);
  }, re.source);
}

let falhou = false;
const casos = [];
function caso(nome, fn) { casos.push([nome, fn]); }

caso('faturista importa o extrato e propõe; não vê o botão de confirmar', async () => {
  await entrar('faturista');
  await page.goto(base + '/#/financeiro');
  await page.waitForSelector('#fin-mapa table');
  assert.match(await page.textContent('#fin-mapa'), /Aurora Saúde/);
  await page.setInputFiles('#fin-extrato', ofx);
  await page.click('#fin-importar');
  await aviso(/2 crédito/);
  await page.click('#fin-propor');
  await aviso(/1 proposta/);
  await page.waitForSelector('#fin-conciliacao table');
  assert.match(await page.textContent('#fin-conciliacao'), /o supervisor confirma/);
  assert.equal(await page.locator('#fin-conciliacao button[data-proposta]').count(), 0);
  assert.equal(await page.locator('#rep-fechar').count(), 0);
});

caso('supervisor confirma, registra e recebe um particular, calcula e fecha o repasse', async () => {
  await entrar('supervisor');
  await page.goto(base + '/#/financeiro');
  await page.waitForSelector('#fin-conciliacao button[data-proposta]');
  await page.click('#fin-conciliacao button[data-proposta]');
  await aviso(/conciliado/);
  assert.equal(sql('SELECT status FROM fatura'), 'paga');
  assert.match(await page.textContent('#fin-conciliacao'), /PIX DESCONHECIDO/);
  await page.click('#fin-mapa-atualizar');
  await page.waitForFunction(() => /recebido/.test(document.getElementById('fin-mapa').textContent));
  await page.fill('#p-paciente', 'Maria da Silva');
  await page.fill('#p-data', '2025-05-10');
  await page.fill('#p-codigo', '10101012');
  await page.fill('#p-valor', '250,00');
  await page.click('#p-registrar');
  await aviso(/particular registrado/);
  await page.waitForSelector('#fin-particulares button');
  await page.click('#fin-particulares button');
  await aviso(/recibo 1/);
  await page.fill('#rep-periodo', '2025-05');
  await page.click('#rep-calcular');
  await page.waitForSelector('#fin-repasse table');
  assert.match(await page.textContent('#fin-repasse'), /Dra\. Ana Lima/);
  await page.screenshot({ path: join(shots, 'financeiro.png'), fullPage: true });
  await page.click('#rep-fechar');
  await aviso(/Repasse fechado/);
  assert.equal(sql("SELECT status FROM repasse WHERE periodo = '2025-05'"), 'fechado');
});

for (const [nome, fn] of casos) {
  try { await fn(); console.log('ok   ' + nome); }
  catch (e) {
    falhou = true; console.log('FALHA ' + nome + '\n      ' + (e.stack || e));
    await page.screenshot({ path: join(shots, 'financeiro-falha.png'), fullPage: true }).catch(() => {});
  }
}
if (errosJs.length) { falhou = true; console.log('FALHA erros de JavaScript no painel:\n  ' + errosJs.join('\n  ')); }
await ctx.close();
srv.kill('SIGTERM');
await new Promise(r => srv.on('exit', r));
rmSync(profile, { recursive: true, force: true });
if (falhou) { console.log('--- log do servidor ---\n' + log.slice(-3000)); process.exit(1); }
rmSync(dir, { recursive: true, force: true });
