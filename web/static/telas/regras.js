/* Regras: operator scripts. View (CodeMirror, Lua), edit a draft with syntax
 * check and self-tests, simulate, diff vs live, publish (admin), versions and revert. */
'use strict';
(() => {
  const { el, limpa, data, reais, api, tabela, selo, cartao, tenta, aviso } = Faturo;

  function relatorioNo(rel) {
    if (!rel) return el('p', { class: 'meta' }, 'Ainda não verificado.');
    const testes = (rel.testes && rel.testes.testes) || [];
    return el('div', { id: 'regra-relatorio' },
      rel.compila === false ? el('p', { class: 'erro' }, 'Não compila: ', rel.erro)
        : el('p', {}, rel.valido || (rel.testes && rel.testes.ok) ? selo('compila e passa nos autotestes', 'ok')
          : selo('compila, mas há autotestes falhando', 'bloqueio'), rel.erro ? el('span', { class: 'erro' }, ' ', rel.erro) : null),
      testes.length ? el('ul', { class: 'testes' }, testes.map(t =>
        el('li', { class: t.ok ? 'passou' : 'falhou' }, (t.ok ? '✔ ' : '✘ ') + t.nome, t.erro ? ' — ' + t.erro : ''))) : null);
  }

  /* The simulation as a report: what the draft would have prevented and what
   * it would have blocked by mistake, next to the rules in use, and the guias
   * concerned. */
  const TIPO_DETALHE = { glosa_prevista: 'glosa prevista', falso_alarme: 'falso alarme' };
  function simulacaoNo(s) {
    const r = s.rascunho || {}, a = s.atual;
    const linha = (rotulo, k, dinheiro) => el('tr', {}, el('th', {}, rotulo),
      el('td', { class: 'num' }, String(r[k] ?? 0), dinheiro ? ' · ' + reais(r[dinheiro]) : ''),
      el('td', { class: 'num' }, a ? [String(a[k] ?? 0), dinheiro ? ' · ' + reais(a[dinheiro]) : ''] : '—'));
    const detalhes = (s.detalhes || []).filter(d => d.lado === 'rascunho');
    return el('div', { id: 'regra-simulacao' },
      el('p', {}, `Guias já respondidas examinadas: ${s.guias} (${s.guias_glosadas} com glosa, ${s.guias_pagas} pagas sem glosa); `,
        `${s.glosas} glosa(s) recebida(s), ${reais(s.valor_glosado)}.`),
      el('div', { class: 'cartoes' },
        cartao('Glosas evitadas pelo rascunho', `${r.glosas_evitadas || 0} · ${reais(r.valor_evitado || 0)}`,
          r.glosas_evitadas ? 'bom' : ''),
        cartao('Alarmes falsos (guias pagas bloqueadas)', `${r.falsos_alarmes || 0} · ${reais(r.valor_falsos_alarmes || 0)}`,
          r.falsos_alarmes ? 'ruim' : '')),
      el('table', { class: 'comparacao' },
        el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', { class: 'num' }, 'Rascunho'), el('th', { class: 'num' }, 'Regras em uso'))),
        el('tbody', {},
          linha('Glosas evitadas (bloqueio)', 'glosas_evitadas', 'valor_evitado'),
          linha('Glosas previstas (bloqueio ou alerta)', 'glosas_previstas', 'valor_previsto'),
          linha('Guias que seriam bloqueadas', 'guias_bloqueadas'),
          linha('Alarmes falsos (pagas sem glosa)', 'falsos_alarmes', 'valor_falsos_alarmes'))),
      el('h3', {}, 'Guias envolvidas'),
      tabela(detalhes, [
        { t: 'Guia', v: d => el('a', { href: '#/guias/' + d.guia_id }, d.guia) },
        { t: 'O que aconteceria', v: d => d.tipo === 'falso_alarme' ? selo('alarme falso', 'bloqueio')
          : selo(d.bloqueio ? 'glosa evitada' : (TIPO_DETALHE[d.tipo] || d.tipo), d.bloqueio ? 'ok' : 'alerta') },
        { t: 'Glosa', v: d => d.codigo || '—' }, { t: 'Achado', v: d => d.achado || '—' },
        { t: 'Valor', v: d => d.valor !== undefined ? reais(d.valor) : '—', num: true }]));
  }

  function marcaErro(cm, rel) {
    for (let i = 0; i < cm.lineCount(); i++) cm.removeLineClass(i, 'background', 'linha-erro');
    const m = rel && rel.erro && /\.lua:(\d+):/.exec(rel.erro);
    if (m) cm.addLineClass(Number(m[1]) - 1, 'background', 'linha-erro');
  }

  async function editor(main, chave) {
    const r = await api('GET', '/api/regras/' + encodeURIComponent(chave));
    const podeEditar = Faturo.pode('supervisor'), admin = Faturo.pode('admin');
    const host = el('div', { class: 'editor', id: 'regra-editor' });
    const estado = el('div', { id: 'regra-estado' });
    const saida = el('div', { id: 'regra-saida' });
    const versoes = el('div', { id: 'regra-versoes' });
    main.append(el('p', {}, el('a', { href: '#/regras' }, '‹ todas as operadoras')),
      el('h1', {}, `Regras: ${(r.contrato && r.contrato.nome) || chave}`),
      el('p', { class: 'meta' }, `Em uso: versão ${r.sha256.slice(0, 12)} (geração ${r.geracao}). `,
        r.rascunho ? `Rascunho de ${r.rascunho.autor} em ${data(r.rascunho.atualizado_em)}.` : 'Sem rascunho.'),
      estado, host);
    const texto = r.rascunho ? r.rascunho.conteudo : r.script;
    const cm = CodeMirror(host, { value: texto, mode: 'lua', lineNumbers: true, indentUnit: 2,
      readOnly: podeEditar ? false : 'nocursor' });
    window.faturoEditor = cm; /* used by the browser tests */
    limpa(estado).append(r.rascunho ? relatorioNo(r.rascunho.relatorio) : el('span'));

    const salvar = async () => {
      const s = await api('PUT', `/api/regras/${encodeURIComponent(chave)}/rascunho`, { json: { conteudo: cm.getValue() } });
      limpa(estado).append(relatorioNo(s.relatorio)); marcaErro(cm, s.relatorio);
      aviso(s.valido ? 'Rascunho salvo: compila e passa nos autotestes.' : 'Rascunho salvo, mas com problemas (veja abaixo).', !s.valido);
      return s;
    };
    const barra = el('div', { class: 'barra' });
    if (podeEditar) {
      barra.append(
        el('button', { class: 'primario', id: 'regra-salvar', onclick: () => tenta(salvar) }, 'Salvar rascunho'),
        el('button', { id: 'regra-testar', onclick: () => tenta(async () => {
          await salvar();
          const t = await api('POST', `/api/regras/${encodeURIComponent(chave)}/testar`, { json: { rascunho: true } });
          limpa(saida).append(el('h2', {}, 'Autotestes'), relatorioNo(t));
        }) }, 'Testar'),
        el('button', { id: 'regra-simular', onclick: () => tenta(async () => {
          await salvar();
          const s = await api('POST', `/api/regras/${encodeURIComponent(chave)}/simular`, { json: { competencia: Faturo.competenciaAnterior() } });
          limpa(saida).append(el('h2', {}, 'Simulação com o rascunho'), simulacaoNo(s));
        }) }, 'Simular'),
        el('button', { id: 'regra-diff', onclick: () => tenta(async () => {
          await salvar();
          const d = await api('GET', `/api/regras/${encodeURIComponent(chave)}/diff`);
          limpa(saida).append(el('h2', {}, 'Diferenças: em uso × rascunho'), d.iguais ? el('p', {}, 'O rascunho é igual ao script em uso.')
            : el('div', { class: 'diff', id: 'regra-diff-saida' }, d.linhas.filter((l, i, a) => l.t !== ' ' ||
              a.slice(Math.max(0, i - 3), i + 4).some(x => x.t !== ' ')).map(l =>
              el('div', { class: l.t === '+' ? 'mais' : l.t === '-' ? 'menos' : '' },
                el('span', { class: 'n' }, l.a || ''), el('span', { class: 'n' }, l.b || ''), l.t + ' ' + l.texto))));
        }) }, 'Comparar com o em uso'));
    }
    if (admin) {
      barra.append(el('button', { class: 'perigo', id: 'regra-publicar', onclick: () => tenta(async () => {
        await salvar();
        if (!confirm('Publicar este rascunho? Ele passa a valer imediatamente para todas as conferências.')) return;
        const p = await api('POST', '/api/regras/publicar', { json: { operadora: chave } });
        aviso(`Publicado: geração ${p.geracao}, versão ${(p.sha256 || '').slice(0, 12)}.`);
        limpa(main); await editor(main, chave);
      }) }, 'Publicar'));
    }
    if (!podeEditar) barra.append(el('span', { class: 'meta' }, 'Somente leitura: editar regras é para supervisores.'));
    main.append(barra, saida, el('h2', {}, 'Versões'), versoes);

    const v = await api('GET', '/api/regras/versoes', { query: { operadora: chave } });
    versoes.append(tabela(v.versoes, [
      { t: 'Geração', v: x => x.id }, { t: 'Em', v: x => data(x.criado_em) }, { t: 'Por', v: x => x.usuario },
      { t: 'Motivo', v: x => x.motivo || '—' }, { t: 'Versão do script', v: x => (x.sha256 || '').slice(0, 12) },
      { t: '', v: x => x.ativa ? selo('em uso', 'ok') : admin ? el('button', { class: 'link', onclick: () => tenta(async () => {
        if (!confirm(`Restaurar as regras da geração ${x.id}?`)) return;
        const p = await api('POST', '/api/regras/reverter', { json: { versao: x.id } });
        aviso(`Regras restauradas (nova geração ${p.geracao}).`); limpa(main); await editor(main, chave);
      }) }, 'Restaurar') : '' }]));
  }

  async function lista(main) {
    const r = await api('GET', '/api/regras');
    main.append(el('h1', {}, 'Regras das operadoras'),
      el('p', {}, `Geração em uso: ${r.geracao}. Cada operadora tem um script Lua com o contrato e as verificações.`),
      tabela(r.operadoras, [
        { t: 'Operadora', v: o => o.nome || o.chave }, { t: 'Chave', v: o => o.chave },
        { t: 'Registro ANS', v: o => o.registro_ans || '—' }, { t: 'Versão', v: o => o.sha256.slice(0, 12) },
        { t: 'Rascunho', v: o => o.rascunho ? [selo(o.rascunho.valido ? 'válido' : 'com problemas', o.rascunho.valido ? 'ok' : 'alerta'),
          ` ${o.rascunho.autor}, ${data(o.rascunho.atualizado_em)}`] : '—' }],
        o => { location.hash = '#/regras/' + encodeURIComponent(o.chave); }),
      Faturo.pode('admin') ? el('div', { class: 'barra' }, el('button', { onclick: () => tenta(async () => {
        const p = await api('POST', '/api/regras/recarregar', { json: {} });
        aviso(`Regras recarregadas do disco (geração ${p.geracao}).`);
      }) }, 'Recarregar do disco')) : null);
  }

  Faturo.tela('regras', {
    titulo: 'Regras',
    render(main, params) { return params[0] ? editor(main, params[0]) : lista(main); }
  });
})();
