-- every shared table is read-only: each line must fail (see test_rules.c)
local casos = {
  function() string.format = nil end,
  function() string.rep = function() return "" end end,
  function() table.insert = nil end,
  function() math.floor = nil end,
  function() pairs = nil end,
  function() _G.tostring = nil end,
  function() _G["novo"] = 1 end,
  function() getmetatable("").__index = {} end,
  function() require("faturo.dinheiro").centavos = nil end,
  function() require("faturo.checks").CAMPOS.senha = nil end,
  function() setmetatable(string, {}) end,
}
local falhas = {}
for i, f in ipairs(casos) do
  local ok = pcall(f)
  if ok then falhas[#falhas + 1] = i end
end
-- and reading still works, through the frozen tables
local n = 0
for k in pairs(string) do n = n + 1 end
return { aceitos = falhas, funcoes_string = n, formato = string.format("%03d", 7),
         metodo = ("abc"):upper(), tamanho = #require("faturo.checks").CAMPOS.senha }
