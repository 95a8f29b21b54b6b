-- hostile: ten lazy items backtrack in C, where the count hook never runs
return string.find(string.rep("a", 3000), ".-.-.-.-.-.-.-.-.-.-b")
