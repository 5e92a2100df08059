package command

import "slices"

// CLIENT TRACKING in its default mode (server-assisted client-side
// caching, as Redis 7.0): a tracking client's read-only commands remember
// the keys they read; when one of them is modified, expires or the
// dataset is flushed, each client that read it gets an "invalidate" push
// (RESP3) and must read it again to be told again. The table is by key
// name, across databases, as Redis's. An invalidation caused by the
// client's own command comes after that command's reply; NOLOOP spares a
// client those its own writes cause. The modified keys are the write
// command's keys that its key specs do not mark read-only, so a write that
// changed only some of its keys (DEL of a missing key among others) may
// invalidate more than Redis would, never fewer.
//
// Not supported: REDIRECT, BCAST, PREFIX, OPTIN and OPTOUT (refused with an
// error of kevy's own), delivery to RESP2 clients (which need REDIRECT in
// Redis too), and tracking-table-max-keys.

type trackingState struct {
	keys    map[string]map[int64]struct{} // key -> ids of clients that read it
	clients map[int64]*Client             // tracking clients
	// The client whose command runs, and the invalidations due to it,
	// sent after its reply (flushTracking).
	caller     *Client
	pending    []string
	pendingAll bool
}

// clientTracking is a client's CLIENT TRACKING state.
type clientTracking struct {
	on     bool
	noLoop bool
}

// Tracking reports whether the client has CLIENT TRACKING on; the server
// then sends its output as a subscriber's (invalidations arrive from other
// clients' commands).
func (c *Client) Tracking() bool { return c.trk.on }

func (e *Engine) trackingOn(cl *Client, noLoop bool) {
	if e.trk.clients == nil {
		e.trk.clients = make(map[int64]*Client)
		e.trk.keys = make(map[string]map[int64]struct{})
	}
	cl.trk = clientTracking{on: true, noLoop: noLoop}
	e.trk.clients[cl.ID] = cl
}

// TrackingOff ends the client's tracking (CLIENT TRACKING OFF, RESET, a
// disconnect).
func (e *Engine) TrackingOff(cl *Client) {
	if !cl.trk.on {
		return
	}
	cl.trk = clientTracking{}
	delete(e.trk.clients, cl.ID)
}

// trackAfter runs after each command while some client tracks (run): it
// remembers the keys a tracking client read and invalidates those a write
// changed.
func (e *Engine) trackAfter(cl *Client, ran *Command, args [][]byte, dirty bool) {
	if cl.trk.on && ran.Flags&FlagReadOnly != 0 {
		for _, k := range ran.getKeys(args) {
			key := string(args[k.pos])
			set := e.trk.keys[key]
			if set == nil {
				set = make(map[int64]struct{})
				e.trk.keys[key] = set
			}
			set[cl.ID] = struct{}{}
		}
	}
	if !dirty {
		return
	}
	switch ran.Name {
	case "flushdb", "flushall":
		e.invalidateAll()
		return
	}
	for _, k := range ran.getKeys(args) {
		if slices.Contains(k.flags, "RO") {
			continue
		}
		e.invalidate(string(args[k.pos]), true)
	}
}

// invalidate tells the clients that read key that it changed, by the
// running command (byCmd) or by expiring.
func (e *Engine) invalidate(key string, byCmd bool) {
	set := e.trk.keys[key]
	if set == nil {
		return
	}
	delete(e.trk.keys, key)
	var d delivery
	for id := range set {
		cl := e.trk.clients[id]
		if cl == nil || cl.W.Proto() != 3 {
			continue
		}
		if e.depth > 0 && cl == e.trk.caller {
			if !(byCmd && cl.trk.noLoop) {
				e.trk.pending = append(e.trk.pending, key)
			}
			continue
		}
		writeInvalidate(cl, key, false)
		d.pushed(cl)
	}
}

// invalidateAll is a flush: every tracking client gets a null
// invalidation, and the table empties.
func (e *Engine) invalidateAll() {
	clear(e.trk.keys)
	var d delivery
	for _, cl := range e.trk.clients {
		if cl.W.Proto() != 3 {
			continue
		}
		if e.depth > 0 && cl == e.trk.caller {
			e.trk.pendingAll = true
			continue
		}
		writeInvalidate(cl, "", true)
		d.pushed(cl)
	}
}

func writeInvalidate(cl *Client, key string, all bool) {
	at := cl.W.Buffered()
	cl.W.Push(2)
	cl.W.BulkString("invalidate")
	if all {
		cl.W.Null()
	} else {
		cl.W.Array(1)
		cl.W.BulkString(key)
	}
	cl.keepPush(at)
}

// afterTracked ends a call made while clients track.
func (e *Engine) afterTracked(cl *Client) {
	if e.trk.caller == cl && (len(e.trk.pending) > 0 || e.trk.pendingAll) {
		e.flushTracking(cl)
	}
	e.trk.caller = nil
}

// flushTracking sends the caller the invalidations its command caused,
// after the command's reply, as Redis 7.0 does.
func (e *Engine) flushTracking(cl *Client) {
	if e.trk.pendingAll {
		writeInvalidate(cl, "", true)
	}
	for _, k := range e.trk.pending {
		if !e.trk.pendingAll {
			writeInvalidate(cl, k, false)
		}
	}
	e.trk.pending = e.trk.pending[:0]
	e.trk.pendingAll = false
}

func cmdClientTracking(c *Ctx) {
	on := false
	switch {
	case is(c.Args[2], "on"):
		on = true
	case is(c.Args[2], "off"):
	default:
		c.Err(ErrSyntax)
		return
	}
	noLoop, bcast, optin, optout, prefix, redirect := false, false, false, false, false, false
	for j := 3; j < len(c.Args); j++ {
		more := j+1 < len(c.Args)
		switch a := c.Args[j]; {
		case is(a, "redirect") && more:
			j++
			redirect = true
			id, ok := parseInt(c.Args[j])
			if !ok {
				c.Err(ErrNotInt)
				return
			}
			if id != c.Cl.ID && (c.E.Host == nil || !clientExists(c, id)) {
				c.Err("ERR The client ID you want redirect to does not exist")
				return
			}
		case is(a, "bcast"):
			bcast = true
		case is(a, "optin"):
			optin = true
		case is(a, "optout"):
			optout = true
		case is(a, "noloop"):
			noLoop = true
		case is(a, "prefix") && more:
			j++
			prefix = true
		default:
			c.Err(ErrSyntax)
			return
		}
	}
	if !on {
		c.E.TrackingOff(c.Cl)
		c.OK()
		return
	}
	switch {
	case c.Cl.trk.on && bcast:
		c.Err("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
		return
	case prefix && !bcast:
		c.Err("ERR PREFIX option requires BCAST mode to be enabled")
		return
	case optin && optout:
		c.Err("ERR You can't specify both OPTIN mode and OPTOUT mode")
		return
	case (optin || optout) && bcast:
		c.Err("ERR OPTIN and OPTOUT are not compatible with BCAST")
		return
	case redirect || bcast || optin || optout:
		c.Err("ERR kevy supports CLIENT TRACKING only in its default mode (no REDIRECT, BCAST, OPTIN or OPTOUT)")
		return
	}
	c.E.trackingOn(c.Cl, noLoop)
	c.OK()
}

// clientExists reports whether a client with this id is connected.
func clientExists(c *Ctx, id int64) bool {
	if ex, ok := c.E.Host.(interface{ ClientExists(int64) bool }); ok {
		return ex.ClientExists(id)
	}
	return false
}

// TrackingClients is INFO's tracking_clients.
func (e *Engine) TrackingClients() int { return len(e.trk.clients) }
