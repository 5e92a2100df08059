package main

import (
	"bytes"
	"strconv"
	"sync"
)

// store is the keyspace both models share: a map under a mutex, as kevy's
// execution lock.
type store struct {
	mu sync.Mutex
	m  map[string][]byte
}

// execute runs every complete command in in, appends the replies to out,
// and returns the bytes consumed. Only well-formed multibulk SET/GET/PING
// are understood; anything else gets an error reply.
func (s *store) execute(in, out []byte) (int, []byte) {
	used := 0
	var args [3][]byte
	s.mu.Lock()
	for {
		n, argc := parse(in[used:], &args)
		if n == 0 {
			break
		}
		used += n
		switch {
		case argc == 3 && bytes.EqualFold(args[0], []byte("set")):
			v, ok := s.m[string(args[1])]
			if ok && cap(v) >= len(args[2]) {
				v = append(v[:0], args[2]...)
			} else {
				v = append([]byte(nil), args[2]...)
			}
			s.m[string(args[1])] = v
			out = append(out, "+OK\r\n"...)
		case argc == 2 && bytes.EqualFold(args[0], []byte("get")):
			v, ok := s.m[string(args[1])]
			if !ok {
				out = append(out, "$-1\r\n"...)
				break
			}
			out = append(out, '$')
			out = strconv.AppendInt(out, int64(len(v)), 10)
			out = append(out, "\r\n"...)
			out = append(out, v...)
			out = append(out, "\r\n"...)
		case argc >= 1 && bytes.EqualFold(args[0], []byte("ping")):
			out = append(out, "+PONG\r\n"...)
		default:
			out = append(out, "-ERR unsupported\r\n"...)
		}
	}
	s.mu.Unlock()
	return used, out
}

// parse reads one multibulk command of up to three arguments from b and
// returns its length, or 0 if b does not hold a whole one.
func parse(b []byte, args *[3][]byte) (int, int) {
	if len(b) < 4 || b[0] != '*' {
		return 0, 0
	}
	i := 1
	argc, i, ok := number(b, i)
	if !ok || argc < 1 || argc > 3 {
		return 0, 0
	}
	for a := 0; a < argc; a++ {
		if i >= len(b) || b[i] != '$' {
			return 0, 0
		}
		var l int
		l, i, ok = number(b, i+1)
		if !ok || i+l+2 > len(b) {
			return 0, 0
		}
		args[a] = b[i : i+l]
		i += l + 2
	}
	return i, argc
}

// number reads a decimal followed by CRLF at b[i:].
func number(b []byte, i int) (int, int, bool) {
	n := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int(b[i]-'0')
	}
	if i+1 >= len(b) || b[i] != '\r' || b[i+1] != '\n' {
		return 0, i, false
	}
	return n, i + 2, true
}
