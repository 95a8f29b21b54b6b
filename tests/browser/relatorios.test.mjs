// Browser test of the Relatórios screen (Part H): Debian's chromium driven by
// playwright-core on a small demo clinic. A faturista sees the management
// dashboard as charts, opens the table behind a chart with one click and
// exports it (CSV with BOM and accents, XLSX); the supervisor-only reports
// are neither in the tabs nor in the API for her. The supervisor prices a
// proposal saved as the draft of Horizonte's script over its production and
// downloads the accountant's spreadsheet of a month.
// Usage: node relatorios.test.mjs /path/to/faturo   Screenshots: test-results/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { clinica, painel } from './harness.mjs';

const C = clinica('relatorios');
const { mustRun, shots, dir, regras } = C;
mustRun(['demo', '--guias', '150', '--competencia', '2025-03']);
const USERS = { faturista: ['bia', 'senha-fat-1'], supervisor: ['caio', 'senha-sup-1'] };
for (const [papel, [nome, senha]] of Object.entries(USERS)) mustRun(['usuario', 'criar', nome, '--papel', papel], senha + '\n');
const proposta = readFileSync(join(regras, 'operators', 'horizonte.lua'), 'utf8')
  .replace('medicamentos = { tabela = "brasindice", base = "pmc" },',
    'medicamentos = { tabela = "brasindice", base = "pmc", ajuste_bp = 1000 },');
assert.match(proposta, /ajuste_bp = 1000 \},/);

const P = await painel(C, { viewport: { width: 1360, height: 900 }, timeout: 20000, dialogos: false });
const { base, ctx, page, aviso, caso } = P;
const entrar = papel => P.entrar(USERS[papel][0], USERS[papel][1]);
/* click the export button of a block and return the downloaded bytes */
async function exporta(bloco, formato) {
  const [d] = await Promise.all([page.waitForEvent('download'),
    page.click(`section[data-tabela="${bloco}"] button[data-exporta="${formato}"]`)]);
  return { nome: d.suggestedFilename(), dados: readFileSync(await d.path()) };
}


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

await P.fim(await P.rodar('relatorios-falha.png'));
