package compat

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ioTimeout bounds every read and write. Replies in the scripts are small
// and local; a server that has not answered in this long is hung, and the
// script cannot go on reliably after that.
const ioTimeout = 10 * time.Second

// maxScanRounds bounds a !scanall iteration, so a server whose cursor never
// returns to 0 fails instead of looping forever.
const maxScanRounds = 100000

// closedMarker is the synthetic reply for a connection the server closed.
// Both servers closing at the same point is a match; one closing is not.
var closedMarker = reply{kind: 'x', raw: []byte("<connection closed by server>")}

// session is one script's set of named connections to one server.
type session struct {
	addr    string
	conns   map[string]*conn
	current string
}

// conn is one client connection.
type conn struct {
	nc     net.Conn
	rr     replyReader
	closed bool // the server closed it; kept until !rawclose or the next use
}

func newSession(addr string) *session {
	return &session{addr: addr, conns: map[string]*conn{}, current: "main"}
}

// close closes every connection of the session.
func (s *session) close() {
	for name, c := range s.conns {
		c.nc.Close()
		delete(s.conns, name)
	}
}

// conn returns the current connection, dialing it on first use and again
// after the server closed it.
func (s *session) conn() (*conn, error) {
	if c, ok := s.conns[s.current]; ok && !c.closed {
		return c, nil
	}
	s.drop()
	nc, err := net.DialTimeout("tcp", s.addr, ioTimeout)
	if err != nil {
		return nil, err
	}
	c := &conn{nc: nc, rr: replyReader{br: bufio.NewReader(nc)}}
	s.conns[s.current] = c
	return c, nil
}

// drop closes and forgets the current connection.
func (s *session) drop() {
	if c, ok := s.conns[s.current]; ok {
		c.nc.Close()
		delete(s.conns, s.current)
	}
}

func (c *conn) send(b []byte) error {
	if err := c.nc.SetWriteDeadline(time.Now().Add(ioTimeout)); err != nil {
		return err
	}
	_, err := c.nc.Write(b)
	return err
}

// receive reads one reply. A connection closed by the server, cleanly or by
// reset, yields closedMarker rather than an error.
func (c *conn) receive() (reply, error) {
	if err := c.nc.SetReadDeadline(time.Now().Add(ioTimeout)); err != nil {
		return reply{}, err
	}
	r, err := c.rr.read()
	if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
		return closedMarker, nil
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return reply{}, fmt.Errorf("no reply within %v", ioTimeout)
	}
	return r, err
}

// roundTrip sends b and reads one reply.
func (c *conn) roundTrip(b []byte) (reply, error) {
	if err := c.send(b); err != nil {
		if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
			return closedMarker, nil
		}
		return reply{}, err
	}
	return c.receive()
}

// run executes one step on this session. It returns the reply to compare,
// and ok=false for steps that produce none.
func (s *session) run(st step) (r reply, ok bool, err error) {
	switch st.act {
	case actConn:
		s.current = st.conn
		return reply{}, false, nil
	case actRawClose:
		return s.expectClose()
	}
	c, err := s.conn()
	if err != nil {
		return reply{}, false, err
	}
	switch st.act {
	case actSend:
		err = c.send(st.payload)
		return reply{}, false, err
	case actRead:
		r, err = c.receive()
	case actRaw:
		r, err = c.roundTrip(st.payload)
	case actProto:
		r, err = c.roundTrip(encodeCommand([]string{"HELLO", strconv.Itoa(st.proto)}))
	case actCommand:
		if st.cmp == cmpScanAll {
			r, err = c.scanAll(st.args)
		} else {
			r, err = c.roundTrip(encodeCommand(st.args))
		}
	}
	if err == nil && r.kind == closedMarker.kind {
		c.closed = true
	}
	return r, true, err
}

// expectClose reads from the current connection, which the server should
// have closed, and forgets it. A connection already seen closed (QUIT
// reads +OK, the next read finds the end) reads as closed at once.
func (s *session) expectClose() (reply, bool, error) {
	c, ok := s.conns[s.current]
	if !ok {
		return reply{}, false, fmt.Errorf("!rawclose: connection %q is not open", s.current)
	}
	defer s.drop()
	if c.closed {
		return closedMarker, true, nil
	}
	r, err := c.receive()
	return r, true, err
}

// scanAll runs a SCAN-family command from the given cursor until the server
// returns cursor 0, and returns the union of the elements seen as one
// synthetic array whose groups (pairs for HSCAN and ZSCAN) are sorted and
// deduplicated, so that it can be compared byte for byte. An error or any
// other unexpected reply is returned as is.
func (c *conn) scanAll(args []string) (reply, error) {
	at, err := scanCursorIndex(args)
	if err != nil {
		return reply{}, err
	}
	group := 1
	if name := strings.ToUpper(args[0]); name == "HSCAN" || name == "ZSCAN" {
		group = 2
	}
	args = slices.Clone(args)
	seen := map[string]bool{}
	for range maxScanRounds {
		r, err := c.roundTrip(encodeCommand(args))
		if err != nil {
			return reply{}, err
		}
		if r.kind != '*' || len(r.elems) != 2 || r.elems[0].kind != '$' || !r.elems[1].isAggregate() {
			return r, nil
		}
		elems := r.elems[1].elems
		if len(elems)%group != 0 {
			return r, nil
		}
		for i := 0; i < len(elems); i += group {
			var key []byte
			for _, e := range elems[i : i+group] {
				key = append(key, e.raw...)
			}
			seen[string(key)] = true
		}
		args[at] = string(r.elems[0].data)
		if args[at] == "0" {
			return union(seen), nil
		}
	}
	return reply{}, fmt.Errorf("cursor did not return to 0 after %d calls", maxScanRounds)
}

// union builds the synthetic sorted reply for scanAll.
func union(seen map[string]bool) reply {
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	raw := []byte("*" + strconv.Itoa(len(keys)) + "\r\n")
	for _, k := range keys {
		raw = append(raw, k...)
	}
	return reply{kind: '*', raw: raw}
}
