-- hostile: a finalizer runs with hooks off and would escape the budget
local t = setmetatable({}, { __gc = function() while true do end end })
return "finalizador aceito"
