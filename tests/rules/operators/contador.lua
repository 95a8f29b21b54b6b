-- test operator: a check that keeps state between guias (refused at load)
local base = require "faturo.base"

local vistas = 0

return base.operadora {
  registro_ans = "900004", nome = "Operadora Contadora", codigo_prestador = "K1",
  lote = { periodicidade = "mensal", fechamento_dia = 20, prazo_envio_dias = 5 },
  pagamento = { prazo_dias = 30 }, recurso = { prazo_dias = 30 },
  prazo_apresentacao_dias = 90, precos = {},
  checks = {
    terceira = function(guia, ctx)
      vistas = vistas + 1
      if vistas == 3 then
        return { codigo = "TERCEIRA", mensagem = "a terceira guia conferida" }
      end
    end,
  },
}
