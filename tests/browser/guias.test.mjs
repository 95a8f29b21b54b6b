// Browser tests of the faturista's work on one guia (Part L): typing the four
// TISS guia types by hand, fixing a bloqueio, cancelling a duplicate,
// attachments and the printable guia, in Debian's chromium driven by
// playwright-core. Usage: node guias.test.mjs /path/to/faturo
// Screenshots go to tests/browser/test-results/guias-*.png.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { clinica, painel } from './harness.mjs';

const C = clinica('guias');
const { run, mustRun, json, shots, dir } = C;
/* a stored guia of the Aurora operator by its número, as the CLI shows it */
function guia(numero) { return json(['guia', 'mostrar', '--numero', numero, '--operadora', '312347']); }

/* dates relative to today, so that deadlines of the contracts never bite */
function dia(delta) {
  const d = new Date(); d.setDate(d.getDate() + delta);
  return `${String(d.getDate()).padStart(2, '0')}/${String(d.getMonth() + 1).padStart(2, '0')}/${d.getFullYear()}`;
}
/* '0,94' <-> 94 centavos, without floating point */
function Faturo_centavos(t) { const [i, f] = t.split(','); return Number(i.replace(/\./g, '')) * 100 + Number(f); }
function reais2(c) { return `${Math.floor(c / 100)},${String(c % 100).padStart(2, '0')}`; }
const ONTEM = dia(-1), ANTEONTEM = dia(-2), SEMANA = dia(-7), VALIDADE = dia(30);

mustRun(['init']);
mustRun(['demo', '--guias', '100', '--ate-etapa', 'precos']);
const USERS = { faturista: ['bia', 'senha-fat-1'] };
mustRun(['usuario', 'criar', 'bia', '--papel', 'faturista'], 'senha-fat-1\n');

/* the guias the cases fix: one with a bloqueio (no senha), and a duplicate pair */
const CNPJ = '40877352000144';
const base0 = {
  tipo: 'sp-sadt', operadora: { registro_ans: '312347' }, prestador: { cnpj: CNPJ },
  beneficiario: { nome: 'Lúcia Semente Prado', cpf: '52998224725' }, tipo_atendimento: '05',
  carater_atendimento: '1', cid: 'R104', data_inicio: SEMANA,
  solicitante: { nome: 'Dra. Ana Souza', conselho: 'CRM', numero_conselho: '123456', uf: 'SP', cbo: '225125' },
  executante: { nome: 'Dr. Paulo Lima', conselho: 'CRM', numero_conselho: '654321', uf: 'SP', cbo: '225320' },
};
function semear(nome, g) {
  const f = join(dir, nome + '.json');
  writeFileSync(f, JSON.stringify(g));
  run(['guia', 'digitar', f]);  /* exit 1 when it has a bloqueio: that is the point */
  return guia(g.numero_prestador).id;
}
const bloqId = semear('bloq', { ...base0, numero_prestador: 'SEM-SENHA-1', carteira_numero: '3123470000900001',
  itens: [{ codigo_tabela: '22', codigo: '40304361', quantidade: '1', data: SEMANA }] });
const dup = { ...base0, beneficiario: { nome: 'Rui Duplo Teixeira', cpf: '11144477735' }, carteira_numero: '3123470000900002',
  senha: 'A1B2C3', validade_senha: VALIDADE,
  itens: [{ codigo_tabela: '22', codigo: '40304361', quantidade: '1', data: SEMANA }] };
/* Aurora requires a laudo for magnetic resonance (group 4.11) */
const rmId = semear('rm', { ...base0, beneficiario: { nome: 'Célia Imagem Barros', cpf: '39053344705' },
  carteira_numero: '3123470000900003', numero_prestador: 'RM-LAUDO-1', senha: 'RM-1', validade_senha: VALIDADE,
  itens: [{ codigo_tabela: '22', codigo: '41101014', quantidade: '1', data: SEMANA }] });
const origId = semear('orig', { ...dup, numero_prestador: 'DUP-ORIGINAL' });
const copiaId = semear('copia', { ...dup, numero_prestador: 'DUP-COPIA' });

