-- test operator: the guia's view is reused from guia to guia; these checks
-- try to carry something of one guia into the next (a reference kept
-- somewhere, a write into the guia) and report what they see
local base = require "faturo.base"

local guardadas = {} -- frozen with the checks: cannot hold anything

local function achado(msg)
  return { codigo = "VISAO", severidade = "alerta", mensagem = msg }
end

return base.operadora {
  registro_ans = "900006", nome = "Operadora Guarda", codigo_prestador = "G1",
  lote = { periodicidade = "mensal", fechamento_dia = 20, prazo_envio_dias = 5 },
  pagamento = { prazo_dias = 30 }, recurso = { prazo_dias = 30 },
  prazo_apresentacao_dias = 90, precos = {},
  checks = {
    a_guarda = function(guia, ctx)
      local ok = {}
      if pcall(function() guardadas[1] = guia end) then ok[#ok + 1] = "upvalue" end
      if pcall(function() guardadas.itens = guia.itens end) then ok[#ok + 1] = "campo" end
      if pcall(function() string.guia = guia end) then ok[#ok + 1] = "string" end
      if pcall(function() setmetatable(guia, {}) end) then ok[#ok + 1] = "setmetatable" end
      if getmetatable(guia) then ok[#ok + 1] = "getmetatable" end
      return achado("guardou:" .. table.concat(ok, ",") .. ";antes:" .. tostring(guardadas[1])
                    .. "," .. tostring(guardadas.itens))
    end,
    b_escreve = function(guia, ctx)
      if guia.numero_prestador ~= "G-1" then return nil end
      guia.extra = "vazou"
      guia.senha = "ALTERADA"
      guia.cid = nil
      guia.itens[1].codigo = "X"
      guia.itens[2] = { codigo = "Y" }
    end,
    c_le = function(guia, ctx)
      local it = guia.itens[1]
      local difere = {}
      for _, t in ipairs({ guia, it, guia.operadora }) do
        for k, v in pairs(t) do
          if t[k] ~= v or rawget(t, k) ~= v then difere[#difere + 1] = tostring(k) end
        end
      end
      return achado(string.format("np=%s extra=%s senha=%s cid=%s cod1=%s n=%d it2=%s difere=%s",
        tostring(guia.numero_prestador), tostring(guia.extra), tostring(guia.senha),
        tostring(guia.cid), tostring(it.codigo), #guia.itens, tostring(guia.itens[2] and
        guia.itens[2].codigo), table.concat(difere, ",")))
    end,
  },
}
