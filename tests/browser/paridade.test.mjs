// Browser tests of Part L's panel parity: what the faturista does daily in
// the CLI, done in the panel (Debian's chromium via playwright-core).
// Usage: node paridade.test.mjs /path/to/faturo
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { clinica, painel } from './harness.mjs';

const C = clinica('paridade');
const { run, mustRun, sql, shots, dir } = C;
mustRun(['init']);
// the whole cycle up to recursos: pending guias, lotes processed, glosas, recursos in rascunho
mustRun(['demo', '--guias', '200', '--ate-etapa', 'recurso']);
mustRun(['usuario', 'criar', 'bia', '--papel', 'faturista'], 'senha-fat-1\n');

const P = await painel(C, { viewport: { width: 1024, height: 800 }, timezoneId: 'America/Sao_Paulo' });
const { base, ctx, page, aviso, caso } = P;
const entrar = () => P.entrar('bia', 'senha-fat-1');
async function irPara(hash, seletor) {
  await page.goto(base + '/' + hash);
  await page.waitForSelector(seletor);
}
/* No horizontal scroll at 1024 px, every form control labelled, no internal key shown. */
async function confereTela(nome) {
  const r = await page.evaluate(() => ({
    largura: document.documentElement.scrollWidth,
    semRotulo: [...document.querySelectorAll('#tela input, #tela select, #tela textarea')]
      .filter(e => e.type !== 'hidden' && !e.closest('label') && !e.getAttribute('aria-label') &&
        !(e.id && document.querySelector(`label[for="${e.id}"]`)))
      .map(e => e.id || e.name || e.outerHTML.slice(0, 60)),
    /* finding messages are the rules' text (conferir's part), checked apart */
    texto: (() => { const c = document.getElementById('tela').cloneNode(true);
      c.querySelectorAll('.mensagem-motor').forEach(e => e.remove()); return c.textContent; })(),
  }));
  assert.ok(r.largura <= 1024, `${nome}: a tela tem ${r.largura} px de largura (máximo 1024)`);
  assert.deepEqual(r.semRotulo, [], `${nome}: campos sem rótulo`);
  assert.doesNotMatch(r.texto, /sp-sadt|resumo-internacao|em_lote|em_recurso|a_classificar|recuperada_parcial|pago_parcial|deferido_parcial/,
    `${nome}: chave interna à mostra`);
  assert.doesNotMatch(r.texto, /\b\d{4}-\d{2}-\d{2}\b/, `${nome}: data AAAA-MM-DD à mostra`);
  assert.doesNotMatch(r.texto, /\[object |undefined|NaN/, nome);
}


/* Two new guias from a pending one of the demo (its JSON form, new números). */
function guiasNovas(sufixos) {
  const id = sql("SELECT id FROM guia WHERE status = 'pendente' AND tipo = 'consulta' ORDER BY id LIMIT 1");
  const todas = JSON.parse(mustRun(['exportar', 'guias', '--formato', 'json']));
  const lista = Array.isArray(todas) ? todas : todas.guias;
  const numero = sql(`SELECT numero_prestador FROM guia WHERE id = ${id}`);
  const g = lista.find(x => x.numero_prestador === numero);
  assert.ok(g, 'guia do demo no export');
  return sufixos.map(s => {
    const c = structuredClone(g);
    c.numero_prestador = 'UPL' + s;
    delete c.id; delete c.status; delete c.revisao;
    return c;
  });
}

caso('importar guias por upload: um arquivo bom grava as guias', async () => {
  const arq = join(dir, 'guias-boas.json');
  writeFileSync(arq, JSON.stringify({ guias: guiasNovas(['001', '002']) }));
  await entrar();
  await irPara('#/importar', '#i-guias-arquivo');
  await confereTela('importar');
  await page.setInputFiles('#i-guias-arquivo', arq);
  await page.click('#i-guias-enviar');
  await aviso(/2 guia\(s\) nova\(s\)/);
  await page.waitForSelector('#i-guias-resultado .cartao');
  assert.equal(sql("SELECT count(*) FROM guia WHERE numero_prestador IN ('UPL001', 'UPL002')"), '2');
  assert.match(sql("SELECT acao FROM auditoria WHERE acao = 'guia.importar' ORDER BY id DESC LIMIT 1"), /guia\.importar/);
  await page.screenshot({ path: join(shots, 'importar.png'), fullPage: true });
});

caso('importar guias por upload: um arquivo com erro é recusado inteiro, com a guia e o campo', async () => {
  const [boa, ruim] = guiasNovas(['101', '102']);
  ruim.data_inicio = '31/02/2026';
  const arq = join(dir, 'guias-ruins.json');
  writeFileSync(arq, JSON.stringify({ guias: [boa, ruim] }));
  const antes = sql('SELECT count(*) FROM guia');
  await entrar();
  await irPara('#/importar', '#i-guias-arquivo');
  await page.setInputFiles('#i-guias-arquivo', arq);
  await page.click('#i-guias-enviar');
  await aviso(/recusado: nada foi gravado/);
  const msg = await page.textContent('#i-guias-resultado .recusa');
  assert.match(msg, /guias-ruins\.json/, 'a mensagem nomeia o arquivo');
  assert.match(msg, /data_inicio/, 'a mensagem nomeia o campo: ' + msg);
  assert.match(msg, /2/, 'a mensagem nomeia a guia (2ª do arquivo): ' + msg);
  assert.equal(sql('SELECT count(*) FROM guia'), antes, 'nada do arquivo foi gravado');
  assert.equal(sql("SELECT count(*) FROM guia WHERE numero_prestador = 'UPL101'"), '0');
  // CSV too: a line with a bad value names the line
  const csv = mustRun(['exportar', 'guias', '--formato', 'csv']).split(/\r?\n/);
  const linhas = [csv[0], csv[1].replace(/;\d{4}-\d{2}-\d{2};/, ';99/99/2026;')];
  writeFileSync(join(dir, 'guias-ruins.csv'), linhas.join('\r\n') + '\r\n');
  await page.setInputFiles('#i-guias-arquivo', join(dir, 'guias-ruins.csv'));
  await page.click('#i-guias-enviar');
  await page.waitForFunction(() => /linha 2/.test((document.querySelector('#i-guias-resultado .recusa') || {}).textContent || ''));
});

caso('auditoria da agenda por upload: atendimento sem guia e linha recusada', async () => {
  const ag = ['data;hora;beneficiario;profissional;procedimento;situacao',
    '05/11/2026;09:00;99999999999999;;10101012;atendido',
    'ontem;10:00;123;;10101012;atendido'].join('\n') + '\n';
  writeFileSync(join(dir, 'agenda.csv'), ag);
  await entrar();
  await irPara('#/importar', '#i-agenda-arquivo');
  await page.setInputFiles('#i-agenda-arquivo', join(dir, 'agenda.csv'));
  await page.click('#i-agenda-enviar');
  await aviso(/Agenda conferida: 1 atendimento\(s\) sem guia/);
  const t = await page.textContent('#i-agenda-resultado');
  assert.match(t, /Atendimentos sem guia/);
  assert.match(t, /Linhas recusadas/);
  assert.match(t, /05\/11\/2026/);
  assert.equal(sql("SELECT count(*) > 0 FROM acesso WHERE usuario = 'bia' AND acao = 'POST /api/auditoria/agenda'"), '1',
    'as guias da auditoria ficam no registro de acessos');
  await confereTela('agenda');
});

caso('preço com os passos: tabela, porte, deflator, resultado; quantidade sem 1,0000', async () => {
  await entrar();
  await irPara('#/preco', '#p-codigo');
  await page.selectOption('#p-operadora', 'aurora');
  await page.fill('#p-codigo', '10101012');
  await page.fill('#p-quantidade', '2,5');
  await page.click('#p-calcular');
  await page.waitForSelector('#preco-passos li');
  const passos = await page.$$eval('#preco-passos li', ls => ls.map(l => [l.dataset.passo, l.textContent]));
  const ids = passos.map(p => p[0]);
  assert.ok(ids.includes('porte') && ids.includes('total'), ids.join(','));
  const t = await page.textContent('#preco-resultado');
  assert.match(t, /CBHPM/); assert.match(t, /deflator/); assert.match(t, /resultado/);
  assert.match(t, /quantidade 2,5 ×/);
  assert.doesNotMatch(t, /,0000|\.0000/);
  assert.match(await page.inputValue('#p-data'), /^\d{2}\/\d{2}\/\d{4}$/, 'data em DD/MM/AAAA');
  const cli = JSON.parse(mustRun(['--json', 'preco', 'aurora', '10101012', '--quantidade', '2,5', '--data',
    await page.inputValue('#p-data')]));
  assert.match(t.replace(/\u00a0/g, ' '), new RegExp('R\\$ ' + (cli.valor_total / 100).toFixed(2).replace('.', ',')),
    'o painel mostra o total que a CLI calcula');
  await confereTela('preco');
  // a code not in the table: the engine's message, not a blank screen
  await page.fill('#p-codigo', '99999999');
  await page.click('#p-calcular');
  await page.waitForSelector('#preco-resultado .erro');
  assert.match(await page.textContent('#preco-resultado .erro'), /vigente em \d{2}\/\d{2}\/\d{4}/);
  await page.screenshot({ path: join(shots, 'preco.png'), fullPage: true });
});

caso('lotes: filtro por situação e competência, paginação e a relação de guias imprimível', async () => {
  await entrar();
  await irPara('#/lotes', '#lotes-lista table tbody tr');
  await page.selectOption('#l-por-pagina', '10');
  await page.waitForFunction(() => document.querySelectorAll('#lotes-lista table tbody tr').length === 10);
  const pag1 = await page.$$eval('#lotes-lista table tbody tr', trs => trs.map(tr => tr.cells[0].textContent + tr.cells[1].textContent));
  await page.click('.paginacao .pag-proxima');
  await page.waitForFunction((a) => [...document.querySelectorAll('#lotes-lista table tbody tr')]
    .map(tr => tr.cells[0].textContent + tr.cells[1].textContent).join() !== a, pag1.join());
  const pag2 = await page.$$eval('#lotes-lista table tbody tr', trs => trs.map(tr => tr.cells[0].textContent + tr.cells[1].textContent));
  assert.equal(pag1.filter(x => pag2.includes(x)).length, 0, 'páginas sem repetição');
  // filter: situação processado of the demo's competência
  const comp = sql("SELECT competencia FROM lote ORDER BY id LIMIT 1");
  const esperado = Number(sql(`SELECT count(*) FROM lote WHERE status = 'processado' AND competencia = '${comp}'`));
  assert.ok(esperado > 0);
  await page.selectOption('#l-por-pagina', '100');
  await page.selectOption('#l-situacao', 'processado');
  await page.fill('#l-competencia', comp);
  await page.click('#l-filtrar');
  await page.waitForFunction((n) => document.querySelectorAll('#lotes-lista table tbody tr').length === n, esperado);
  const sits = await page.$$eval('#lotes-lista table tbody tr', trs => trs.map(tr => tr.cells[4].textContent));
  assert.ok(sits.every(s => s === 'processado'), sits.join(','));
  await confereTela('lotes');
  // keyboard: the row opens the relação with Enter
  await page.focus('#lotes-lista table tbody tr');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#relacao table tbody tr');
  const id = (await page.evaluate(() => location.hash)).split('/')[2];
  const n = Number(sql(`SELECT count(*) FROM guia WHERE lote_id = ${Number(id)}`));
  assert.equal((await page.$$('#relacao table tbody tr')).length, n, 'uma linha por guia do lote');
  const rel = await page.textContent('#relacao');
  assert.match(rel, /Relação de guias — lote/); assert.match(rel, /R\$/);
  assert.ok(await page.isVisible('#relacao-imprimir'));
  await confereTela('relação');
  // the physical papers: the delivery record and a guia's signed paper in hand
  await page.waitForSelector('#papel-form');
  const hoje = await page.evaluate(() => Faturo.hojeBR());
  await page.fill('#pp-data', hoje);
  await page.fill('#pp-por', 'Jorge (motoboy)');
  await page.fill('#pp-protocolo', 'PR-555');
  await page.click('#papel-registrar');
  await aviso(/Entrega dos papéis registrada/);
  const [d, m, a] = hoje.split('/');
  assert.equal(sql(`SELECT entregue_em || '|' || entregue_por || '|' || protocolo FROM lote_papel WHERE lote_id = ${Number(id)}`),
    `${a}-${m}-${d}|Jorge (motoboy)|PR-555`);
  await page.waitForFunction(() => /Entregue em \d{2}\/\d{2}\/\d{4} por Jorge/.test((document.getElementById('papel-situacao')?.textContent || '')));
  const pend = (await page.$$('#papel-pendentes .papel-recebido')).length;
  assert.equal(pend, n, 'todas as guias sem papel no começo');
  await page.click('#papel-pendentes .papel-recebido');
  await aviso(/Papel da guia .* recebido/);
  await page.waitForFunction((k) => document.querySelectorAll('#papel-pendentes .papel-recebido').length === k, pend - 1);
  assert.equal(sql(`SELECT count(*) FROM guia_papel p JOIN guia g ON g.id = p.guia_id WHERE g.lote_id = ${Number(id)}`), '1');
  await confereTela('papéis do lote');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('.topo'), false, 'o topo não sai na impressão');
  assert.equal(await page.isVisible('#relacao-imprimir'), false, 'o botão não sai na impressão');
  await page.pdf({ path: join(shots, 'relacao.pdf') }).catch(() => {});
  await page.emulateMedia({ media: 'screen' });
  await page.screenshot({ path: join(shots, 'relacao.png'), fullPage: true });
});

