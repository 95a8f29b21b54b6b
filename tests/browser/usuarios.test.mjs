// Browser tests of the Usuários screen (Part N) in Debian's chromium driven
// by playwright-core: an admin gives a user a one-time password, the user
// must change it before anything else; the admin deactivates the user and
// the user's open page is sent back to the login on its next request; the
// last admin cannot demote itself (the API's reason is shown); the masked
// CPF of the guia list for a faturista.
// Usage: node usuarios.test.mjs /path/to/faturo
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { clinica, painel } from './harness.mjs';

const C = clinica('usuarios', { copiaRegras: false });
const { mustRun, shots } = C;
mustRun(['demo', '--guias', '100', '--ate-etapa', 'precos']);
const USERS = { admin: ['ana', 'Admin-forte-2026'], faturista: ['bia', 'Fatura-boa-2026'] };
for (const [papel, [nome, senha]] of Object.entries(USERS)) mustRun(['usuario', 'criar', nome, '--papel', papel], senha + '\n');

const P = await painel(C, { viewport: { width: 1360, height: 860 }, dialogos: false });
const { base } = P;
const pa = P.page;                        // the admin
const { page: pb } = await P.contexto();  // the user
const entrar = (p, nome, senha) => P.entrar(nome, senha, p);
const aviso = (p, re) => P.aviso(re, p);
const botao = (p, acao, nome) => p.click(`#usuarios-lista button[data-acao="${acao}"][data-usuario="${nome}"]`);

const caso = P.caso;

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

await P.fim(await P.rodar('usuarios-falha-admin.png', [[pb, 'usuarios-falha-usuario.png']]));
