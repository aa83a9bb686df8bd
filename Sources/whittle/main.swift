// The whittle executable: command line, prompt loop, exit codes.
print("whittle")