caso('recurso: editar a justificativa, enviar, protocolo e resposta por item', async () => {
  const rid = sql("SELECT id FROM recurso WHERE status = 'rascunho' ORDER BY id LIMIT 1");
  assert.ok(rid, 'o demo deixa um recurso em rascunho');
  const item = sql(`SELECT id FROM recurso_item WHERE recurso_id = ${rid} ORDER BY id LIMIT 1`);
  const glosa = sql(`SELECT glosa_id FROM recurso_item WHERE id = ${item}`);
  const rec = Number(sql(`SELECT valor_recursado FROM recurso_item WHERE id = ${item}`));
  await entrar();
  await irPara('#/glosas', '#recursos-lista table tbody tr');
  await page.click(`#recursos-lista a[href="#/recurso/${rid}"]`);
  await page.waitForSelector(`#rj-${item}`);
  await confereTela('recurso');
  assert.equal(sql("SELECT count(*) > 0 FROM acesso WHERE usuario = 'bia' AND acao = 'GET /api/recursos/{}'"), '1',
    'abrir o recurso fica no registro de acessos');
  const texto = 'Procedimento autorizado pela senha 123456; segue a guia assinada pelo beneficiário.';
  await page.fill(`#rj-${item}`, texto);
  await page.click('.rj-salvar');
  await aviso(/Justificativa do item 1 salva/);
  assert.equal(sql(`SELECT justificativa FROM recurso_item WHERE id = ${item}`), texto);
  await page.fill('#r-envio-data', '02/12/2026');
  await page.click('#r-enviar-recurso');
  await aviso(/enviado/);
  await page.waitForSelector('#r-protocolo-numero');
  assert.equal(sql(`SELECT status FROM recurso WHERE id = ${rid}`), 'enviado');
  assert.match(sql(`SELECT enviado_em FROM recurso WHERE id = ${rid}`), /^2026-12-02/);
  await page.fill('#r-protocolo-numero', 'REC-2026-77');
  await page.click('#r-protocolar');
  await aviso(/Protocolo do recurso registrado/);
  await page.waitForSelector(`#rv-${item}`);
  assert.equal(sql(`SELECT status || '/' || protocolo FROM recurso WHERE id = ${rid}`), 'protocolado/REC-2026-77');
  const parcial = Math.floor(rec / 2);
  await page.fill(`#rv-${item}`, (parcial / 100).toFixed(2).replace('.', ','));
  await page.click('.rv-registrar');
  await aviso(/Resposta do item 1 registrada/);
  await page.waitForFunction(() => !document.querySelector('.rv-registrar'));
  assert.equal(sql(`SELECT valor_deferido FROM recurso_item WHERE id = ${item}`), String(parcial));
  assert.equal(sql(`SELECT situacao FROM glosa WHERE id = ${glosa}`), parcial > 0 ? 'recuperada_parcial' : 'perdida');
  await confereTela('recurso respondido');
  await page.screenshot({ path: join(shots, 'recurso.png'), fullPage: true });
});

