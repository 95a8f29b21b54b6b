-- faturo.datas: datas "AAAA-MM-DD" sem os.* (aritmética inteira, calendário gregoriano).
-- Dias são contados desde 1970-01-01 (dia 0). Funções puras: nada depende do relógio;
-- "hoje" vem de ctx.hoje.
local M = {}

-- as funções usadas a cada guia ficam em locais (acesso direto, sem procurar
-- na tabela do módulo nem nas globais)
local type, tonumber, tointeger, format = type, tonumber, math.tointeger, string.format

local DIAS_MES = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

local function bissexto(a)
  return (a % 4 == 0 and a % 100 ~= 0) or a % 400 == 0
end
M.bissexto = bissexto

local function ultimo_dia(ano, mes)
  if mes == 2 and bissexto(ano) then return 29 end
  return DIAS_MES[mes]
end
M.ultimo_dia = ultimo_dia

-- "AAAA-MM-DD" -> ano, mes, dia (inteiros) ou nil se inválida
local function partes(s)
  if type(s) ~= "string" then return nil end
  local a, m, d = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not a then return nil end
  a, m, d = tointeger(tonumber(a)), tointeger(tonumber(m)), tointeger(tonumber(d))
  if m < 1 or m > 12 or d < 1 or d > ultimo_dia(a, m) then return nil end
  return a, m, d
end
M.partes = partes

function M.valida(s)
  return partes(s) ~= nil
end

-- dias desde 1970-01-01 (algoritmo "days from civil")
local function dias(s)
  local a, m, d = partes(s)
  if not a then return nil end
  if m <= 2 then a = a - 1 end
  local era = (a >= 0 and a or a - 399) // 400
  local yoe = a - era * 400
  local mp = (m + 9) % 12
  local doy = (153 * mp + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end
M.dias = dias

-- dias desde 1970-01-01 -> "AAAA-MM-DD"
function M.de_dias(z)
  z = z + 719468
  local era = (z >= 0 and z or z - 146096) // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local a = yoe + era * 400
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then a = a + 1 end
  return format("%04d-%02d-%02d", a, m, d)
end

-- b - a em dias (positivo se b é depois de a); nil se alguma data é inválida
function M.diferenca(a, b)
  local da, db = dias(a), dias(b)
  if not da or not db then return nil end
  return db - da
end

function M.somar(s, n)
  local d = dias(s)
  if not d then return nil end
  return M.de_dias(d + n)
end

-- 0 = domingo ... 6 = sábado
function M.dia_semana(s)
  local d = dias(s)
  if not d then return nil end
  return (d + 4) % 7 -- 1970-01-01 foi quinta-feira
end

M.NOMES_SEMANA = { [0] = "domingo", "segunda", "terca", "quarta", "quinta", "sexta", "sabado" }

-- "AAAA-MM-DD" como o usuário lê: "DD/MM/AAAA" (para mensagens); outro valor
-- volta como texto, sem mudança
function M.br(s)
  local a, m, d = partes(s)
  if not a then return tostring(s) end
  return format("%02d/%02d/%04d", d, m, a)
end

function M.competencia(s)
  local a, m = partes(s)
  if not a then return nil end
  return format("%04d-%02d", a, m)
end

-- todas as datas do dia `dia` de cada mês entre os anos a0 e a1 (inclusive);
-- dia maior que o mês vira o último dia do mês
function M.mensais(dia, a0, a1)
  local r = {}
  for a = a0, a1 do
    for m = 1, 12 do
      local d = math.min(dia, ultimo_dia(a, m))
      r[#r + 1] = format("%04d-%02d-%02d", a, m, d)
    end
  end
  return r
end

return M
