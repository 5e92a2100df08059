package command

import (
	"slices"
	"strconv"
	"strings"
)

// The latency monitor: with latency-monitor-threshold > 0, a command that
// took at least that many milliseconds is a sample of the event "command"
// (or "fast-command" for a command flagged fast), as in Redis 7.0. Each
// event keeps its latest sample, its maximum and a history of its last
// latencyHistoryLen seconds with a sample (the largest of each second).
// kevy records no other events (fork, aof-fsync …). With the threshold at
// 0, its default, every reply is empty, as Redis's.

const latencyHistoryLen = 160

type latencySample struct {
	time    int64 // unix seconds
	latency int64 // ms
}

type latencyEvent struct {
	samples []latencySample // oldest first, at most latencyHistoryLen
	max     int64
}

type latencyState struct {
	thresh int64 // ms; 0 disables
	events map[string]*latencyEvent
}

func (e *Engine) latencyAdd(name string, ms int64) {
	if e.lat.events == nil {
		e.lat.events = make(map[string]*latencyEvent)
	}
	ev := e.lat.events[name]
	if ev == nil {
		ev = &latencyEvent{}
		e.lat.events[name] = ev
	}
	now := e.nowMicros() / 1e6
	ev.max = max(ev.max, ms)
	if n := len(ev.samples); n > 0 && ev.samples[n-1].time == now {
		ev.samples[n-1].latency = max(ev.samples[n-1].latency, ms)
		return
	}
	if len(ev.samples) == latencyHistoryLen {
		copy(ev.samples, ev.samples[1:])
		ev.samples = ev.samples[:latencyHistoryLen-1]
	}
	ev.samples = append(ev.samples, latencySample{time: now, latency: ms})
}

func (e *Engine) latencyNames() []string {
	names := make([]string, 0, len(e.lat.events))
	for n := range e.lat.events {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func latencyCommand() spec {
	const f, acl = "admin noscript loading stale", "@admin @slow @dangerous"
	return spec{name: "latency", arity: -2, acl: "@slow", group: "server", summary: "Groups the subcommands that report on recorded latency spikes.", run: runSubcommand, subs: []spec{
		{name: "latest", arity: 2, flags: f, acl: acl, tips: "nondeterministic_output request_policy:all_nodes response_policy:special", run: cmdLatencyLatest},
		{name: "history", arity: 3, flags: f, acl: acl, tips: "nondeterministic_output request_policy:all_nodes response_policy:special", run: cmdLatencyHistory},
		{name: "reset", arity: -2, flags: f, acl: acl, tips: "request_policy:all_nodes response_policy:all_succeeded", run: cmdLatencyReset},
		{name: "doctor", arity: 2, flags: f, acl: acl, tips: "nondeterministic_output request_policy:all_nodes response_policy:special", run: cmdLatencyDoctor},
		{name: "help", arity: 2, flags: "loading stale", acl: "@slow", run: cmdLatencyHelp},
	}}
}

func cmdLatencyLatest(c *Ctx) {
	names := c.E.latencyNames()
	c.W.Array(len(names))
	for _, n := range names {
		ev := c.E.lat.events[n]
		last := ev.samples[len(ev.samples)-1]
		c.W.Array(4)
		c.W.BulkString(n)
		c.W.Int(last.time)
		c.W.Int(last.latency)
		c.W.Int(ev.max)
	}
}

func cmdLatencyHistory(c *Ctx) {
	ev := c.E.lat.events[string(c.Args[2])]
	if ev == nil {
		c.W.Array(0)
		return
	}
	c.W.Array(len(ev.samples))
	for _, s := range ev.samples {
		c.W.Array(2)
		c.W.Int(s.time)
		c.W.Int(s.latency)
	}
}

func cmdLatencyReset(c *Ctx) {
	n := 0
	if len(c.Args) == 2 {
		n = len(c.E.lat.events)
		c.E.lat.events = nil
	} else {
		for _, a := range c.Args[2:] {
			if _, ok := c.E.lat.events[string(a)]; ok {
				delete(c.E.lat.events, string(a))
				n++
			}
		}
	}
	c.W.Int(int64(n))
}

// cmdLatencyDoctor is kevy's own short report (Redis's is prose of its own).
func cmdLatencyDoctor(c *Ctx) {
	var b strings.Builder
	switch {
	case c.E.lat.thresh == 0:
		b.WriteString("Latency monitoring is off. Turn it on with CONFIG SET latency-monitor-threshold <milliseconds>.\n")
	case len(c.E.lat.events) == 0:
		b.WriteString("No latency spike has been recorded above the threshold of " + strconv.FormatInt(c.E.lat.thresh, 10) + " ms.\n")
	default:
		b.WriteString("Latency spikes recorded above " + strconv.FormatInt(c.E.lat.thresh, 10) + " ms:\n")
		for _, n := range c.E.latencyNames() {
			ev := c.E.lat.events[n]
			var sum int64
			for _, s := range ev.samples {
				sum += s.latency
			}
			b.WriteString("- " + n + ": " + strconv.Itoa(len(ev.samples)) + " seconds with a spike, average " +
				strconv.FormatInt(sum/int64(len(ev.samples)), 10) + " ms, worst " + strconv.FormatInt(ev.max, 10) + " ms.\n")
		}
		b.WriteString("SLOWLOG GET names the slow commands.\n")
	}
	c.W.Verbatim("txt", b.String())
}

func cmdLatencyHelp(c *Ctx) {
	writeHelp(c, "LATENCY", []string{
		"DOCTOR",
		"    Reply with a short report on the latency events recorded.",
		"LATEST",
		"    For each event: its name, the time and latency of its latest spike,",
		"    and its largest latency.",
		"HISTORY <event>",
		"    Reply with the (unix time, latency) pairs of the event's recent spikes.",
		"RESET [<event> ...]",
		"    Forget the given events, or every event; reply with how many.",
	})
}
