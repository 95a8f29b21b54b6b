-- test operator: the guia's fields become Lua values when a check first
-- reads them (and are kept up to date guia after guia); these checks read a
-- different set of fields in each guia (first read in a later guia, a field
-- read before and absent now, a nested object read once) and report them
local base = require "faturo.base"

local function s(v)
  if type(v) == "table" then return "table" end
  return tostring(v)
end

return base.operadora {
  registro_ans = "900007", nome = "Operadora Demanda", codigo_prestador = "D1",
  lote = { periodicidade = "mensal", fechamento_dia = 20, prazo_envio_dias = 5 },
  pagamento = { prazo_dias = 30 }, recurso = { prazo_dias = 30 },
  prazo_apresentacao_dias = 90, precos = {},
  checks = {
    le = function(guia)
      local np = guia.numero_prestador
      local t = { "np=" .. s(np) }
      if np ~= "G-1" then
        t[#t + 1] = "cid=" .. s(guia.cid) .. ",obs=" .. s(guia.observacao)
      end
      if np == "G-3" or np == "G-4" then
        local b = guia.beneficiario
        t[#t + 1] = "b=" .. s(b and b.nome) .. ",exec=" .. s(guia.executante and guia.executante.cbo)
        for k, it in ipairs(guia.itens) do
          t[#t + 1] = k .. ":" .. s(it.codigo) .. "/" .. s(it.valor_unitario) .. "/" .. s(it.grau_participacao)
        end
      end
      t[#t + 1] = "n=" .. #guia.itens .. ",v=" .. s(guia.valor_total) .. ",x=" .. s(guia.nao_existe)
      return { codigo = "DEMANDA", severidade = "alerta", mensagem = table.concat(t, ";") }
    end,
  },
}
