package resp

import (
	"errors"
	"io"
	"strings"
	"testing/iotest"
)

// chunkings feeds the same input whole, one byte per Read, and in 3-byte
// pieces: parsing must not depend on how the input was split.
var chunkings = []struct {
	name string
	wrap func(io.Reader) io.Reader
}{
	{"whole", func(r io.Reader) io.Reader { return r }},
	{"bytewise", iotest.OneByteReader},
	{"chunks3", func(r io.Reader) io.Reader { return &chunkReader{r: r, n: 3} }},
}

type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

// readAll reads every command from rd, returning them as strings, the
// offsets after each, and the error that ended the stream (nil for io.EOF).
func readAll(rd *Reader) (cmds [][]string, offs []int64, err error) {
	for {
		args, err := rd.ReadCommand()
		if err == io.EOF {
			return cmds, offs, nil
		}
		if err != nil {
			return cmds, offs, err
		}
		cmd := make([]string, len(args))
		for i, a := range args {
			cmd[i] = string(a)
		}
		cmds = append(cmds, cmd)
		offs = append(offs, rd.Offset())
	}
}

// protoMsg returns the text of a *ProtocolError, or "" for other errors.
func protoMsg(err error) string {
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return pe.Msg
	}
	return ""
}

func cmdString(cmds [][]string) string {
	var b strings.Builder
	for _, c := range cmds {
		b.WriteString("[")
		for i, a := range c {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(strings.ReplaceAll(a, " ", "\\s"))
		}
		b.WriteString("]")
	}
	return b.String()
}