const P = await painel(C, { viewport: { width: 1024, height: 800 } });
const { base, ctx, page, aviso, caso } = P;
const entrar = () => P.entrar(USERS.faturista[0], USERS.faturista[1]);

/* The screen is usable: nothing wider than 1024 px, every field labelled,
 * no internal key where users read. */
async function telaEmOrdem(nome) {
  const r = await page.evaluate(() => {
    const semRotulo = [...document.querySelectorAll('#tela input, #tela select, #tela textarea')]
      .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
      .map(e => e.outerHTML.slice(0, 80));
    const fora = document.documentElement.scrollWidth;
    const texto = document.getElementById('tela').innerText;
    return { semRotulo, fora, texto };
  });
  assert.deepEqual(r.semRotulo, [], `${nome}: campos sem rótulo`);
  assert.ok(r.fora <= 1024, `${nome}: a tela tem ${r.fora} px de largura`);
  const chave = /.{0,60}(\bsp-sadt\b|resumo-internacao|\bem_lote\b|\d{4}-\d{2}-\d{2}\b).{0,20}/.exec(r.texto);
  assert.equal(chave, null, `${nome}: chave interna ou data ISO na tela: ${chave && chave[0]}`);
  await page.screenshot({ path: join(shots, `guias-${nome}.png`), fullPage: true });
}

/* the form field whose label is texto, inside the section or item sel */
function campo(texto, dentro) {
  return page.locator(dentro || '#dig-form').getByLabel(texto, { exact: false }).first();
}
async function escolheBeneficiario(termo, nome) {
  await campo('Buscar beneficiário').fill(termo);
  const b = page.locator('.dig-sugestoes button', { hasText: nome }).first();
  await b.waitFor();
  /* keyboard: the suggestion is reached with Tab and chosen with Enter */
  await b.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => [...document.querySelectorAll('#dig-form input')].some(i => i.value === n), nome);
}
async function codigo(item, termo) {
  const it = page.locator(`.dig-item[data-numero="${item}"]`);
  await it.getByLabel('Código do procedimento').fill(termo);
  const b = page.locator('.dig-sugestoes button').first();
  await b.waitFor();
  await b.click();
  await page.waitForFunction((n) => {
    const i = document.querySelector(`.dig-item[data-numero="${n}"] input[data-campo="codigo"]`);
    return i && i.value.length >= 8;
  }, item);
}
async function profissional(secao, termo, nome) {
  const fs = page.locator('#dig-form fieldset', { hasText: secao });
  await fs.getByLabel('Buscar profissional').fill(termo);
  await fs.locator('.dig-sugestoes button', { hasText: nome }).first().click();
  await page.waitForFunction(([s, n]) => [...document.querySelectorAll('#dig-form fieldset')]
    .some(f => f.textContent.includes(s) && [...f.querySelectorAll('input')].some(i => i.value === n)), [secao, nome]);
}
async function novaGuia(tipoRotulo, numero) {
  await page.goto(base + '/#/digitacao');
  await page.waitForSelector('#dig-form fieldset');
  await page.selectOption('#dig-tipo', { label: tipoRotulo });
  await page.waitForSelector('#dig-form fieldset');
  await campo('Registro ANS').selectOption('312347');
  await campo('Nº da guia no prestador').fill(numero);
}
/* wait until the findings beside the form answer */
async function estado(re) {
  await page.waitForFunction((s) => new RegExp(s).test((document.getElementById('dig-estado')?.textContent || '')), re.source)
    .catch(async () => { throw new Error(`conferência esperada ${re}; está: "${await page.textContent('#dig-estado')}" ${await page.textContent('#dig-achados')}`); });
}
async function gravar(numero, tipoRotulo) {
  await page.click('#dig-gravar');
  await aviso(/Guia gravada/);
  await page.screenshot({ path: join(shots, 'guias-gravada.png'), fullPage: true });
  await page.waitForFunction((t) => document.querySelector('#tela h1')?.textContent.includes(t),
    `Guia ${numero} · ${tipoRotulo}`);
  return guia(numero);
}

