-- test operator: each self-test makes its check spin; one call alone stays
-- within the per-call limit, the run of them does not
local base = require "faturo.base"

local GIRA = { tipo = "consulta", observacao = "gira" }

return base.operadora {
  registro_ans = "900006", nome = "Operadora de Autotestes Lentos", codigo_prestador = "A6",
  lote = { periodicidade = "mensal", fechamento_dia = 20, prazo_envio_dias = 5 },
  pagamento = { prazo_dias = 30 }, recurso = { prazo_dias = 30 },
  prazo_apresentacao_dias = 90, precos = {},
  checks = {
    gira = function(guia, ctx)
      if guia.observacao == "gira" then
        while true do end
      end
    end,
  },
  testes = {
    { nome = "primeiro", guia = GIRA, sem_achados = true },
    { nome = "segundo", guia = GIRA, sem_achados = true },
    { nome = "terceiro", guia = GIRA, sem_achados = true },
  },
}
