/* Importar: a file of guias (JSON or CSV, as `faturo importar guias`: all or
 * nothing, the refusal names the line and the field) and the clinic's
 * schedule against the guias (as `faturo auditoria agenda`). */
'use strict';
(() => {
  const { el, limpa, reais, data, api, tabela, cartao, tenta, aviso } = Faturo;

  /* The box where a refusal is shown in full (the notice bar fades). */
  function recusa(box, e) {
    limpa(box).append(el('p', { class: 'aviso erro recusa', role: 'alert' }, e.message || String(e)));
  }

  async function enviaGuias(arquivo, formato, res) {
    const f = arquivo.files[0];
    if (!f) { aviso('Escolha o arquivo de guias (JSON ou CSV).', true); return; }
    limpa(res);
    try {
      const r = await api('POST', '/api/importar/guias', { body: await f.arrayBuffer(),
        tipo: 'application/octet-stream', query: { arquivo: f.name, formato: formato.value } });
      res.append(el('div', { class: 'cartoes' },
        cartao('Guias novas', r.novas), cartao('Guias atualizadas', r.atualizadas), cartao('Itens', r.itens)),
        r.latin1 ? el('p', { class: 'meta' }, 'O arquivo estava em Latin-1 e foi convertido para UTF-8.') : null,
        el('p', {}, el('a', { href: '#/guias' }, 'Ver as guias'), ' · ', el('a', { href: '#/conferir' }, 'Conferir agora')));
      aviso(`${f.name}: ${r.novas} guia(s) nova(s), ${r.atualizadas} atualizada(s).`);
    } catch (e) {
      recusa(res, e);
      aviso('Arquivo recusado: nada foi gravado.', true);
    }
  }

  async function enviaAgenda(arquivo, res) {
    const f = arquivo.files[0];
    if (!f) { aviso('Escolha o arquivo CSV da agenda.', true); return; }
    limpa(res);
    let r;
    try {
      r = await api('POST', '/api/auditoria/agenda', { body: await f.arrayBuffer(), tipo: 'text/csv',
        query: { arquivo: f.name } });
    } catch (e) { recusa(res, e); aviso('Agenda recusada.', true); return; }
    const sem = r.atendidos_sem_guia || [], faltas = r.guias_de_faltas || [];
    const semAg = r.guias_sem_agendamento || [], erros = r.erros || [];
    res.append(el('div', {}, el('div', { class: 'cartoes' },
      cartao('Linhas da agenda', r.linhas), cartao('Atendidos', r.atendidos), cartao('Faltas e cancelamentos', r.faltas),
      cartao('Atendidos sem guia', sem.length, sem.length ? 'atencao' : ''),
      cartao('Não faturado (estimado)', reais(r.valor_nao_faturado), r.valor_nao_faturado ? 'atencao' : ''),
      cartao('Guias de faltas', faltas.length, faltas.length ? 'ruim' : ''),
      cartao('Guias sem agendamento', semAg.length),
      cartao('Linhas recusadas', erros.length, erros.length ? 'ruim' : '')),
    r.periodo ? el('p', { class: 'meta' }, `Período da agenda: ${data(r.periodo.inicio)} a ${data(r.periodo.fim)}`) : null,
    erros.length ? [el('h3', {}, 'Linhas recusadas'), tabela(erros, [
      { t: 'Linha', v: x => x.linha, num: true }, { t: 'Motivo', v: x => x.mensagem }])] : null,
    sem.length ? [el('h3', {}, 'Atendimentos sem guia'), tabela(sem, [
      { t: 'Linha', v: x => x.linha, num: true }, { t: 'Data', v: x => data(x.data) }, { t: 'Hora', v: x => x.hora || '—' },
      { t: 'Beneficiário', v: x => x.beneficiario }, { t: 'Profissional', v: x => x.profissional || '—' },
      { t: 'Procedimento', v: x => x.procedimento }, { t: 'Operadora', v: x => x.operadora || '—' },
      { t: 'Valor estimado', v: x => reais(x.valor_estimado), num: true }])] : null,
    faltas.length ? [el('h3', {}, 'Guias de atendimentos que a agenda marca como falta ou cancelamento'), tabela(faltas, [
      { t: 'Linha', v: x => x.linha, num: true },
      { t: 'Guia', v: x => el('a', { href: '#/guias/' + x.guia_id }, x.numero_prestador) },
      { t: 'Data', v: x => data(x.data) }, { t: 'Procedimento', v: x => x.procedimento },
      { t: 'Agenda diz', v: x => x.situacao }])] : null,
    semAg.length ? [el('h3', {}, 'Guias sem agendamento no período'), tabela(semAg, [
      { t: 'Guia', v: x => el('a', { href: '#/guias/' + x.guia_id }, x.numero_prestador) },
      { t: 'Data', v: x => data(x.data) }, { t: 'Beneficiário', v: x => x.beneficiario || '—' },
      { t: 'Valor', v: x => reais(x.valor_total), num: true }])] : null));
    aviso(`Agenda conferida: ${sem.length} atendimento(s) sem guia, ${faltas.length} guia(s) de falta.`);
  }

  Faturo.tela('importar', {
    titulo: 'Importar',
    async render(main) {
      const arqGuias = el('input', { id: 'i-guias-arquivo', type: 'file', accept: '.json,.csv,application/json,text/csv' });
      const formato = el('select', { id: 'i-formato' }, el('option', { value: '' }, 'pela extensão do arquivo'),
        el('option', { value: 'json' }, 'JSON'), el('option', { value: 'csv' }, 'CSV'));
      const resGuias = el('div', { id: 'i-guias-resultado', 'aria-live': 'polite' });
      const arqAgenda = el('input', { id: 'i-agenda-arquivo', type: 'file', accept: '.csv,text/csv' });
      const resAgenda = el('div', { id: 'i-agenda-resultado', 'aria-live': 'polite' });
      main.append(el('h1', {}, 'Importar'),
        el('section', {}, el('h2', {}, 'Arquivo de guias'),
          el('p', {}, 'JSON ou CSV exportado pelo sistema da clínica (formatos em docs/formatos.md). ',
            'O arquivo é gravado inteiro ou nada: se uma linha tiver erro, nada é gravado e a mensagem diz a linha e o campo. ',
            'Uma guia que já existe é atualizada (revisão + 1), a menos que já esteja em lote.'),
          el('div', { class: 'filtros' }, el('label', {}, 'Arquivo de guias', arqGuias), el('label', {}, 'Formato', formato),
            el('button', { class: 'primario', id: 'i-guias-enviar', onclick: () => tenta(() => enviaGuias(arqGuias, formato, resGuias)) },
              'Importar guias')),
          resGuias),
        el('section', {}, el('h2', {}, 'Auditoria da agenda'),
          el('p', {}, 'CSV da agenda com as colunas data; hora; beneficiário; profissional; procedimento; situação ',
            '(atendido, faltou ou cancelado). Mostra atendimentos que não viraram guia, guias de faltas e guias sem agendamento. ',
            'Nada é gravado.'),
          el('div', { class: 'filtros' }, el('label', {}, 'Agenda (CSV)', arqAgenda),
            el('button', { class: 'primario', id: 'i-agenda-enviar', onclick: () => tenta(() => enviaAgenda(arqAgenda, resAgenda)) },
              'Conferir agenda')),
          resAgenda));
    }
  });
})();
