package command

// opsCommands are the operational containers: SLOWLOG (slowlog.go),
// LATENCY and MEMORY (latency.go, memory.go).
func opsCommands() []spec {
	return []spec{slowlogCommand(), latencyCommand(), memoryCommand()}
}
