-- hostile: the loop runs inside pcall and the outer loop retries forever, trying
-- to swallow the budget error
while true do
  pcall(function() while true do end end)
end
