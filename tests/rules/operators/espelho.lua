-- test operator: returns the guia table as it sees it, walked with pairs
-- (order included) and with each value's type, in pieces of 1500 bytes
local base = require "faturo.base"

local function dump(v, out)
  if type(v) == "table" then
    out[#out + 1] = "{"
    for k, x in pairs(v) do
      out[#out + 1] = tostring(k) .. "="
      dump(x, out)
      out[#out + 1] = ","
    end
    out[#out + 1] = "}"
  else
    out[#out + 1] = type(v) .. ":" .. tostring(v)
  end
end

return base.operadora {
  registro_ans = "900004", nome = "Operadora Espelho", codigo_prestador = "E1",
  lote = { periodicidade = "mensal", fechamento_dia = 20, prazo_envio_dias = 5 },
  pagamento = { prazo_dias = 30 }, recurso = { prazo_dias = 30 },
  prazo_apresentacao_dias = 90, precos = {},
  checks = {
    espelha = function(guia, ctx)
      local out = {}
      dump(guia, out)
      -- fields read by name (not walked): what a richer guia before this
      -- one had must not show through
      for _, k in ipairs({ "id", "plano", "beneficiario", "executante", "status", "revisao",
                           "observacao", "senha" }) do
        out[#out + 1] = "|" .. k .. "=" .. type(guia[k])
      end
      out[#out + 1] = "|n=" .. #guia.itens .. "|4=" .. type(guia.itens[4])
        .. "|gp=" .. type(guia.itens[1].grau_participacao)
      local s = table.concat(out)
      local achados = {}
      for i = 1, #s, 1500 do
        achados[#achados + 1] = { codigo = "ESPELHO", severidade = "alerta",
                                  mensagem = string.sub(s, i, i + 1499) }
      end
      return achados
    end,
  },
}
