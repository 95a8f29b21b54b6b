// Browser test of the Relatórios screen (Part H): Debian's chromium driven by
// playwright-core on a small demo clinic. A faturista sees the management
// dashboard as charts, opens the table behind a chart with one click and
// exports it (CSV with BOM and accents, XLSX); the supervisor-only reports
// are neither in the tabs nor in the API for her. The supervisor prices a
// proposal saved as the draft of Horizonte's script over its production and
// downloads the accountant's spreadsheet of a month.
// Usage: node relatorios.test.mjs /path/to/faturo   Screenshots: test-results/.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, cpSync, rmSync } from 'node:fs';
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
const dir = mkdtempSync(join(tmpdir(), 'faturo-browser-rel-'));
const db = join(dir, 'rel.db');
const regras = join(dir, 'regras');
cpSync(join(src, 'rules'), regras, { recursive: true });
cpSync(join(src, 'scripts'), join(regras, 'scripts'), { recursive: true });
const env = { ...process.env, FATURO_DB: db, FATURO_REGRAS: regras, USER: 'teste' };
function mustRun(args, input) {
  const r = spawnSync(FATURO, args, { env, input, encoding: 'utf8' });
  assert.equal(r.status, 0, `faturo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
mustRun(['demo', '--guias', '150', '--competencia', '2025-03']);
const USERS = { faturista: ['bia', 'senha-fat-1'], supervisor: ['caio', 'senha-sup-1'] };
for (const [papel, [nome, senha]] of Object.entries(USERS)) mustRun(['usuario', 'criar', nome, '--papel', papel], senha + '\n');
const proposta = readFileSync(join(regras, 'operators', 'horizonte.lua'), 'utf8')
  .replace('medicamentos = { tabela = "brasindice", base = "pmc" },',
    'medicamentos = { tabela = "brasindice", base = "pmc", ajuste_bp = 1000 },');
assert.match(proposta, /ajuste_bp = 1000 \},/);

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
const profile = mkdtempSync(join(tmpdir(), 'faturo-chromium-rel-'));
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
page.setDefaultTimeout(20000);

async function entrar(papel) {
  await ctx.clearCookies();
  await page.goto(base + '/');
  await page.waitForSelector('#login-form', { state: 'visible' });
  await page.fill('#login-usuario', USERS[papel][0]);
  await page.fill('#login-senha', USERS[papel][1]);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#app:not([hidden])');
}
/* click the export button of a block and return the downloaded bytes */
async function exporta(bloco, formato) {
  const [d] = await Promise.all([page.waitForEvent('download'),
    page.click(`section[data-tabela="${bloco}"] button[data-exporta="${formato}"]`)]);
  return { nome: d.suggestedFilename(), dados: readFileSync(await d.path()) };
}

let falhou = false;
const casos = [];
function caso(nome, fn) { casos.push([nome, fn]); }

caso('faturista: painel gerencial em gráficos, a tabela a um clique e as exportações', async () => {
  await entrar('faturista');
  await page.goto(base + '/#/relatorios');
  await page.waitForSelector('section[data-tabela="producao"] canvas');
  for (const t of ['producao', 'taxa_glosa', 'aging', 'mapa'])
    assert.equal(await page.locator(`section[data-tabela="${t}"] canvas`).count(), 1, `gráfico ${t}`);
  const abas = await page.locator('#rel-abas a').allTextContents();
  assert.ok(abas.includes('Produção') && abas.includes('Inadimplência'), abas.join(','));
  assert.ok(!abas.includes('Produtividade') && !abas.includes('Fechamento do mês'), 'abas do supervisor para a faturista');
  const tabela = page.locator('section[data-tabela="producao"] .rel-tabela');
  assert.equal(await tabela.isVisible(), false);
  await page.click('section[data-tabela="producao"] .ver-tabela');
  await tabela.waitFor({ state: 'visible' });
  assert.match(await tabela.textContent(), /Aurora Saúde/);
  assert.match(await tabela.textContent(), /R\$\s*[\d.]+,\d\d/);
  assert.match(await page.textContent('section[data-tabela="producao"] tfoot'), /Total/);
  await page.screenshot({ path: join(shots, 'relatorios-painel.png'), fullPage: true });
  const csv = await exporta('producao', 'csv');
  assert.match(csv.nome, /^painel.*\.csv$/);
  assert.deepEqual([...csv.dados.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'CSV sem BOM');
  const texto = csv.dados.toString('utf8');
  assert.match(texto, /Produção por operadora e mês\r\n/);
  assert.match(texto, /03\/2025;Aurora Saúde;\d+;\d+,\d\d;/);
  const xlsx = await exporta('aging', 'xlsx');
  assert.equal(xlsx.dados.subarray(0, 2).toString(), 'PK');
});

caso('faturista: produção por grupo de procedimento e relatórios do supervisor recusados', async () => {
  await page.goto(base + '/#/relatorios/producao');
  await page.waitForSelector('#r-detalhe');
  await page.fill('#r-de', '2025-03');
  await page.fill('#r-ate', '2025-03');
  await page.selectOption('#r-detalhe', 'grupo');
  await page.click('#r-atualizar');
  await page.waitForSelector('section[data-tabela="detalhe"] canvas');
  await page.click('section[data-tabela="detalhe"] .ver-tabela');
  assert.match(await page.textContent('section[data-tabela="detalhe"] table'), /Medicamentos/);
  const r = await page.request.get(base + '/api/relatorios/produtividade');
  assert.equal(r.status(), 403);
});

caso('faturista: inadimplência, previsto × realizado e glosas, cada gráfico com a tabela da API', async () => {
  const abas = [
    ['inadimplencia', 'aging', { hoje: '2025-06-10' }, 'aberto'],
    ['previsto', 'mensal', { de: '2025-04', ate: '2025-06' }, 'previsto'],
    ['glosas', 'mensal', { de: '2025-03', ate: '2025-03' }, 'glosado'],
  ];
  for (const [aba, tabela, filtros, campo] of abas) {
    await page.goto(base + '/#/relatorios/' + aba);
    await page.waitForSelector('#r-atualizar');
    for (const [k, v] of Object.entries(filtros)) await page.fill('#r-' + k, v);
    await page.click('#r-atualizar');
    const bloco = `section[data-tabela="${tabela}"]`;
    await page.waitForSelector(`${bloco} canvas`);
    await page.click(`${bloco} .ver-tabela`);
    await page.locator(`${bloco} .rel-tabela`).waitFor({ state: 'visible' });
    const rel = await page.evaluate(async ([a, q]) => Faturo.api('GET', '/api/relatorios/' + a, { query: q }),
      [aba, filtros]);
    const total = rel.tabelas.find(t => t.nome === tabela).total[campo];
    assert.ok(total > 0, `${aba}: ${campo} total devia ser positivo`);
    const esperado = await page.evaluate((v) => Faturo.reais(v), total);
    assert.ok((await page.textContent(`${bloco} tfoot`)).includes(esperado),
      `${aba}: o total da tabela devia mostrar ${esperado}`);
  }
  await page.screenshot({ path: join(shots, 'relatorios-glosas.png'), fullPage: true });
});

caso('supervisor: proposta de contrato (rascunho da Horizonte) contra o contrato atual', async () => {
  await entrar('supervisor');
  await page.goto(base + '/#/relatorios/proposta');
  await page.waitForSelector('#r-simular');
  const salvo = await page.evaluate(async (texto) =>
    (await Faturo.api('PUT', '/api/regras/horizonte/rascunho', { json: { conteudo: texto } })).valido, proposta);
  assert.ok(salvo, 'rascunho inválido');
  await page.selectOption('#r-prop-operadora', 'horizonte');
  await page.fill('#r-prop-desde', '2025-03');
  await page.fill('#r-prop-ate', '2025-03');
  await page.click('#r-simular');
  await page.waitForSelector('section[data-tabela="por_grupo"] canvas', { timeout: 60000 });
  await page.click('section[data-tabela="por_grupo"] .ver-tabela');
  const linha = await page.textContent('section[data-tabela="por_grupo"] tbody');
  assert.match(linha, /Medicamentos/);
  const api = await page.evaluate(async () =>
    Faturo.api('GET', '/api/regras/horizonte/simular-precos', { query: { desde: '2025-03', ate: '2025-03' } }));
  const grupos = api.tabelas.find(t => t.nome === 'por_grupo');
  const med = grupos.linhas.find(l => l.grupo === 'Medicamentos');
  assert.ok(med.diferenca > 0, 'a proposta devia aumentar os medicamentos');
  assert.equal(grupos.total.diferenca, med.diferenca, 'só os medicamentos mudam');
  await page.screenshot({ path: join(shots, 'relatorios-proposta.png'), fullPage: true });
});

caso('supervisor: fechamento do mês e a planilha do contador', async () => {
  await page.goto(base + '/#/relatorios/fechamento');
  await page.waitForSelector('#r-mes');
  await page.fill('#r-mes', '2025-05');
  await page.click('#r-atualizar');
  await page.waitForSelector('section[data-tabela="resumo"] canvas');
  await page.click('section[data-tabela="resumo"] .ver-tabela');
  assert.match(await page.textContent('section[data-tabela="resumo"] table'), /Particulares/);
  const [d] = await Promise.all([page.waitForEvent('download'), page.click('#r-pacote')]);
  assert.equal(d.suggestedFilename(), 'fechamento-2025-05.xlsx');
  assert.equal(readFileSync(await d.path()).subarray(0, 2).toString(), 'PK');
  await page.goto(base + '/#/relatorios/produtividade');
  await page.waitForSelector('section[data-tabela="usuarios"]');
  assert.match(await page.textContent('#rel-saida'), /teste/); /* the demo's guias were entered by $USER */
});

for (const [nome, fn] of casos) {
  try { await fn(); console.log('ok   ' + nome); }
  catch (e) {
    falhou = true; console.log('FALHA ' + nome + '\n      ' + (e.stack || e));
    await page.screenshot({ path: join(shots, 'relatorios-falha.png'), fullPage: true }).catch(() => {});
  }
}
if (errosJs.length) { falhou = true; console.log('FALHA erros de JavaScript no painel:\n  ' + errosJs.join('\n  ')); }
await ctx.close();
srv.kill('SIGTERM');
await new Promise(r => srv.on('exit', r));
rmSync(profile, { recursive: true, force: true });
if (falhou) { console.log('--- log do servidor ---\n' + log.slice(-3000)); process.exit(1); }
rmSync(dir, { recursive: true, force: true });
