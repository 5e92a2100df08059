package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"testing"
	"time"
)

// Conn is a minimal RESP2 client for differential tests, independent of
// kevy's own codec so that a bug there cannot hide in both sides.
type Conn struct {
	conn net.Conn
	r    *bufio.Reader
}

// Error is an error reply from the server.
type Error string

func (e Error) Error() string { return string(e) }

// Client starts a redis-server (see Start) and returns a Conn to it,
// closed when the test ends.
func Client(t testing.TB, extra ...string) *Conn {
	t.Helper()
	c, err := net.Dial("tcp", Start(t, extra...))
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(120 * time.Second))
	t.Cleanup(func() { c.Close() })
	return &Conn{conn: c, r: bufio.NewReader(c)}
}

// Do sends one command and reads its reply: string for simple and bulk
// strings, int64, []any for arrays, nil for null; error replies come back
// as an Error.
func (rc *Conn) Do(args ...string) (any, error) {
	buf := fmt.Appendf(nil, "*%d\r\n", len(args))
	for _, a := range args {
		buf = fmt.Appendf(buf, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := rc.conn.Write(buf); err != nil {
		return nil, err
	}
	return rc.read()
}

func (rc *Conn) read() (any, error) {
	line, err := rc.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 {
		return nil, fmt.Errorf("short reply line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return nil, Error(body)
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		data := make([]byte, n+2)
		if _, err := io.ReadFull(rc.r, data); err != nil {
			return nil, err
		}
		return string(data[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = rc.read(); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, errors.New("unknown reply type " + strconv.Quote(line))
}