caso('digitação: consulta digitada à mão, com busca do beneficiário e do código', async () => {
  await entrar();
  await novaGuia('Consulta', 'DIG-CONS-1');
  await escolheBeneficiario('Lúcia', 'Lúcia Semente Prado');
  await campo('Nome do profissional executante').fill('Dra. Marta Reis');
  await campo('Conselho profissional').selectOption('CRM');
  await campo('Número no conselho').fill('778899');
  await campo('UF').fill('SP');
  await campo('Código CBO').fill('225125');
  await campo('Data do atendimento').fill(ONTEM);
  await campo('Tipo de consulta').selectOption('1');
  await codigo(1, '10101012');
  /* the engine's findings as the user types: the price comes from the contract */
  await page.waitForFunction(() => /R\$\s?\d/.test(document.getElementById('dig-total')?.textContent || ''));
  await estado(/Pronta para conferir|bloqueio/);
  await telaEmOrdem('digitacao-consulta');
  const g = await gravar('DIG-CONS-1', 'Consulta');
  assert.equal(g.tipo, 'consulta');
  /* the beneficiário look-up is a read of patient data: in the access log */
  const acessos = json(['auditoria', 'acessos', '--beneficiario', '529.982.247-25', '--usuario', 'bia']);
  assert.ok(acessos.some(a => a.acao === 'GET /api/busca/beneficiarios' && a.objeto === 'beneficiario'),
    JSON.stringify(acessos.slice(0, 3)));
  assert.equal(g.itens.length, 1);
  assert.equal(g.itens[0].codigo, '10101012');
  assert.ok(Number(g.itens[0].valor_total) > 0, 'a consulta ganhou o preço do contrato');
});

caso('digitação: SP/SADT com sessões e outras despesas, achados enquanto digita', async () => {
  await entrar();
  await novaGuia('SP/SADT', 'DIG-SADT-1');
  await escolheBeneficiario('Lúcia', 'Lúcia Semente Prado');
  await profissional('Dados do solicitante', 'Eduardo', 'Eduardo Henrique Lins');
  await profissional('Dados do contratado executante', 'Eduardo', 'Eduardo Henrique Lins');
  await campo('Data de realização').fill(dia(-6));
  await codigo(1, 'Hemograma');
  /* the operator requires senha in SP/SADT: the engine says so while typing */
  await estado(/bloqueio/);
  await page.waitForSelector('#dig-achados .achado[data-codigo="SENHA_AUSENTE"]');
  assert.doesNotMatch(await page.textContent('#dig-achados'), /sp-sadt/);
  assert.ok(await page.locator('.com-achado input[data-campo="senha"]').count() === 1, 'o campo da senha fica marcado');
  await campo('Senha').fill('S-778');
  await campo('Validade da senha').fill(VALIDADE);
  await campo('Tipo de atendimento').selectOption('05');
  await campo('Caráter do atendimento').selectOption('1');
  await campo('CID-10').fill('R104');
  await page.locator('.dig-item[data-numero="1"]').getByLabel('Datas das sessões').fill(`${dia(-6)}, ${dia(-4)}, ${ANTEONTEM}`);
  await page.click('[data-itens="despesas"] .dig-mais');
  const d = page.locator('[data-itens="despesas"] .dig-item').first();
  await d.getByLabel('Tipo de despesa').selectOption('material');
  await d.getByLabel('Data').first().fill(dia(-6));
  await d.getByLabel('Código do item').fill('Seringa');
  await page.locator('.dig-sugestoes button', { hasText: 'Seringa' }).first().click();
  await page.waitForFunction(() => document.querySelector('[data-itens="despesas"] input[data-campo="codigo"]')?.value === '79012011');
  await d.getByLabel('Quantidade').fill('2');
  await d.getByLabel('Valor unitário').fill('3,45');
  await d.getByLabel('Valor total').fill('6,90');
  await page.waitForSelector('#dig-achados .achado[data-codigo="SENHA_AUSENTE"]', { state: 'detached' });
  /* the price by contract: above it, the engine says how much would be glosed */
  await page.waitForSelector('#dig-achados .achado[data-codigo="PRECO_ACIMA_CONTRATO"]');
  const preco = /acima do contrato \(R\$\s?(\d+,\d\d)\)/.exec(await page.textContent('#dig-achados'));
  assert.ok(preco, 'a mensagem diz o preço do contrato');
  const unit = Faturo_centavos(preco[1]);
  await d.getByLabel('Valor unitário').fill(preco[1]);
  await d.getByLabel('Valor total').fill(reais2(unit * 2));
  await estado(/Pronta para conferir/);
  /* the form numbers items as the engine does: one per session, despesas after */
  assert.deepEqual(await page.$$eval('.dig-item-cab b', bs => bs.map(b => b.textContent)),
    ['Itens 1 a 3 (3 sessões)', 'Item 4']);
  assert.match(await page.inputValue('input[data-campo="beneficiario.cpf"]'), /^529\.982\.247-25$/);
  await telaEmOrdem('digitacao-sadt');
  const g = await gravar('DIG-SADT-1', 'SP/SADT');
  assert.equal(g.tipo, 'sp-sadt');
  const procs = g.itens.filter(i => i.codigo === '40304361');
  assert.equal(procs.length, 3, 'uma sessão por data');
  assert.deepEqual(procs.map(i => i.sequencial), [1, 2, 3]);
  const mat = g.itens.find(i => i.codigo === '79012011');
  assert.ok(mat && mat.tipo === 'material' && mat.sequencial === 4, JSON.stringify(g.itens));
  /* the detail shows quantities and items the faturista's way */
  const itens = await page.textContent('#guia-itens');
  assert.doesNotMatch(itens, /1,0000|2,0000/);
  assert.match(itens, new RegExp('R\\$\\s?' + reais2(unit * 2)));
});

