-- hostile: read a file
return io.open("/etc/passwd"):read("a")
