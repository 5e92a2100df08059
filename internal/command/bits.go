package command

// bitCommands is filled in by the bit-operation family (SETBIT … BITFIELD, LCS).
func bitCommands() []spec { return nil }
