-- The 9 rules of the peers benchmark (../shared/bench/peers/ref.py) as an
-- operator script: bench_rules --pares runs them over the same synthetic
-- guias as json-rules-engine and GoRules Zen and requires the same counts.
-- The guias come converted into faturo's import format and read into
-- fat_guia structs (money as "1234.56", quantities as "2.0000" in the Lua
-- view); the peers' per-item contract price is not a field of a guia: the
-- benchmark hands it to the checks as ctx.precos[k] (centavos, item k).
local base = require "faturo.base"
local dinheiro = require "faturo.dinheiro"

local byte = string.byte
-- money and quantities as the rules documentation says (docs/regras.md):
-- both read their plain forms in C, one call per value
local centavos, quantidade_e4 = dinheiro.centavos, dinheiro.quantidade_e4

local function vazio(v)
  return v == nil or v == ""
end

local function data(guia)
  return guia.data_inicio or guia.data_atendimento
end

local function achado(codigo, mensagem)
  return { codigo = codigo, mensagem = mensagem }
end

return base.operadora {
  registro_ans = "999999", nome = "Operadora dos pares", codigo_prestador = "PARES",
  lote = { periodicidade = "mensal", fechamento_dia = 20, prazo_envio_dias = 5 },
  pagamento = { prazo_dias = 30 }, recurso = { prazo_dias = 30 },
  prazo_apresentacao_dias = 90, precos = {},
  checks = {
    carteira_ausente = function(guia)
      if vazio(guia.carteira_numero) then return achado("CARTEIRA_AUSENTE", "sem carteira") end
    end,
    carteira_vencida = function(guia)
      if guia.carteira_validade < data(guia) then
        return achado("CARTEIRA_VENCIDA", "carteira vencida no atendimento")
      end
    end,
    senha_ausente = function(guia)
      if guia.tipo == "sp-sadt" and vazio(guia.senha) then
        return achado("SENHA_AUSENTE", "SP/SADT sem senha")
      end
    end,
    senha_vencida = function(guia)
      if guia.tipo == "sp-sadt" and guia.validade_senha < data(guia) then
        return achado("SENHA_VENCIDA", "senha vencida no atendimento")
      end
    end,
    cid_ausente = function(guia)
      if guia.tipo == "sp-sadt" and vazio(guia.cid) then
        return achado("CID_AUSENTE", "SP/SADT sem CID")
      end
    end,
    assinatura_ausente = function(guia)
      if not guia.assinatura_beneficiario then
        return achado("ASSINATURA_AUSENTE", "sem assinatura do beneficiário")
      end
    end,
    -- the item loops index the list until nil: ipairs is a call into C per item
    quantidade_invalida = function(guia)
      local itens, k = guia.itens, 1
      local it = itens[1]
      while it do
        local q = it.quantidade
        if q == "0.0000" or byte(q, 1) == 45 then -- zero or "-..."
          return achado("QUANTIDADE_INVALIDA", "item com quantidade zero")
        end
        k = k + 1
        it = itens[k]
      end
    end,
    total_divergente = function(guia)
      local itens, k, soma = guia.itens, 1, 0
      local it = itens[1]
      while it do
        soma = soma + centavos(it.valor_total)
        k = k + 1
        it = itens[k]
      end
      if soma ~= centavos(guia.valor_total) then
        return achado("TOTAL_DIVERGENTE", "total da guia diferente da soma dos itens")
      end
    end,
    preco_acima_contrato = function(guia, ctx)
      local precos, itens, k = ctx.precos, guia.itens, 1
      local it = itens[1]
      while it do
        -- valor > preço × quantidade, in centavos × 10^4 (the peers' quantities are whole)
        if centavos(it.valor_total) * 10000 > precos[k] * quantidade_e4(it.quantidade) then
          return achado("PRECO_ACIMA_CONTRATO", "item acima do preço do contrato")
        end
        k = k + 1
        it = itens[k]
      end
    end,
  },
}
