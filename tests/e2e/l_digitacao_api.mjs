// The digitação API (Part L, docs/guias.md): avaliar without storing, drafts,
// saving a typed guia, the look-ups and their limits, the access log of the
// beneficiário search. Usage: node l_digitacao_api.mjs /path/to/faturo
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const FATURO = process.argv[2];
if (!FATURO) { console.error('uso: node l_digitacao_api.mjs CAMINHO_DO_FATURO'); process.exit(2); }
const dir = mkdtempSync(join(tmpdir(), 'faturo-digitacao-'));
const src = process.env.FAT_SOURCE_DIR || new URL('../..', import.meta.url).pathname;
const regras = join(dir, 'regras');
cpSync(join(src, 'rules'), regras, { recursive: true });
cpSync(join(src, 'scripts'), join(regras, 'scripts'), { recursive: true });
const env = { ...process.env, FATURO_DB: join(dir, 'd.db'), FATURO_REGRAS: regras, USER: 'teste' };

function mustRun(args, input) {
  const r = spawnSync(FATURO, args, { env, input, encoding: 'utf8' });
  assert.equal(r.status, 0, `faturo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
mustRun(['init']);
mustRun(['demo', '--guias', '100', '--ate-etapa', 'precos']);
mustRun(['usuario', 'criar', 'bia', '--papel', 'faturista'], 'senha-fat-1\n');

const srv = spawn(FATURO, ['servidor', '--porta', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
srv.stderr.on('data', d => { log += d; });
const port = await new Promise((resolve, reject) => {
  let out = '';
  srv.stdout.on('data', d => { out += d; const m = /127\.0\.0\.1:(\d+)\//.exec(out); if (m) resolve(Number(m[1])); });
  srv.on('exit', c => reject(new Error('servidor saiu com ' + c + ': ' + log)));
  setTimeout(() => reject(new Error('servidor não respondeu: ' + log)), 30000);
});
const base = `http://127.0.0.1:${port}`;
let cookie = '', csrf = '';
async function call(method, path, json, semCsrf) {
  const h = { Cookie: cookie };
  if (!semCsrf && method !== 'GET') h['X-CSRF-Token'] = csrf;
  if (json !== undefined) h['Content-Type'] = 'application/json';
  const r = await fetch(base + path, { method, headers: h, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await r.text();
  let j = null; try { j = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, json: j, text };
}

const CONSULTA = {
  tipo: 'consulta', operadora: { registro_ans: '312347' }, prestador: { cnpj: '40.877.352/0001-44' },
  numero_prestador: 'API-C1', carteira_numero: '3123470000555001', beneficiario: { nome: 'Irene Api Souza' },
  data_inicio: '20/11/2026', tipo_consulta: '1',
  executante: { nome: 'Dra. Api', conselho: 'CRM', numero_conselho: '12345', uf: 'SP', cbo: '225125' },
  itens: [{ codigo_tabela: '22', codigo: '10101012', quantidade: '1' }],
};

let falhou = false;
const casos = [];
function caso(nome, fn) { casos.push([nome, fn]); }

caso('login', async () => {
  const r = await fetch(base + '/api/sessao', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ usuario: 'bia', senha: 'senha-fat-1' }) });
  assert.equal(r.status, 200);
  cookie = r.headers.get('set-cookie').split(';')[0];
  csrf = (await r.json()).csrf;
});

caso('avaliar pede o formulário e diz o que falta, sem gravar nada', async () => {
  let r = await call('POST', '/api/digitacao/avaliar', { nada: 1 });
  assert.equal(r.status, 400);
  assert.match(r.json.error.message, /guia/);
  r = await call('POST', '/api/digitacao/avaliar', { guia: { tipo: 'consulta' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.valido, false);
  assert.ok(r.json.erros.length > 0 && r.json.erros[0].mensagem);
  r = await call('POST', '/api/digitacao/avaliar', { guia: CONSULTA });
  assert.equal(r.json.valido, true, r.text);
  assert.ok(r.json.valor_total > 0, 'o contrato dá o preço da consulta');
  assert.equal(r.json.precos[0].item, 1);
  const g = await call('GET', '/api/guias?busca=API-C1');
  assert.equal(g.json.guias.length, 0, 'avaliar não grava');
  r = await call('POST', '/api/digitacao/avaliar', { guia: CONSULTA }, true);
  assert.equal(r.status, 403, 'sem o cabeçalho CSRF, recusado');
});

let rid = 0;
caso('rascunho: criar, listar, alterar, ler e apagar', async () => {
  let r = await call('POST', '/api/digitacao/rascunhos', { guia: { tipo: 'sp-sadt', numero_prestador: 'RASC-1' } });
  assert.equal(r.status, 200, r.text);
  rid = r.json.id;
  assert.ok(rid > 0);
  r = await call('GET', '/api/digitacao/rascunhos');
  assert.ok(r.json.rascunhos.some(x => x.id === rid && x.numero_prestador === 'RASC-1'));
  r = await call('PUT', '/api/digitacao/rascunhos/' + rid, { guia: { ...CONSULTA } });
  assert.equal(r.json.id, rid);
  r = await call('GET', '/api/digitacao/rascunhos/' + rid);
  assert.equal(r.json.rascunho.guia.numero_prestador, 'API-C1');
  r = await call('PUT', '/api/digitacao/rascunhos/abc', { guia: {} });
  assert.equal(r.status, 400);
  r = await call('DELETE', '/api/digitacao/rascunhos/999999');
  assert.equal(r.status, 404);
});

caso('gravar o rascunho vira guia conferida e o rascunho some; número repetido é recusado', async () => {
  let r = await call('POST', '/api/digitacao', { guia: CONSULTA, rascunho_id: rid });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.guia_id > 0);
  assert.equal(r.json.revisao, 1);
  assert.ok(['conferida', 'pendente'].includes(r.json.status), r.json.status);
  r = await call('GET', '/api/digitacao/rascunhos/' + rid);
  assert.equal(r.status, 404);
  r = await call('POST', '/api/digitacao', { guia: CONSULTA });
  assert.equal(r.status, 409);
  assert.match(r.json.error.message, /API-C1/);
  r = await call('POST', '/api/digitacao', { guia: CONSULTA, rascunho_id: -3 });
  assert.equal(r.status, 400);
});

caso('buscas: procedimentos, beneficiários (no registro de acessos), profissionais, prestadores', async () => {
  let r = await call('GET', '/api/busca/procedimentos?termo=Hemograma');
  assert.ok(r.json.procedimentos.some(p => p.codigo === '40304361' && p.tabela === '22'), r.text);
  r = await call('GET', '/api/busca/procedimentos?termo=h');
  assert.equal(r.status, 400);
  r = await call('GET', '/api/busca/procedimentos?termo=40&limite=0');
  assert.equal(r.status, 400);
  assert.match(r.json.error.message, /limite/);
  r = await call('GET', '/api/busca/procedimentos?termo=40&limite=2');
  assert.equal(r.json.procedimentos.length, 2);
  r = await call('GET', '/api/busca/beneficiarios?termo=Irene&operadora=312347');
  assert.equal(r.json.beneficiarios.length, 1, r.text);
  const ben = r.json.beneficiarios[0];
  const acessos = JSON.parse(mustRun(['--json', 'auditoria', 'acessos', '--usuario', 'bia']));
  assert.ok(acessos.some(a => a.acao === 'GET /api/busca/beneficiarios' && a.objeto === 'beneficiario' &&
    a.registros === String(ben.id)), JSON.stringify(acessos.slice(0, 3)));
  r = await call('GET', '/api/busca/profissionais?termo=Eduardo');
  assert.ok(r.json.profissionais.length > 0 && r.json.profissionais[0].conselho);
  r = await call('GET', '/api/prestadores');
  assert.deepEqual(r.json.prestadores.map(p => p.cnpj), ['40877352000144']);
});

for (const [nome, fn] of casos) {
  try { await fn(); console.log('ok   ' + nome); }
  catch (e) { falhou = true; console.log('FALHA ' + nome + '\n      ' + (e.stack || e)); }
}
srv.kill('SIGTERM');
await new Promise(r => srv.on('exit', r));
if (falhou) { console.log('--- log do servidor ---\n' + log.slice(-3000)); process.exit(1); }
rmSync(dir, { recursive: true, force: true });
