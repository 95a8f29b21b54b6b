-- hostile: a to-be-closed variable whose __close loops, closed by an error
return pcall(function()
  local x <close> = setmetatable({}, { __close = function() while true do end end })
  error("fecha")
end)
