-- test operator: its load spins until the time limit (a reload that takes long)
local base = require "faturo.base"
while true do end
return base.operadora {}