caso('glosa manual: registrada pelo painel, com o valor e a classificação', async () => {
  const [gid, numero, op] = sql("SELECT g.id, g.numero_prestador, o.script FROM guia g JOIN operadora o ON o.id = g.operadora_id " +
    "WHERE g.status = 'processada' AND NOT EXISTS (SELECT 1 FROM glosa x WHERE x.guia_id = g.id) ORDER BY g.id LIMIT 1").split('|');
  await entrar();
  await irPara('#/glosas', '#glosa-manual');
  await page.fill('#gm-guia', numero);
  await page.selectOption('#gm-operadora', op);
  await page.fill('#gm-item', '1');
  await page.fill('#gm-codigo', '1801');
  await page.fill('#gm-valor', '1,23');
  await page.fill('#gm-obs', 'comunicada por carta');
  await page.click('#gm-registrar');
  await aviso(/Glosa manual registrada/);
  assert.equal(sql(`SELECT codigo || '/' || valor || '/' || origem FROM glosa WHERE guia_id = ${gid}`), '1801/123/manual');
  assert.match(await page.textContent('#gm-resultado'), /R\$\s?1,23/);
  // a refusal keeps the form and shows the engine's message
  await page.fill('#gm-guia', 'NAO-EXISTE');
  await page.fill('#gm-codigo', '1801');
  await page.click('#gm-registrar');
  await page.waitForSelector('#gm-resultado .erro');
  await confereTela('glosas');
});