caso('digitação: honorários com o profissional de cada item', async () => {
  await entrar();
  await novaGuia('Honorários', 'DIG-HON-1');
  await escolheBeneficiario('Lúcia', 'Lúcia Semente Prado');
  await campo('Nº da guia de solicitação de internação').fill('INT-5501');
  await campo('Senha').fill('H-5501');
  await campo('Código na operadora').fill('A-10234');
  await campo('Início do faturamento').fill(SEMANA);
  await campo('Fim do faturamento').fill(ONTEM);
  const it = page.locator('.dig-item[data-numero="1"]');
  await it.getByLabel('Data').first().fill(ANTEONTEM);
  await codigo(1, 'Herniorrafia');
  await it.getByLabel('Quantidade').fill('1');
  await it.getByLabel('Grau de participação').selectOption('00');
  await it.getByLabel('Profissional do item 1').fill('Eduardo');
  const b = page.locator('.dig-sugestoes button').first();
  await b.waitFor();
  await b.click();
  await page.waitForFunction(() => !/nenhum profissional/.test(document.querySelector('.dig-prof-nome').textContent));
  await telaEmOrdem('digitacao-honorarios');
  const g = await gravar('DIG-HON-1', 'Honorários');
  assert.equal(g.tipo, 'honorarios');
  assert.ok(g.itens[0].profissional && g.itens[0].profissional.nome, 'o item tem o seu profissional');
  assert.equal(g.itens[0].grau_participacao, '00');
});

