-- hostile: get os through require
local os = require "os"
return os.getenv("HOME")
