-- hostile: an empty string repeated 1e15 times is a C loop that allocates nothing
return #string.rep("", 1e15)
