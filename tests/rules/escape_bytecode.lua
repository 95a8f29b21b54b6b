-- hostile: load a precompiled (binary) chunk; string.dump is gone, so forge the header
local f, msg = load("\27Lua\84\0\25\147\13\10\26\10\4\8\8\120\86\0\0", "x", "b")
if f then return "carregou bytecode" end
return "recusado: " .. tostring(msg)
