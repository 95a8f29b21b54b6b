-- hostile: an ordinary error whose message handler loops forever
return xpcall(function() error("x") end, function(m) while true do end end)
