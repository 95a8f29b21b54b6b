/* Preço: what an operator's contract pays for one item on a date, with each
 * step of the calculation (as `faturo preco OPERADORA CODIGO`). */
'use strict';
(() => {
  const { el, limpa, reais, data, rotulo, api, tabela, cartao, tenta, quantidade } = Faturo;

  Faturo.tela('preco', {
    titulo: 'Preço',
    async render(main) {
      const hp = Faturo.parametrosHash();
      const op = await Faturo.seletorOperadora('p-operadora', false);
      if (hp.get('operadora')) op.value = hp.get('operadora');
      const codigo = el('input', { id: 'p-codigo', size: 12, inputmode: 'numeric', value: hp.get('codigo') || '', required: true });
      const dia = el('input', { id: 'p-data', size: 10, inputmode: 'numeric', placeholder: 'DD/MM/AAAA',
        value: hp.get('data') || Faturo.hojeBR() });
      const qtd = el('input', { id: 'p-quantidade', size: 6, value: '1', inputmode: 'decimal' });
      const plano = el('input', { id: 'p-plano', size: 14, placeholder: 'código ou enfermaria/apartamento' });
      const carater = el('select', { id: 'p-carater' }, el('option', { value: '' }, 'não informado'),
        el('option', { value: '1' }, 'eletivo'), el('option', { value: '2' }, 'urgência/emergência'));
      const via = el('select', { id: 'p-via' }, el('option', { value: '' }, 'não informada'),
        el('option', { value: '1' }, 'única'), el('option', { value: '2' }, 'mesma via (secundário)'),
        el('option', { value: '3' }, 'vias diferentes (secundário)'));
      const hora = el('input', { id: 'p-hora', type: 'time' });
      const grau = el('select', { id: 'p-grau' }, el('option', { value: '' }, 'cirurgião ou único'),
        ['01', '02', '03', '04'].map(g => el('option', { value: g }, `${Number(g)}º auxiliar`)),
        el('option', { value: '06' }, 'anestesista'));
      const tipo = el('select', { id: 'p-tipo' }, el('option', { value: '' }, 'pela tabela do código'),
        ['procedimento', 'material', 'medicamento', 'opme', 'taxa', 'diaria', 'gas'].map(t =>
          el('option', { value: t }, { opme: 'OPME', diaria: 'diária', gas: 'gás medicinal' }[t] || t)));
      const res = el('div', { id: 'preco-resultado', 'aria-live': 'polite' });

      const calcula = async () => {
        limpa(res);
        let r;
        try {
          r = await api('GET', '/api/preco', { query: { operadora: op.value, codigo: codigo.value.trim(), data: dia.value,
            quantidade: qtd.value.trim(), plano: plano.value.trim(), carater: carater.value, via: via.value,
            hora: hora.value, grau: grau.value, tipo: tipo.value } });
        } catch (e) { res.append(el('p', { class: 'aviso erro', role: 'alert' }, e.message)); return; }
        res.append(el('h2', {}, `${r.codigo} — ${r.descricao || 'sem descrição'}`),
          el('p', { class: 'meta' }, `${r.operadora_nome} · ${data(r.data)}` + (r.acomodacao ? ` · plano ${r.acomodacao}` : '') +
            ` · tabela ${rotulo('tabela_preco', r.tabela)} · ${rotulo('grupo_preco', r.grupo)}`),
          el('div', { class: 'cartoes' }, cartao('Valor unitário', reais(r.valor_unitario)),
            cartao('Quantidade', quantidade(r.quantidade)),
            cartao('Fator', String(r.fator).replace('.', ',')),
            cartao('Total', reais(r.valor_total), 'ok')),
          el('h3', {}, 'Passo a passo'),
          el('ol', { id: 'preco-passos', class: 'passos' }, r.passos.map(p => el('li', { dataset: { passo: p.passo } },
            el('strong', {}, rotulo('passo', p.passo)), ': ', p.texto, ' ', el('span', { class: 'meta' }, '→ ' + reais(p.valor))))));
      };
      const form = el('form', { id: 'preco-form', class: 'filtros', onsubmit: (ev) => { ev.preventDefault(); tenta(calcula); } },
        el('label', {}, 'Operadora', op), el('label', {}, 'Código do item', codigo), el('label', {}, 'Data de realização', dia),
        el('label', {}, 'Quantidade', qtd), el('label', {}, 'Plano', plano), el('label', {}, 'Caráter', carater),
        el('label', {}, 'Via de acesso', via), el('label', {}, 'Hora do ato', hora), el('label', {}, 'Grau de participação', grau),
        el('label', {}, 'Tipo do item', tipo),
        el('button', { class: 'primario', id: 'p-calcular', type: 'submit' }, 'Calcular'));
      main.append(el('h1', {}, 'Preço pelo contrato'),
        el('p', {}, 'Quanto o contrato da operadora paga por um item na data, e cada passo do cálculo: ',
          'tabela e edição, porte, UCO, deflator, acréscimos, reduções, reajustes e arredondamento.'),
        form, res);
      if (codigo.value) await tenta(calcula);
    }
  });
})();
