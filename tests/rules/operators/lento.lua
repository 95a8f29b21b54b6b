-- test operator: one check loops forever, one raises, one is fine
local base = require "faturo.base"

return base.operadora {
  registro_ans = "900001", nome = "Operadora Lenta", codigo_prestador = "L1",
  lote = { periodicidade = "mensal", fechamento_dia = 20, prazo_envio_dias = 5 },
  pagamento = { prazo_dias = 30 }, recurso = { prazo_dias = 30 },
  prazo_apresentacao_dias = 90, precos = {},
  checks = {
    a_ok = function(guia, ctx)
      return { codigo = "SEMPRE", severidade = "alerta", mensagem = "sempre presente" }
    end,
    loop = function(guia, ctx)
      if guia.observacao == "loop" then
        while true do end
      end
    end,
    pcall_loop = function(guia, ctx)
      if guia.observacao == "pcall" then
        for _ = 1, math.maxinteger do pcall(function() while true do end end) end
      end
    end,
    xpcall_loop = function(guia, ctx)
      if guia.observacao == "xpcall" then
        return xpcall(function() while true do end end, function() while true do end end)
      end
    end,
    quebra = function(guia, ctx)
      if guia.observacao == "erro" then
        local x = nil
        return x.campo
      end
    end,
    memoria = function(guia, ctx)
      if guia.observacao == "memoria" then
        -- few instructions per KiB kept: memory runs out long before the
        -- instruction budget (the test asserts it is memory that stops it)
        local t, kib = {}, string.rep("x", 1024)
        for i = 1, math.maxinteger do t[i] = kib .. i end
      end
    end,
    memoria_pequena = function(guia, ctx)
      if guia.observacao == "memoria_pequena" then
        -- small blocks (the sandbox's pooled ones) count against the limit too
        local t = {}
        for i = 1, math.maxinteger do t[i] = { i } end
      end
    end,
  },
}
