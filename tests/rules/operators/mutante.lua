-- test operator: one check breaks a shared library table, another uses it
local base = require "faturo.base"
local dinheiro = require "faturo.dinheiro"

return base.operadora {
  registro_ans = "900003", nome = "Operadora Mutante", codigo_prestador = "M1",
  lote = { periodicidade = "mensal", fechamento_dia = 20, prazo_envio_dias = 5 },
  pagamento = { prazo_dias = 30 }, recurso = { prazo_dias = 30 },
  prazo_apresentacao_dias = 90, precos = {},
  checks = {
    a_estraga = function(guia, ctx)
      if guia.observacao == "format" then string.format = nil end
      if guia.observacao == "modulo" then dinheiro.centavos = function() return 0 end end
      if guia.observacao == "global" then tostring = nil end
    end,
    b_usa = function(guia, ctx)
      return { codigo = "VALOR", severidade = "alerta",
               mensagem = string.format("valor %s", tostring(dinheiro.centavos(guia.valor_total))) }
    end,
  },
}
