-- test operator: reads ctx.historico (a field the host computes only when
-- read) in the ways a check can: by name, with pairs, inside pcall, or not
-- at all (ctx.modo says which)
local base = require "faturo.base"

-- a value as text, tables walked with pairs (in their own order)
local function despeja(v)
  if type(v) ~= "table" then return tostring(v) .. ":" .. (math.type(v) or type(v)) end
  local p = {}
  for k, x in pairs(v) do p[#p + 1] = tostring(k) .. "=" .. despeja(x) end
  return "{" .. table.concat(p, ",") .. "}"
end

local function achado(msg)
  return { codigo = "HISTORICO", severidade = "alerta", mensagem = msg }
end

return base.operadora {
  registro_ans = "900005", nome = "Operadora Preguiça", codigo_prestador = "P1",
  lote = { periodicidade = "mensal", fechamento_dia = 20, prazo_envio_dias = 5 },
  pagamento = { prazo_dias = 30 }, recurso = { prazo_dias = 30 },
  prazo_apresentacao_dias = 90, precos = {},
  checks = {
    a_le = function(guia, ctx)
      if ctx.modo ~= "ler" then return nil end
      local h = ctx.historico
      local h2 = ctx.historico -- read twice: computed once
      return achado("ler:" .. #h .. ":" .. h[1].numero_prestador .. ":" .. tostring(h == h2))
    end,
    b_pares = function(guia, ctx)
      if ctx.modo ~= "pares" then return nil end
      local ks = {}
      for k, v in pairs(ctx) do ks[#ks + 1] = k .. "=" .. type(v) end
      table.sort(ks)
      return achado("pares:" .. table.concat(ks, ","))
    end,
    c_engole = function(guia, ctx)
      if ctx.modo ~= "engolir" then return nil end
      local ok = pcall(function() return ctx.historico end)
      return achado("engoliu:" .. tostring(ok))
    end,
    c_despeja = function(guia, ctx)
      if ctx.modo ~= "despejar" then return nil end
      return achado("despeja:" .. #ctx.historico .. ":" .. despeja(ctx.historico))
    end,
    d_nada = function(guia, ctx)
      return achado("nada:" .. tostring(guia.tipo))
    end,
  },
}
