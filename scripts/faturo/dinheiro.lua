-- faturo.dinheiro: dinheiro em centavos inteiros e percentuais em pontos-base.
-- Nada de ponto flutuante: "17,50" -> 1750, "-20%" -> -2000.
local M = {}
-- leitores em C das formas simples ("1234.56", "2.0000"); o resto vem para as funções daqui
local nativo = require "faturo.nativo"

-- as funções usadas a cada guia ficam em locais (acesso direto)
local type, tonumber, tostring, error = type, tonumber, tostring, error
local mtype, tointeger, rep, format = math.type, math.tointeger, string.rep, string.format

-- o erro aponta a linha de quem chamou: nível 3 (falha, a função, quem chamou); 4 quando a
-- função em Lua veio do leitor em C (falha, a função, o leitor, quem chamou)
local function falha(msg, v, nivel)
  error(format("%s: %s", msg, tostring(v)), nivel or 3)
end

-- "1234.56" (TISS), "1.234,56" / "1234,56" / "R$ 17,50" (Brasil), "12" -> centavos.
-- Inteiro Lua é aceito como centavos. Mais de 2 casas decimais é erro.
local function centavos(v)
  if mtype(v) == "integer" then return v end
  if type(v) ~= "string" then falha("valor em dinheiro inválido (use \"17,50\" ou centavos inteiros)", v, 4) end
  local s = v:gsub("^%s*R%$%s*", ""):gsub("%s+$", "")
  local sinal = 1
  if s:sub(1, 1) == "-" then sinal, s = -1, s:sub(2) end
  local int, dec
  if s:find(",", 1, true) then
    int, dec = s:match("^([%d%.]+),(%d%d?)$")
    if int then
      if not (int:match("^%d+$") or int:match("^%d%d?%d?%.%d%d%d[%.%d]*$")) then int = nil end
      if int then int = int:gsub("%.", "") end
    end
  else
    int, dec = s:match("^(%d+)%.(%d%d?)$")
    if not int then int, dec = s:match("^(%d+)$"), "" end
  end
  if not int then falha("valor em dinheiro inválido", v, 4) end
  if #dec == 1 then dec = dec .. "0" elseif #dec == 0 then dec = "00" end
  return sinal * (tointeger(tonumber(int)) * 100 + tointeger(tonumber(dec)))
end
M.centavos = nativo.centavos(centavos)

-- "-20%", "+10%", "10,5%", "12.25%" -> pontos-base (100 = 1%). Inteiro = pontos-base.
function M.bp(v)
  if mtype(v) == "integer" then return v end
  if type(v) ~= "string" then falha("percentual inválido (use \"-20%\" ou pontos-base inteiros)", v) end
  local sinal, int, dec = v:match("^%s*([%+%-]?)(%d+)[,%.]?(%d?%d?)%s*%%%s*$")
  if not int then falha("percentual inválido", v) end
  if #dec == 1 then dec = dec .. "0" elseif #dec == 0 then dec = "00" end
  local r = tointeger(tonumber(int)) * 100 + tointeger(tonumber(dec))
  return sinal == "-" and -r or r
end

-- a / b arredondado meio-acima (para longe de zero), b > 0
local function dividir(a, b)
  if a >= 0 then return (a + b // 2) // b end
  return -((-a + b // 2) // b)
end
M.dividir = dividir

-- valor + bp% do valor (arredondado uma vez)
function M.aplicar_bp(valor, bp)
  return dividir(valor * (10000 + bp), 10000)
end

-- quantidade "2.5000" / "2,5" / inteiro (unidades) -> décimos de milésimo (10000 = 1)
local function quantidade_e4(v)
  if mtype(v) == "integer" then return v * 10000 end
  if type(v) ~= "string" then return nil end
  local int, dec = v:match("^%s*(%d+)[,%.]?(%d*)%s*$")
  if not int or #dec > 4 then return nil end
  if #dec < 4 then dec = dec .. rep("0", 4 - #dec) end
  return tointeger(tonumber(int)) * 10000 + tointeger(tonumber(dec))
end
M.quantidade_e4 = nativo.quantidade_e4(quantidade_e4)

-- unitário (centavos) × quantidade (e4), arredondado uma vez
function M.multiplicar(unitario, quantidade_e4)
  return dividir(unitario * quantidade_e4, 10000)
end

-- 123456 -> "R$ 1.234,56"
function M.formatar(c)
  local neg = c < 0
  if neg then c = -c end
  local int = tostring(c // 100)
  local partes = {}
  while #int > 3 do
    table.insert(partes, 1, int:sub(-3))
    int = int:sub(1, -4)
  end
  table.insert(partes, 1, int)
  return format("%sR$ %s,%02d", neg and "-" or "", table.concat(partes, "."), c % 100)
end

return M