caso('achados: filtro, R$ em risco por código, CSV e reconhecimento em lote com um motivo', async () => {
  await entrar();
  await irPara('#/achados', '#achados-por-codigo table tbody tr');
  await confereTela('achados');
  await page.selectOption('#a-severidade', 'bloqueio');
  await page.waitForFunction(() => [...document.querySelectorAll('#achados-lista table tbody tr')].every(tr => /bloqueio/.test(tr.textContent)));
  const abertos = Number(sql("SELECT count(*) FROM achado a JOIN guia g ON g.id = a.guia_id WHERE a.reconhecido_em IS NULL AND a.severidade = 'bloqueio' AND g.status <> 'cancelada'"));
  assert.ok(abertos >= 2, 'o demo deixa bloqueios em aberto');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#a-csv')]);
  const csv = readFileSync(await dl.path(), 'utf8');
  assert.ok(csv.startsWith('\ufeff'), 'CSV em UTF-8 com BOM');
  assert.ok(csv.split(/\r?\n/).some(l => /;Bloqueio;/.test(l)), 'CSV com ; e uma linha por bloqueio');
  // a faturista cannot acknowledge a bloqueio: refused, nothing acknowledged
  const b1 = await page.$('#achados-lista input.a-marca');
  const bid = await b1.getAttribute('value');
  await b1.check();
  await page.fill('#a-motivo', 'tentativa');
  await page.click('#a-reconhecer');
  await aviso(/só um supervisor pode reconhecer um bloqueio/);
  assert.equal(sql(`SELECT reconhecido_em IS NULL FROM achado WHERE id = ${bid}`), '1');
  // alertas: two at once with one motivo
  await page.selectOption('#a-severidade', 'alerta');
  await page.waitForFunction(() => { const trs = [...document.querySelectorAll('#achados-lista table tbody tr')];
    return trs.length > 0 && trs.every(tr => /alerta/.test(tr.textContent)); });
  const marcas = await page.$$('#achados-lista input.a-marca');
  assert.ok(marcas.length >= 2, 'o demo deixa alertas em aberto');
  const ids = [];
  for (const m of marcas.slice(0, 2)) { await m.check(); ids.push(await m.getAttribute('value')); }
  await page.fill('#a-motivo', 'operadora dispensa nesta competência');
  await page.click('#a-reconhecer');
  await aviso(/2 achado\(s\) reconhecido\(s\)/);
  assert.equal(sql(`SELECT count(*) FROM achado WHERE id IN (${ids.join(',')}) AND reconhecido_em IS NOT NULL AND reconhecido_motivo = 'operadora dispensa nesta competência'`), '2');
  await page.waitForFunction((n) => [...document.querySelectorAll('#achados-lista input.a-marca')].length === n, marcas.length - 2);
  // competência and profissional filters narrow the list to what they name
  await page.selectOption('#a-severidade', '');
  const [comp, prof] = sql("SELECT g.competencia, p.nome FROM achado a JOIN guia g ON g.id = a.guia_id " +
    "JOIN profissional p ON p.id = g.executante_id WHERE a.reconhecido_em IS NULL ORDER BY a.id LIMIT 1").split('|');
  await page.fill('#a-competencia', comp);
  await page.fill('#a-profissional', prof.split(' ')[0] + ' ' + prof.split(' ')[1]);
  await page.click('#a-filtrar');
  await page.waitForFunction((p) => { const trs = [...document.querySelectorAll('#achados-lista table tbody tr')];
    return trs.length > 0 && trs.every(tr => tr.cells[3].textContent.includes(p)); }, prof.split(' ')[0]);
  const comps = await page.$$eval('#achados-lista table tbody tr', trs => trs.map(tr => tr.cells[1].querySelector('.meta').textContent));
  const [a, m] = comp.split('-');
  assert.ok(comps.every(c => c === `${m}/${a}`), comps.join(','));
  await page.screenshot({ path: join(shots, 'achados.png'), fullPage: true });
});

