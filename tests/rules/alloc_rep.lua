-- hostile: doubling a string until memory runs out, catching each failure
local s = "x"
while true do
  local ok, r = pcall(string.rep, s, 2)
  if ok then s = r end
end
