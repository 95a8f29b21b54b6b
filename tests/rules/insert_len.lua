-- hostile: __len claims 1e15 elements, so table.insert shifts them in C
local t = setmetatable({}, { __len = function() return 1e15 end })
table.insert(t, 1, "x")
return "inserido"
