-- test operator (run without the count hook): a long loop that allocates only
-- now and then (rarely enough that a call outlives its hard deadline by a
-- second or more, even in an optimized build), so only the watchdog can end it, and slowly
local base = require "faturo.base"

return base.operadora {
  registro_ans = "900005", nome = "Operadora Demorada", codigo_prestador = "D1",
  lote = { periodicidade = "mensal", fechamento_dia = 20, prazo_envio_dias = 5 },
  pagamento = { prazo_dias = 30 }, recurso = { prazo_dias = 30 },
  prazo_apresentacao_dias = 90, precos = {},
  checks = {
    demora = function(guia, ctx)
      if guia.observacao ~= "demora" then return nil end
      local i, t = 0, nil
      while true do
        i = i + 1
        if i % 300000000 == 0 then t = { i } end
      end
    end,
  },
}
