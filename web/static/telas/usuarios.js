/* Usuários (admin): list and create panel users. */
'use strict';
(() => {
  const { el, limpa, data, rotulo, api, tabela, tenta, aviso } = Faturo;

  Faturo.tela('usuarios', {
    titulo: 'Usuários', papel: 'admin',
    async render(main) {
      const lista = el('div', { id: 'usuarios-lista' });
      const nome = el('input', { id: 'u-nome', autocomplete: 'off' });
      const senha = el('input', { id: 'u-senha', type: 'password', autocomplete: 'new-password' });
      const papel = el('select', { id: 'u-papel' }, ['faturista', 'supervisor', 'admin'].map(p => el('option', { value: p }, rotulo('papel', p))));
      const carrega = async () => {
        const r = await api('GET', '/api/usuarios');
        limpa(lista).append(tabela(r.usuarios, [{ t: 'Nome', v: u => u.nome }, { t: 'Papel', v: u => rotulo('papel', u.papel) },
          { t: 'Ativo', v: u => u.ativo ? 'sim' : 'não' }, { t: 'Criado em', v: u => data(u.criado_em) }]));
      };
      main.append(el('h1', {}, 'Usuários'),
        el('div', { class: 'filtros' }, el('label', {}, 'Nome', nome), el('label', {}, 'Senha (mín. 8)', senha),
          el('label', {}, 'Papel', papel), el('button', { class: 'primario', onclick: () => tenta(async () => {
            await api('POST', '/api/usuarios', { json: { nome: nome.value.trim(), senha: senha.value, papel: papel.value } });
            senha.value = ''; aviso(`Usuário ${nome.value} criado.`); await carrega();
          }) }, 'Criar usuário')), lista);
      await carrega();
    }
  });
})();
