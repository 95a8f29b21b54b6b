-- hostile: a plain endless loop (must stop at the instruction budget)
while true do end
