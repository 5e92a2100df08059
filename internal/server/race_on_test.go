//go:build race

package server

// raceEnabled: the race detector maps shadow memory for every allocation,
// so tests that measure RSS cannot run under it.
const raceEnabled = true