caso('digitação: resumo de internação salvo como rascunho e depois gravado', async () => {
  await entrar();
  await novaGuia('Resumo de internação', 'DIG-INT-1');
  await escolheBeneficiario('Lúcia', 'Lúcia Semente Prado');
  await campo('Nº da guia de solicitação de internação').fill('INT-7700');
  await page.click('#dig-rascunho');
  const t = await aviso(/Rascunho \d+ salvo/);
  const rid = Number(/Rascunho (\d+)/.exec(t)[1]);
  await page.waitForSelector('#dig-rascunhos table');
  assert.match(await page.textContent('#dig-rascunhos'), /Resumo de internação/);
  /* the draft comes back as it was left */
  await page.goto(base + '/#/digitacao/' + rid);
  await page.waitForFunction(() => /rascunho/.test(document.querySelector('#tela h1')?.textContent || ''));
  assert.equal(await campo('Nº da guia no prestador').inputValue(), 'DIG-INT-1');
  assert.equal(await page.inputValue('#dig-tipo'), 'resumo-internacao');
  await campo('Data da autorização').fill(SEMANA);
  await campo('Senha').fill('I-7700');
  await campo('Validade da senha').fill(VALIDADE);
  await campo('Código na operadora').fill('A-10234');
  await campo('Caráter do atendimento').selectOption('1');
  await campo('Início do faturamento').fill(SEMANA);
  await campo('Hora do início').fill('08:00');
  await campo('Fim do faturamento').fill(ONTEM);
  await campo('Hora do fim').fill('10:00');
  await campo('Tipo de internação').selectOption('2');
  await campo('Regime de internação').selectOption('1');
  await campo('CID-10 principal').fill('K359');
  await campo('Motivo de encerramento').selectOption('12');
  const it = page.locator('.dig-item[data-numero="1"]');
  await it.getByLabel('Data').first().fill(ANTEONTEM);
  await codigo(1, 'Herniorrafia');
  await it.getByLabel('Quantidade').fill('1');
  await telaEmOrdem('digitacao-internacao');
  const g = await gravar('DIG-INT-1', 'Resumo de internação');
  assert.equal(g.tipo, 'resumo-internacao');
  assert.equal(g.motivo_encerramento, '12');
  /* saved as a guia, the draft is gone */
  const r = await page.evaluate(() => fetch('/api/digitacao/rascunhos').then(x => x.json()));
  assert.ok(!r.rascunhos.some(x => x.id === rid), 'o rascunho foi apagado ao gravar');
});