caso('conferir e retornos: rótulos, 1024 px e linhas alcançáveis pelo teclado', async () => {
  await entrar();
  await irPara('#/retornos', '#retornos-lista table tbody tr');
  await confereTela('retornos');
  await irPara('#/conferir', '#conferir-rodar');
  await page.selectOption('#c-operadora', '');
  await page.fill('#c-competencia', '');
  await page.click('#conferir-rodar');
  await aviso(/Conferência concluída/);
  await confereTela('conferir');
  const linhas = await page.$$('#conferir-resultado table tbody tr');
  if (linhas.length) {
    await linhas[0].focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /^#\/guias\/\d+/.test(location.hash));
  }
});

caso('formatos pt-BR nos auxiliares: quantidade, cores e rótulos', async () => {
  await entrar();
  const f = await page.evaluate(() => ({
    q1: Faturo.quantidade('1.0000'), q2: Faturo.quantidade(25000, true), q3: Faturo.quantidade(1234, true),
    indevida: Faturo.cor('classificacao', 'indevida'), devida: Faturo.cor('classificacao', 'devida'),
    hora: Faturo.data('2026-07-01T02:05:00Z'), sqlite: Faturo.data('2026-07-01 02:05:00'),
    passo: Faturo.rotulo('passo', 'total'),
  }));
  assert.deepEqual(f, { q1: '1', q2: '2,5', q3: '0,1234', indevida: 'recuperar', devida: 'neutro',
    hora: '30/06/2026 23:05', sqlite: '30/06/2026 23:05', passo: 'resultado' });
});

await P.fim(await P.rodar('paridade-falha.png'));
