// API test of the financeiro routes (Part G): roles (faturista enters, the
// supervisor confirms matches and closes the repasse), a statement uploaded
// and matched, a particular paid with its recibo, the repasse and its XLSX.
// Usage: node g_web_financeiro.mjs /path/to/faturo   (no npm dependencies)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const FATURO = process.argv[2];
const dir = mkdtempSync(join(tmpdir(), 'faturo-fin-api-'));
const db = join(dir, 'api.db');
const src = process.env.FAT_SOURCE_DIR || new URL('../..', import.meta.url).pathname;
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
mustRun(['conciliacao', 'conta', 'adicionar', '--banco', '001', '--agencia', '1234', '--conta', '56789-0']);
mustRun(['repasse', 'regra', '--profissional', '1', '--percentual', '60']);
const USERS = { supervisor: ['caio', 'senha-sup-1'], faturista: ['bia', 'senha-fat-1'] };
for (const [papel, [nome, senha]] of Object.entries(USERS)) mustRun(['usuario', 'criar', nome, '--papel', papel], senha + '\n');

const srv = spawn(FATURO, ['servidor', '--porta', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
srv.stderr.on('data', d => { log += d; });
const port = await new Promise((resolve, reject) => {
  let out = '';
  srv.stdout.on('data', d => { out += d; const m = /127\.0\.0\.1:(\d+)\//.exec(out); if (m) resolve(Number(m[1])); });
  srv.on('exit', c => reject(new Error('servidor saiu com ' + c + ': ' + log)));
  setTimeout(() => reject(new Error('servidor não respondeu: ' + log)), 15000);
});
const base = `http://127.0.0.1:${port}`;

async function call(method, path, s, { json, body } = {}) {
  const h = {};
  if (s) { h.Cookie = s.cookie; if (method !== 'GET') h['X-CSRF-Token'] = s.csrf; }
  if (json !== undefined) { h['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
  const r = await fetch(base + path, { method, headers: h, body });
  const buf = Buffer.from(await r.arrayBuffer());
  let j = null; try { j = JSON.parse(buf.toString('utf8')); } catch { /* not JSON */ }
  return { status: r.status, json: j, buf, type: r.headers.get('content-type') };
}
async function sessao(papel) {
  const r = await fetch(base + '/api/sessao', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ usuario: USERS[papel][0], senha: USERS[papel][1] }) });
  assert.equal(r.status, 200);
  const j = await r.json();
  return { cookie: r.headers.get('set-cookie').split(';')[0], csrf: j.csrf };
}

const ofx = `OFXHEADER:100
DATA:OFXSGML

<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>BRL
<BANKACCTFROM><BANKID>001<BRANCHID>1234<ACCTID>56789-0</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20250501<DTEND>20250531
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250508<TRNAMT>826.65<FITID>A1<MEMO>TED AURORA SAUDE</STMTTRN>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250509<TRNAMT>55.00<FITID>A2<MEMO>PIX DESCONHECIDO</STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
`;
let falhou = false;
const casos = [];
function caso(nome, fn) { casos.push([nome, fn]); }

caso('sem sessão: 401', async () => {
  for (const p of ['/api/financeiro/mapa', '/api/financeiro/conciliacao', '/api/financeiro/repasse?periodo=2025-05'])
    assert.equal((await call('GET', p, null)).status, 401, p);
});

caso('faturista cria a fatura com a NF e importa o extrato; não confirma', async () => {
  const f = await sessao('faturista');
  let r = await call('POST', '/api/financeiro/faturas', f, { json: { operadora: 'aurora', competencia: '2025-03' } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const id = r.json.id;
  r = await call('POST', `/api/financeiro/faturas/${id}/nf`, f, { json: { numero: '55', serie: 'A', data: '2025-04-10' } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.retencoes, 7335); // Aurora: 18,00 + 13,50 + 5,85 + 27,00 + 9,00 of 900,00
  assert.equal(r.json.valor_liquido, 82665);
  r = await call('POST', '/api/financeiro/extratos?nome=maio.ofx', f, { body: ofx });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.creditos, 2);
  r = await call('POST', '/api/financeiro/extratos?nome=maio.ofx', f, { body: ofx });
  assert.equal(r.json.ja_importado, true);
  r = await call('POST', '/api/financeiro/extratos?nome=lixo.ofx', f, { body: '<OFX><STMTRS>' });
  assert.equal(r.status, 400);
  assert.match(r.json.error.message, /linha 1/);
  r = await call('POST', '/api/financeiro/conciliacao/propor', f, { json: {} });
  assert.equal(r.status, 200);
  assert.equal(r.json.length, 1);
  const prop = r.json[0];
  r = await call('POST', `/api/financeiro/conciliacao/${prop.id}/confirmar`, f, { json: {} });
  assert.equal(r.status, 403, 'faturista não confirma');
  assert.equal(sql('SELECT COUNT(*) FROM recebimento'), '0');
});

caso('supervisor confirma; o crédito desconhecido continua pendente', async () => {
  const s = await sessao('supervisor');
  let r = await call('GET', '/api/financeiro/conciliacao', s);
  assert.equal(r.json.propostas.length, 1);
  r = await call('POST', `/api/financeiro/conciliacao/${r.json.propostas[0].id}/confirmar`, s, { json: {} });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.pendentes.length, 1);
  assert.equal(r.json.pendentes[0].valor, 5500);
  r = await call('GET', '/api/financeiro/mapa', s);
  assert.equal(r.json[0].nf_numero, '55');
  assert.equal(r.json[0].saldo_a_receber, 0);
});

caso('particular pago com recibo HTML', async () => {
  const f = await sessao('faturista');
  let r = await call('POST', '/api/financeiro/particulares', f, { json: { paciente: 'Maria da Silva', cpf: '52998224725',
    data: '2025-05-10', codigo: '10101012', valor: '250,00', profissional: 1 } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  r = await call('POST', `/api/financeiro/particulares/${r.json.id}/pagar`, f, { json: { forma: 'pix', data: '2025-05-10' } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  r = await call('GET', `/api/financeiro/recibos/${r.json.recibo}`, f);
  assert.match(r.type, /text\/html/);
  assert.match(r.buf.toString('utf8'), /duzentos e cinquenta reais/);
});

caso('repasse: faturista calcula, só o supervisor fecha; XLSX', async () => {
  const f = await sessao('faturista'), s = await sessao('supervisor');
  let r = await call('POST', '/api/financeiro/repasse/calcular', f, { json: { periodo: '2025-05' } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.ok(r.json.total_pagar > 0);
  r = await call('POST', '/api/financeiro/repasse/fechar', f, { json: { periodo: '2025-05' } });
  assert.equal(r.status, 403);
  r = await call('GET', '/api/financeiro/repasse/xlsx?periodo=2025-05', f);
  assert.equal(r.status, 200);
  assert.equal(r.buf.subarray(0, 2).toString(), 'PK');
  r = await call('POST', '/api/financeiro/repasse/fechar', s, { json: { periodo: '2025-05' } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  r = await call('POST', '/api/financeiro/repasse/calcular', s, { json: { periodo: '2025-05' } });
  assert.equal(r.status, 409);
  assert.equal(sql("SELECT COUNT(*) FROM auditoria WHERE acao = 'repasse.fechar' AND usuario = 'caio'") >= '1', true);
  r = await call('GET', '/api/financeiro/verificar', s);
  assert.ok(r.json.every(c => c.ok), JSON.stringify(r.json));
});

caso('lotes da fatura por cursor: páginas sem repetição nem falta; o mapa conta os lotes', async () => {
  const s = await sessao('faturista');
  // three more sent lotes of the month join fatura 1 (the counters follow by trigger)
  sql(`INSERT INTO lote (id, operadora_id, prestador_id, numero, tipo_guia, competencia, status, valor_informado,
    enviado_em) VALUES (12, 1, 1, 12, 'sp-sadt', '2025-03', 'enviado', 100, '2025-04-06'),
    (11, 1, 1, 13, 'sp-sadt', '2025-03', 'enviado', 200, '2025-04-06'),
    (13, 1, 1, 11, 'sp-sadt', '2025-03', 'enviado', 300, '2025-04-06');
    INSERT INTO fatura_lote (fatura_id, lote_id) VALUES (1, 11), (1, 12), (1, 13);`);
  let r = await call('GET', '/api/financeiro/mapa?competencia=2025-03', s);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json[0].qtd_lotes, 4);
  assert.equal(r.json[0].lotes, undefined);
  assert.equal(r.json[0].valor_enviado, 90600);
  const numeros = [];
  let apos = null, paginas = 0;
  do {
    r = await call('GET', `/api/financeiro/faturas/1/lotes?limite=3${apos ? '&apos=' + apos : ''}`, s);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    numeros.push(...r.json.lotes.map(l => l.numero));
    apos = r.json.proximo;
    paginas++;
  } while (apos && paginas < 5);
  assert.deepEqual(numeros, [1, 11, 12, 13]);
  assert.equal(paginas, 2);
  r = await call('GET', '/api/financeiro/faturas/1/lotes?limite=501', s);
  assert.equal(r.status, 400);
  r = await call('GET', '/api/financeiro/faturas/999/lotes', s);
  assert.equal(r.status, 404);
});

for (const [nome, fn] of casos) {
  try { await fn(); console.log('ok   ' + nome); }
  catch (e) { falhou = true; console.log('FALHA ' + nome + '\n      ' + (e.stack || e)); }
}
srv.kill('SIGTERM');
await new Promise(r => srv.on('exit', r));
if (falhou) { console.log('--- log do servidor ---\n' + log.slice(-3000)); process.exit(1); }
rmSync(dir, { recursive: true, force: true });
