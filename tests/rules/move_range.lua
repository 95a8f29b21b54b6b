-- hostile: table.move over 1e15 empty slots is a C loop that allocates nothing
return table.move({}, 1, 1e15, 1, {})
