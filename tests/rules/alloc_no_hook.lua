-- hostile (run without the count hook): only the watchdog can stop it
local t = {}
while true do t[#t % 100 + 1] = {} end
