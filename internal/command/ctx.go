package command

import (
	"github.com/kevy-db/kevy/internal/store"
	"github.com/kevy-db/kevy/resp"
)

// Ctx is what a handler gets: its arguments, its client, the database the
// client has selected and the reply writer.
type Ctx struct {
	Args [][]byte
	Cl   *Client
	W    *resp.Writer
	DB   *store.DB
	St   *store.Store
	E    *Engine
	Cmd  *Command

	dirty      int64
	propagated bool
}

// Err writes an error reply.
func (c *Ctx) Err(msg string) { c.W.Error(msg) }

// OK writes +OK.
func (c *Ctx) OK() { c.W.SimpleString("OK") }

// Dirty records n changes to the dataset. A write command that recorded
// changes and did not call Propagate is logged verbatim.
func (c *Ctx) Dirty(n int64) { c.dirty += n }

// Propagate records args as the log record of this command's effect (for the
// selected database), replacing the verbatim default. Handlers call it where
// the request and its effect differ (relative TTLs, randomness, floats) or to
// log several records.
func (c *Ctx) Propagate(args ...[]byte) {
	c.propagated = true
	c.E.propagate(c.Cl.DB, args...)
}

// PropagateDB is Propagate for another database (MOVE, COPY … DB).
func (c *Ctx) PropagateDB(db int, args ...[]byte) {
	c.propagated = true
	c.E.propagate(db, args...)
}

// NoPropagate marks the command as having logged everything it needs even
// though it logged nothing (e.g. a write that only deleted expired keys).
func (c *Ctx) NoPropagate() { c.propagated = true }

// Now is the command's clock in unix ms.
func (c *Ctx) Now() int64 { return c.St.Now() }
