/* Usuários (admin): create panel users; deactivate/reactivate, change role,
 * one-time password, open sessions, second factor (the API refuses what would
 * leave no active admin, and says why). */
'use strict';
(() => {
  const { el, limpa, data, rotulo, api, tabela, tenta, aviso } = Faturo;
  const PAPEIS = ['faturista', 'supervisor', 'admin'];

  Faturo.tela('usuarios', {
    titulo: 'Usuários', papel: 'admin',
    async render(main) {
      const lista = el('div', { id: 'usuarios-lista' });
      const sessoes = el('div', { id: 'usuarios-sessoes' });
      const provisoria = el('div', { id: 'usuarios-provisoria', role: 'status' });
      const nome = el('input', { id: 'u-nome', autocomplete: 'off' });
      const senha = el('input', { id: 'u-senha', type: 'password', autocomplete: 'new-password' });
      const papel = el('select', { id: 'u-papel' }, PAPEIS.map(p => el('option', { value: p }, rotulo('papel', p))));
      const acao = (u, texto, fn) => el('button', { class: 'pequeno', dataset: { acao: texto, usuario: u.nome },
        onclick: (ev) => { ev.stopPropagation(); tenta(fn); } }, texto);
      const carregaSessoes = async () => {
        const r = await api('GET', '/api/sessoes');
        limpa(sessoes).append(el('h2', {}, 'Sessões abertas'), tabela(r.sessoes, [
          { t: 'Usuário', v: s => s.usuario }, { t: 'Endereço', v: s => s.ip || '—' },
          { t: 'Aberta em', v: s => data(s.criado_em) },
          { t: 'Expira em', v: s => data(new Date(s.expira_em * 1000).toISOString()) },
          { t: '', v: s => acao({ nome: s.usuario }, 'Encerrar', async () => {
            await api('DELETE', `/api/usuarios/${s.usuario_id}/sessoes/${s.id}`);
            aviso('Sessão encerrada.'); await carrega();
          }) }]));
      };
      const carrega = async () => {
        const r = await api('GET', '/api/usuarios');
        limpa(lista).append(tabela(r.usuarios, [
          { t: 'Nome', v: u => u.nome },
          { t: 'Papel', v: u => {
            const s = el('select', { class: 'u-papel-linha', dataset: { usuario: u.nome } },
              PAPEIS.map(p => el('option', { value: p, selected: p === u.papel }, rotulo('papel', p))));
            s.addEventListener('change', () => tenta(async () => {
              try {
                await api('POST', `/api/usuarios/${u.id}/papel`, { json: { papel: s.value } });
                aviso(`${u.nome} agora é ${rotulo('papel', s.value)}.`);
              } finally { await carrega(); }
            }));
            return s;
          } },
          { t: 'Situação', v: u => u.ativo ? (u.troca_senha ? 'ativo (senha provisória)' : 'ativo') : `desativado em ${data(u.desativado_em)}` },
          { t: '2º fator', v: u => u.totp ? 'ativo' : '—' },
          { t: 'Sessões', v: u => String(u.sessoes || 0), num: true },
          { t: 'Criado em', v: u => data(u.criado_em) },
          { t: 'Ações', v: u => el('span', { class: 'acoes' },
            u.ativo
              ? acao(u, 'Desativar', async () => {
                await api('POST', `/api/usuarios/${u.id}/desativar`);
                aviso(`${u.nome} desativado; as sessões dele foram encerradas.`); await carrega();
              })
              : acao(u, 'Reativar', async () => {
                await api('POST', `/api/usuarios/${u.id}/reativar`);
                aviso(`${u.nome} reativado.`); await carrega();
              }),
            acao(u, 'Senha provisória', async () => {
              const r2 = await api('POST', `/api/usuarios/${u.id}/senha`);
              limpa(provisoria).append(el('p', { class: 'destaque' }, `Senha provisória de ${u.nome}: `,
                el('code', { id: 'senha-provisoria' }, r2.senha_provisoria),
                ' — entregue ao usuário; ela é mostrada só agora e será trocada no primeiro login.'));
              await carrega();
            }),
            u.sessoes > 0 ? acao(u, 'Encerrar sessões', async () => {
              await api('DELETE', `/api/usuarios/${u.id}/sessoes`);
              aviso(`Sessões de ${u.nome} encerradas.`); await carrega();
            }) : null,
            u.totp ? acao(u, 'Remover 2º fator', async () => {
              await api('DELETE', `/api/usuarios/${u.id}/totp`);
              aviso(`Segundo fator de ${u.nome} removido.`); await carrega();
            }) : null) }]));
        await carregaSessoes();
      };
      main.append(el('h1', {}, 'Usuários'),
        el('div', { class: 'filtros' }, el('label', {}, 'Nome', nome), el('label', {}, 'Senha (mín. 10)', senha),
          el('label', {}, 'Papel', papel), el('button', { class: 'primario', onclick: () => tenta(async () => {
            await api('POST', '/api/usuarios', { json: { nome: nome.value.trim(), senha: senha.value, papel: papel.value } });
            senha.value = ''; aviso(`Usuário ${nome.value} criado.`); await carrega();
          }) }, 'Criar usuário')), provisoria, lista, sessoes);
      await carrega();
    }
  });
})();
