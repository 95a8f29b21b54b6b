-- hostile: shell out
return os.execute("touch /tmp/faturo-pwned")
