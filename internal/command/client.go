package command

import (
	"time"

	"github.com/kevy-db/kevy/resp"
)

// Client is the session state of one connection that commands read and
// change. The server owns the connection; the engine owns these fields while
// it holds the execution lock.
type Client struct {
	ID            int64
	Name          string
	DB            int
	Authenticated bool
	W             *resp.Writer

	Addr, LocalAddr string
	Created         time.Time
	LastInteraction time.Time
	LastCmd         string

	// The last command looked up, by its name as sent (lookupCached).
	cmdCache     *Command
	cmdCacheName [16]byte
	cmdCacheLen  uint8

	// CloseAfterReply is set by QUIT (and fatal errors): the server flushes
	// the reply and closes.
	CloseAfterReply bool
	// Replay marks the pseudo-client that replays the log at start-up.
	Replay bool
	// reply is the CLIENT REPLY mode; quiet and kept serve callQuiet
	// (clientops.go).
	reply uint8
	quiet bool
	kept  []byte
	trk   clientTracking // CLIENT TRACKING (tracking.go)
	// NoEvict is CLIENT NO-EVICT (shown in CLIENT LIST's flags).
	NoEvict bool

	multi      bool
	multiErr   bool
	watchDirty bool    // set by FLUSHDB/SWAPDB touching a watched key
	watchEng   *Engine // registry this client's watches are in
	queue      []queued
	watched    []watchedKey

	ctx       Ctx
	ctxNested Ctx

	// Blocking and Pub/Sub state (blocking.go, pubsub.go), guarded by the
	// execution lock like the rest of the session.
	blk *blockedOp
	ps  *clientPubSub
	// Conn is the server's per-connection state. When it implements
	// ConnHooks the engine tells it about Pub/Sub messages appended to W.
	Conn any
}

type queued struct {
	cmd  *Command
	args [][]byte
}

type watchedKey struct {
	db      int
	key     string
	e       entryRef
	expired bool
}

// InMulti reports whether the client is inside MULTI.
func (c *Client) InMulti() bool { return c.multi }

// Queued is the number of commands queued in MULTI.
func (c *Client) Queued() int { return len(c.queue) }

// Watching is the number of keys the client watches.
func (c *Client) Watching() int { return len(c.watched) }

func (c *Client) discardMulti() {
	for i := range c.queue {
		c.queue[i] = queued{}
	}
	c.queue = c.queue[:0]
	c.multi = false
	c.multiErr = false
	c.unwatch()
}

func (c *Client) unwatch() {
	if c.watchEng != nil {
		c.watchEng.unregisterWatches(c)
	}
	c.watchDirty = false
	for i := range c.watched {
		c.watched[i] = watchedKey{}
	}
	c.watched = c.watched[:0]
}

// Reset returns the session to its state after connecting (RESET).
func (c *Client) Reset() {
	c.discardMulti()
	c.unsubscribeAll() // RESET leaves every channel and pattern (pubsub.go)
	c.DB = 0
	c.Name = ""
	c.reply = replyOn
	c.W.SetProto(2)
}
