package command

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/kevy-db/kevy/rdb"
	"github.com/kevy-db/kevy/resp"
)

func migrateCommands() []spec {
	return []spec{
		{name: "migrate", arity: -6, flags: "write", first: 3, last: 3, step: 1, keys: "RW access delete index(3) range(0,1,0); RW access delete incomplete keyword(KEYS,-2) range(-1,1,0)", acl: "@keyspace @write @slow @dangerous", tips: "nondeterministic_output", group: "generic",
			summary: "Transfers keys to another server, deleting them here unless COPY is given.", run: cmdMigrate},
	}
}

// cmdMigrate moves keys to another Redis-compatible server with DUMP
// payloads and RESTORE, as Redis's MIGRATE does:
//
//	MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 user pw] [KEYS key ...]
//
// Like Redis, it runs synchronously: the execution lock is held while the
// target answers, bounded by the timeout. Keys the target accepted are
// deleted here (unless COPY) and the deletion is logged as DEL.
func cmdMigrate(c *Ctx) {
	var user, pass []byte
	copyMode, replace := false, false
	keys := [][]byte{c.Args[3]}
	for i := 6; i < len(c.Args); i++ {
		more := len(c.Args) - i - 1
		switch a := c.Args[i]; {
		case is(a, "copy"):
			copyMode = true
		case is(a, "replace"):
			replace = true
		case is(a, "auth") && more >= 1:
			pass = c.Args[i+1]
			i++
		case is(a, "auth2") && more >= 2:
			user, pass = c.Args[i+1], c.Args[i+2]
			i += 2
		case is(a, "keys"):
			if len(c.Args[3]) != 0 {
				c.Err("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string")
				return
			}
			keys = c.Args[i+1:]
			i = len(c.Args)
		default:
			c.Err(ErrSyntax)
			return
		}
	}
	db, ok := c.intArg(c.Args[4])
	if !ok {
		return
	}
	timeout, ok := c.intArg(c.Args[5])
	if !ok {
		return
	}
	if timeout <= 0 {
		timeout = 1000
	}
	type item struct {
		key     []byte
		payload []byte
		ttl     int64
	}
	var items []item
	opts := c.E.dumpOptions()
	for _, k := range keys {
		e := c.DB.Lookup(k)
		if e == nil {
			continue
		}
		re, err := ToRDB(c.Cl.DB, e)
		if err != nil {
			c.Err("ERR " + err.Error())
			return
		}
		p, err := rdb.EncodeDump(re, opts)
		if err != nil {
			c.Err("ERR " + err.Error())
			return
		}
		ttl := int64(0)
		if at := e.ExpireAt(); at != 0 {
			if ttl = at - c.Now(); ttl < 1 {
				continue // expired meanwhile: nothing to move
			}
		}
		items = append(items, item{k, p, ttl})
	}
	if len(items) == 0 {
		c.W.SimpleString("NOKEY")
		return
	}
	addr := net.JoinHostPort(string(c.Args[1]), string(c.Args[2]))
	d := time.Duration(timeout) * time.Millisecond
	conn, err := net.DialTimeout("tcp", addr, d)
	if err != nil {
		c.Err("IOERR error or timeout connecting to the client")
		return
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(d))
	var out []byte
	sent := 0
	if pass != nil {
		if user != nil {
			out = resp.AppendCommand(out, []byte("AUTH"), user, pass)
		} else {
			out = resp.AppendCommand(out, []byte("AUTH"), pass)
		}
		sent++
	}
	out = resp.AppendCommand(out, []byte("SELECT"), []byte(strconv.FormatInt(db, 10)))
	sent++
	for _, it := range items {
		args := [][]byte{[]byte("RESTORE"), it.key, []byte(strconv.FormatInt(it.ttl, 10)), it.payload}
		if replace {
			args = append(args, []byte("REPLACE"))
		}
		out = resp.AppendCommand(out, args...)
	}
	if _, err := conn.Write(out); err != nil {
		c.Err("IOERR error or timeout writing to target instance")
		return
	}
	rr := resp.NewReplyReader(bufio.NewReader(conn))
	for i := 0; i < sent; i++ {
		v, err := rr.ReadReply()
		if err != nil {
			c.Err("IOERR error or timeout reading to target instance")
			return
		}
		if v.Kind == '-' {
			c.Err("ERR Target instance replied with error: " + string(v.Str))
			return
		}
	}
	var firstErr error
	moved := 0
	for _, it := range items {
		v, err := rr.ReadReply()
		if err != nil {
			firstErr = errors.New("IOERR error or timeout reading to target instance")
			break
		}
		if v.Kind == '-' {
			if firstErr == nil {
				firstErr = fmt.Errorf("ERR Target instance replied with error: %s", v.Str)
			}
			continue
		}
		if !copyMode {
			if c.DB.Delete(it.key) {
				c.Dirty(1)
				c.Propagate([]byte("DEL"), it.key)
			}
		}
		moved++
	}
	if moved == 0 && firstErr == nil {
		c.NoPropagate()
	}
	if firstErr != nil {
		c.Err(firstErr.Error())
		return
	}
	c.OK()
}
