-- hostile: create a global (the globals are locked)
segredo = 42
return segredo
