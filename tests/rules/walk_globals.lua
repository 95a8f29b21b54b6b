-- list every name reachable from _G (tables walked recursively), sorted
local seen, out = {}, {}
local function walk(t, prefix)
  if seen[t] then return end
  seen[t] = true
  for k, v in pairs(t) do
    local name = prefix .. tostring(k)
    out[#out + 1] = name
    if type(v) == "table" and name ~= "_G" then walk(v, name .. ".") end
  end
end
walk(_G, "")
table.sort(out)
return out