caso('guia com bloqueio corrigida no painel até a conferência passar', async () => {
  await entrar();
  await page.goto(base + '/#/guias/' + bloqId);
  await page.waitForSelector('.achado.bloqueio[data-codigo="SENHA_AUSENTE"]');
  await page.click('#guia-corrigir summary');
  const corr = page.locator('#guia-corrigir');
  await corr.getByLabel('Senha', { exact: true }).fill('NOVA-SENHA-1');
  await corr.getByLabel('Motivo (opcional)').fill('senha obtida por telefone');
  await page.click('#guia-salvar');
  /* the re-check answers right after the change: one bloqueio is left */
  await page.waitForSelector('#guia-rechecagem');
  assert.match(await page.textContent('#guia-rechecagem'), /1 bloqueio\(s\) ainda em aberto/);
  await page.click('#guia-corrigir summary');
  await corr.getByLabel('Validade da senha').fill(VALIDADE);
  await page.click('#guia-salvar');
  await page.waitForFunction(() => /pronta para lote/.test(document.getElementById('guia-rechecagem')?.textContent || ''));
  assert.equal(await page.locator('.achado.bloqueio:not(.reconhecido)').count(), 0);
  /* the history: who, when, field, before -> after */
  const h = await page.textContent('#guia-historico');
  assert.match(h, /corrigida/);
  assert.match(h, /bia/);
  assert.match(h, /senha obtida por telefone/);
  assert.match(h, /NOVA-SENHA-1/);
  assert.match(h, new RegExp(VALIDADE.replace(/\//g, '\\/')));
  assert.match(h, /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
  /* an item changed and the answer shown again */
  await page.click('button[aria-label="Corrigir item 1"]');
  await page.locator('#item-edicao').getByLabel('Quantidade').fill('2');
  await page.click('#item-salvar');
  await page.waitForFunction(() => /item 1: quantidade/.test(document.getElementById('guia-rechecagem')?.textContent || ''));
  assert.equal(Number(guia('SEM-SENHA-1').itens[0].quantidade), 2);
  await telaEmOrdem('guia-corrigida');
});

caso('a cópia duplicada é cancelada com motivo e a original fica livre', async () => {
  await entrar();
  await page.goto(base + '/#/guias/' + origId);
  await page.waitForSelector('.achado[data-codigo="DUPLICIDADE"]');
  /* the copy is found in the list and opened with the keyboard */
  await page.goto(base + '/#/guias');
  await page.fill('#f-busca', 'DUP-COPIA');
  await page.press('#f-busca', 'Tab');
  /* the filtered answer, not the first page's, is the list the link is in */
  await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/guias?') && r.url().includes('busca=DUP-COPIA')),
    page.click('#filtrar')]);
  await page.waitForFunction(() => {
    const linhas = [...document.querySelectorAll('#guias-lista tbody tr')];
    return linhas.length > 0 && linhas.every((tr) => /DUP-COPIA/.test(tr.textContent));
  });
  const link = page.locator('#guias-lista a', { hasText: 'DUP-COPIA' });
  await link.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => location.hash === '#/guias/' + id, copiaId);
  await page.waitForSelector('.achado[data-codigo="DUPLICIDADE"]');
  await page.click('#guia-cancelar summary');
  await page.fill('#cancelar-motivo', 'cópia da guia DUP-ORIGINAL');
  await page.click('#cancelar-confirmar');
  await aviso(/Guia cancelada/);
  await page.waitForFunction(() => /guia cancelada/.test(document.getElementById('guia-rechecagem')?.textContent || ''));
  assert.match(await page.textContent('#guia-historico'), /cópia da guia DUP-ORIGINAL/);
  assert.equal(await page.locator('#guia-corrigir').count(), 0, 'guia cancelada não oferece correção');
  await page.goto(base + '/#/guias/' + origId);
  await page.waitForSelector('#guia-historico');
  assert.equal(await page.locator('.achado[data-codigo="DUPLICIDADE"]:not(.reconhecido)').count(), 0,
    'a original não tem mais duplicidade');
});

caso('o laudo que a operadora exige é anexado, a guia passa, e o arquivo é listado e baixado igual', async () => {
  await entrar();
  await page.goto(base + '/#/guias/' + rmId);
  await page.waitForSelector('.achado.bloqueio[data-codigo="ANEXO_AUSENTE"]');
  assert.match(await page.textContent('.achado[data-codigo="ANEXO_AUSENTE"]'), /laudo/i);
  const rotulos = await page.$$eval('#anexo-tipo option', os => os.map(o => o.textContent));
  assert.deepEqual(rotulos, ['Laudo', 'Pedido médico', 'Autorização', 'Termo', 'Outro']);
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
  await page.selectOption('#anexo-tipo', 'laudo');
  await page.setInputFiles('#anexo-arquivo', { name: 'laudo-rm.pdf', mimeType: 'application/pdf', buffer: pdf });
  await page.click('#anexo-enviar');
  await aviso(/Anexo laudo-rm\.pdf gravado/);
  await page.waitForFunction(() => /laudo-rm\.pdf/.test(document.getElementById('guia-anexos')?.textContent || ''));
  /* checked again at once: the requirement is met */
  assert.equal(await page.locator('.achado[data-codigo="ANEXO_AUSENTE"]:not(.reconhecido)').count(), 0);
  const linha = await page.textContent('#guia-anexos tbody tr');
  assert.match(linha, /Laudo/);
  assert.match(linha, /\d{2}\/\d{2}\/\d{4}/);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('button[aria-label="Baixar laudo-rm.pdf"]')]);
  assert.deepEqual(readFileSync(await dl.path()), pdf);
  await telaEmOrdem('guia-laudo');
});

caso('imprimir abre a guia para impressão', async () => {
  await entrar();
  await page.goto(base + '/#/guias/' + origId);
  await page.waitForSelector('#guia-imprimir');
  const [aba] = await Promise.all([ctx.waitForEvent('page'), page.click('#guia-imprimir')]);
  await aba.waitForLoadState();
  const resp = await aba.evaluate(() => document.contentType);
  assert.equal(resp, 'text/html');
  assert.match(await aba.textContent('body'), /DUP-ORIGINAL/);
  await aba.close();
});

await P.fim(await P.rodar('guias-falha.png'));
