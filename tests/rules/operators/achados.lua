-- test operator: checks that return too much (the caps of docs/regras.md)
local base = require "faturo.base"

local grande = string.rep("x", 1024 * 1024)
local function muitos(codigo, n)
  local a = {}
  for i = 1, n do a[i] = { codigo = codigo, mensagem = "achado " .. i, severidade = "alerta" } end
  return a
end

return base.operadora {
  registro_ans = "900002", nome = "Operadora Tagarela", codigo_prestador = "T1",
  lote = { periodicidade = "mensal", fechamento_dia = 20, prazo_envio_dias = 5 },
  pagamento = { prazo_dias = 30 }, recurso = { prazo_dias = 30 },
  prazo_apresentacao_dias = 90, precos = {},
  checks = {
    repetido = function(guia, ctx)
      if guia.observacao ~= "repetido" then return nil end
      local um = { codigo = "GRANDE", mensagem = grande }
      local lista = {}
      for i = 1, 1500 do lista[i] = um end
      return lista
    end,
    mensagem_longa = function(guia, ctx)
      if guia.observacao ~= "mensagem" then return nil end
      return { codigo = "LONGA", mensagem = string.rep("m", 3000) }
    end,
    campo_longo = function(guia, ctx)
      if guia.observacao ~= "campo" then return nil end
      return { codigo = "CAMPO", mensagem = "m", campo = string.rep("c", 300) }
    end,
    c1 = function(guia) if guia.observacao == "guia" then return muitos("C1", 199) end end,
    c2 = function(guia) if guia.observacao == "guia" then return muitos("C2", 199) end end,
    c3 = function(guia) if guia.observacao == "guia" then return muitos("C3", 199) end end,
    c4 = function(guia) if guia.observacao == "guia" then return muitos("C4", 199) end end,
    c5 = function(guia) if guia.observacao == "guia" then return muitos("C5", 199) end end,
    c6 = function(guia) if guia.observacao == "guia" then return muitos("C6", 199) end end,
    -- error(achado) is a finding and the next checks still run (one pcall per run of checks)
    erro_a = function(guia)
      if guia.observacao == "levantado" or guia.observacao == "quebra" then
        error({ codigo = "LEVANTADO_A", mensagem = "levantado", severidade = "alerta" })
      end
    end,
    erro_b = function(guia)
      if guia.observacao == "levantado" then
        error({ codigo = "LEVANTADO_B", mensagem = "levantado", severidade = "alerta" })
      elseif guia.observacao == "quebra" then
        error("quebrou")
      end
    end,
    ok = function(guia) return { codigo = "SEMPRE", mensagem = "sempre", severidade = "alerta" } end,
  },
}
