package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// A deliberately tiny RESP2 client. The benchmark does not use kevy's own
// resp package so that a bug there cannot skew or break the measurements.

// reply is one decoded RESP value.
type reply struct {
	kind byte // '+', '-', ':', '$', '*'
	str  string
	num  int64
	arr  []reply
	null bool
}

// err returns the server error carried by an error reply, if any.
func (r reply) err() error {
	if r.kind == '-' {
		return errors.New(r.str)
	}
	return nil
}

type conn struct {
	nc net.Conn
	r  *bufio.Reader
	w  *bufio.Writer
}

func dial(addr string, timeout time.Duration) (*conn, error) {
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	return &conn{nc: nc, r: bufio.NewReaderSize(nc, 64<<10), w: bufio.NewWriterSize(nc, 64<<10)}, nil
}

func (c *conn) close() { c.nc.Close() }

// send buffers one command; flush writes the buffer out.
func (c *conn) send(args ...string) {
	c.w.WriteByte('*')
	c.w.WriteString(strconv.Itoa(len(args)))
	c.w.WriteString("\r\n")
	for _, a := range args {
		c.w.WriteByte('$')
		c.w.WriteString(strconv.Itoa(len(a)))
		c.w.WriteString("\r\n")
		c.w.WriteString(a)
		c.w.WriteString("\r\n")
	}
}

func (c *conn) flush() error { return c.w.Flush() }

// do sends one command and reads its reply. A server error is returned as
// an error value.
func (c *conn) do(args ...string) (reply, error) {
	c.send(args...)
	if err := c.flush(); err != nil {
		return reply{}, err
	}
	r, err := readReply(c.r)
	if err != nil {
		return r, err
	}
	return r, r.err()
}

func (c *conn) read() (reply, error) { return readReply(c.r) }

func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return "", fmt.Errorf("resp: malformed line %q", line)
	}
	return line[:len(line)-2], nil
}

func readReply(r *bufio.Reader) (reply, error) {
	line, err := readLine(r)
	if err != nil {
		return reply{}, err
	}
	if line == "" {
		return reply{}, errors.New("resp: empty line")
	}
	rep := reply{kind: line[0]}
	body := line[1:]
	switch rep.kind {
	case '+', '-':
		rep.str = body
	case ':':
		rep.num, err = strconv.ParseInt(body, 10, 64)
	case '$':
		n, perr := strconv.Atoi(body)
		if perr != nil {
			return rep, fmt.Errorf("resp: bad bulk length %q", body)
		}
		if n < 0 {
			rep.null = true
			return rep, nil
		}
		buf := make([]byte, n+2)
		if _, err = io.ReadFull(r, buf); err != nil {
			return rep, err
		}
		rep.str = string(buf[:n])
	case '*':
		n, perr := strconv.Atoi(body)
		if perr != nil {
			return rep, fmt.Errorf("resp: bad array length %q", body)
		}
		if n < 0 {
			rep.null = true
			return rep, nil
		}
		rep.arr = make([]reply, n)
		for i := range rep.arr {
			if rep.arr[i], err = readReply(r); err != nil {
				return rep, err
			}
		}
	default:
		return rep, fmt.Errorf("resp: unexpected type byte %q", rep.kind)
	}
	return rep, err
}

// infoField returns one "name:value" field of an INFO reply.
func infoField(info, name string) (string, bool) {
	for _, line := range strings.Split(info, "\n") {
		line = strings.TrimRight(line, "\r")
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v, true
		}
	}
	return "", false
}

// infoInt runs INFO section and returns one integer field.
func infoInt(c *conn, section, name string) (int64, error) {
	r, err := c.do("INFO", section)
	if err != nil {
		return 0, err
	}
	v, ok := infoField(r.str, name)
	if !ok {
		return 0, fmt.Errorf("INFO %s has no %s", section, name)
	}
	return strconv.ParseInt(v, 10, 64)
}
