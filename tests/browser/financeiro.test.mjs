// Browser test of the Financeiro screen (Part G): Debian's chromium driven by
// playwright-core. A supervisor uploads a bank statement, proposes and
// confirms the match, registers and receives a particular, computes and
// closes the repasse; a faturista sees no confirm/close buttons.
// Usage: node financeiro.test.mjs /path/to/faturo   Screenshots: test-results/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { clinica, painel } from './harness.mjs';

const C = clinica('financeiro');
const { mustRun, sql, shots, dir } = C;
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

/* a clinic in Brasília: the server runs in its time zone, and the panel dates
 * in the server's zone (GET /api/sessao) */
const P = await painel(C, { viewport: { width: 1360, height: 900 }, popups: true, timezoneId: 'America/Sao_Paulo' });
const { base, page, aviso, caso } = P;
const entrar = papel => P.entrar(USERS[papel][0], USERS[papel][1]);

caso('faturista importa o extrato e propõe; não vê o botão de confirmar', async () => {
  await entrar('faturista');
  await page.goto(base + '/#/financeiro');
  await page.waitForSelector('#fin-mapa table');
  assert.match(await page.textContent('#fin-mapa'), /Aurora Saúde/);
  /* a fatura's row counts its lotes; the button lists them page by page */
  await page.click('#fin-mapa .fin-ver-lotes');
  await page.waitForSelector('#fin-mapa-lotes table');
  assert.match(await page.textContent('#fin-mapa-lotes h3'), /Lotes da fatura 1 — Aurora Saúde \(1\)/);
  assert.equal(await page.textContent('#fin-mapa-lotes tbody td'), '1');
  assert.equal(await page.locator('#fin-mapa-lotes .pag-proxima').isDisabled(), true);
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
  await page.waitForFunction(() => /recebido/.test((document.getElementById('fin-mapa')?.textContent || '')));
  await page.fill('#p-paciente', 'Maria da Silva');
  await page.fill('#p-data', '2025-05-10');
  await page.fill('#p-codigo', '10101012');
  await page.fill('#p-valor', '250,00');
  await page.click('#p-registrar');
  await aviso(/particular registrado/);
  /* 23:30 in Brasília is 02:30 UTC of the next day: the payment is dated
   * on the clinic's day */
  await page.clock.setFixedTime(new Date('2025-05-11T02:30:00Z'));
  await page.waitForSelector('#fin-particulares button');
  await page.click('#fin-particulares button');
  await aviso(/recibo 1/);
  assert.equal(sql('SELECT data FROM particular_pagamento'), '2025-05-10');
  await page.fill('#rep-periodo', '2025-05');
  await page.click('#rep-calcular');
  await page.waitForSelector('#fin-repasse table');
  assert.match(await page.textContent('#fin-repasse'), /Dra\. Ana Lima/);
  await page.screenshot({ path: join(shots, 'financeiro.png'), fullPage: true });
  await page.click('#rep-fechar');
  await aviso(/Repasse fechado/);
  assert.equal(sql("SELECT status FROM repasse WHERE periodo = '2025-05'"), 'fechado');
});

await P.fim(await P.rodar('financeiro-falha.png'));
