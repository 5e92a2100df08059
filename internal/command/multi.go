package command

func multiCommands() []spec {
	return []spec{
		{name: "multi", arity: 1, flags: "noscript loading stale fast allow_busy", acl: "@fast @transaction", group: "transactions", summary: "Opens a transaction: later commands are queued until EXEC.", run: cmdMulti},
		{name: "exec", arity: 1, flags: "noscript loading stale skip_slowlog", acl: "@slow @transaction", group: "transactions", summary: "Runs the queued commands of a transaction as one atomic step.", run: cmdExec},
		{name: "discard", arity: 1, flags: "noscript loading stale fast allow_busy", acl: "@fast @transaction", group: "transactions", summary: "Drops the queued commands and ends the transaction.", run: cmdDiscard},
		{name: "watch", arity: -2, flags: "noscript loading stale fast allow_busy", first: 1, last: -1, step: 1, keys: "RO", acl: "@fast @transaction", group: "transactions", summary: "Makes the next EXEC fail if any of these keys is modified before it.", run: cmdWatch},
		{name: "unwatch", arity: 1, flags: "noscript loading stale fast allow_busy", acl: "@fast @transaction", group: "transactions", summary: "Stops watching every key this connection watches.", run: cmdUnwatch},
	}
}

func cmdMulti(c *Ctx) {
	if c.Cl.multi {
		c.Err(ErrMultiNested)
		return
	}
	c.Cl.multi = true
	c.OK()
}

func cmdDiscard(c *Ctx) {
	if !c.Cl.multi {
		c.Err(ErrDiscardNoMulti)
		return
	}
	c.Cl.discardMulti()
	c.OK()
}

func cmdWatch(c *Ctx) {
	if c.Cl.multi {
		c.Err(ErrWatchInMulti)
		return
	}
	for _, k := range c.Args[1:] {
		already := false
		for _, w := range c.Cl.watched {
			if w.db == c.Cl.DB && w.key == string(k) {
				already = true
				break
			}
		}
		if already {
			continue
		}
		e := c.DB.Peek(k)
		w := watchedKey{db: c.Cl.DB, key: string(k)}
		if e != nil {
			w.e = entryRef{e: e, ver: e.Version()}
			w.expired = c.DB.IsExpired(e)
		}
		c.Cl.watched = append(c.Cl.watched, w)
		c.E.registerWatch(c.Cl, w.db, w.key)
	}
	c.OK()
}

func cmdUnwatch(c *Ctx) {
	c.Cl.unwatch()
	c.OK()
}

// watchBroken reports whether any watched key changed since WATCH: a
// different entry (deleted, replaced, moved, swapped), a newer version of the
// same entry, or a key that has expired meanwhile.
func (e *Engine) watchBroken(cl *Client) bool {
	if cl.watchDirty {
		return true
	}
	for _, w := range cl.watched {
		db := e.St.DB(w.db)
		cur := db.Peek([]byte(w.key))
		if cur != w.e.e {
			return true
		}
		if cur == nil {
			continue
		}
		if cur.Version() != w.e.ver {
			return true
		}
		if !w.expired && db.IsExpired(cur) {
			return true
		}
	}
	return false
}

func cmdExec(c *Ctx) {
	cl := c.Cl
	if !cl.multi {
		c.Err(ErrExecNoMulti)
		return
	}
	if cl.multiErr {
		cl.discardMulti()
		c.Err(ErrExecAbort)
		return
	}
	e := c.E
	if e.watchBroken(cl) {
		cl.discardMulti()
		c.W.NullArray()
		return
	}
	queue := cl.queue
	cl.queue = nil
	cl.multi = false
	cl.unwatch()
	c.W.Array(len(queue))
	for _, q := range queue {
		if q.cmd.Flags&FlagWrite != 0 && e.Host != nil {
			if msg := e.Host.WriteError(); msg != "" {
				c.W.Error(msg)
				continue
			}
		}
		e.depth++
		e.run(cl, q.cmd, q.args)
		e.depth--
	}
	// Reuse the queue's backing array for the next transaction.
	for i := range queue {
		queue[i] = queued{}
	}
	cl.queue = queue[:0]
}

// The watch registry exists only for the commands that change a whole
// database at once (FLUSHDB, FLUSHALL, SWAPDB): they mark the watchers of
// affected keys dirty, as Redis's touchAllWatchedKeysInDb does. Ordinary
// writes are detected by entry versions instead, at no cost per write.
type watchKey struct {
	db  int
	key string
}

func (e *Engine) registerWatch(cl *Client, db int, key string) {
	if e.watchers == nil {
		e.watchers = make(map[watchKey][]*Client)
	}
	k := watchKey{db, key}
	e.watchers[k] = append(e.watchers[k], cl)
	cl.watchEng = e
}

func (e *Engine) unregisterWatches(cl *Client) {
	for _, w := range cl.watched {
		k := watchKey{w.db, w.key}
		list := e.watchers[k]
		for i, c := range list {
			if c == cl {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(e.watchers, k)
		} else {
			e.watchers[k] = list
		}
	}
}

// touchWatchedInDB marks dirty the watchers of keys of db that exist in db,
// or in other (the database swapped in), before the change happens.
func (e *Engine) touchWatchedInDB(db, other int) {
	for k, list := range e.watchers {
		if k.db != db {
			continue
		}
		exists := e.St.DB(db).LookupNoStats([]byte(k.key)) != nil
		if !exists && other >= 0 {
			exists = e.St.DB(other).LookupNoStats([]byte(k.key)) != nil
		}
		if exists {
			for _, cl := range list {
				cl.watchDirty = true
			}
		}
	}
}
