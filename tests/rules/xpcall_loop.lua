-- hostile: the budget error is raised from inside the hook, where Lua runs no
-- hooks, and xpcall would then run this message handler with hooks off: an
-- endless loop no hook could stop
return xpcall(function() while true do end end, function(m) while true do end end)
