package command

// setCommands declares the set family (filled in by its own change).
func setCommands() []spec { return nil }
