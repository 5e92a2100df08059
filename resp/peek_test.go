package resp

import (
	"bytes"
	"io"
	"testing"
)

// noReadAfter is an io.Reader that gives its data in one Read and fails the
// test on any Read after armed is set.
type noReadAfter struct {
	t     *testing.T
	data  []byte
	armed bool
}

func (r *noReadAfter) Read(p []byte) (int, error) {
	if r.armed {
		r.t.Fatal("PeekArgs read from the underlying reader")
	}
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestPeekArgs(t *testing.T) {
	in := "*3\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n" + // returned first
		"*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n" +
		"*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$2\r\nf2\r\n$1\r\nv\r\n" +
		"*1\r\n$4\r\nPING\r\n" + // fewer than two arguments: peeking stops
		"*2\r\n$3\r\nGET\r\n$2\r\nk3\r\n"
	src := &noReadAfter{t: t, data: []byte(in)}
	rd := NewReader(src, Limits{})
	if _, err := rd.ReadCommand(); err != nil {
		t.Fatal(err)
	}
	src.armed = true
	keys, members := rd.PeekArgs(nil, nil, 10)
	if got := joinArgs(keys); got != "k1,h" {
		t.Errorf("keys = %q, want k1,h", got)
	}
	if len(members) != 2 || members[0] != nil || string(members[1]) != "f2" {
		t.Errorf("members = %q, want [nil f2]", members)
	}
	keys, _ = rd.PeekArgs(keys[:0], members[:0], 1)
	if got := joinArgs(keys); got != "k1" {
		t.Errorf("with max 1: keys = %q, want k1", got)
	}
}

func TestPeekArgsStopsAtWhatItCannotRead(t *testing.T) {
	first := "*2\r\n$3\r\nGET\r\n$1\r\na\r\n"
	for name, rest := range map[string]string{
		"incomplete":     "*2\r\n$3\r\nGET\r\n$5\r\nab",
		"inline":         "GET b\r\n",
		"bad header":     "*2x\r\n$3\r\nGET\r\n$1\r\nb\r\n",
		"huge count":     "*99999999999\r\n",
		"bad bulk":       "*2\r\n$3\r\nGET\r\n:1\r\n",
		"no terminator":  "*2\r\n$3\r\nGET\r\n$1",
		"negative count": "*-1\r\n",
	} {
		rd := NewReader(bytes.NewReader([]byte(first+rest)), Limits{})
		if _, err := rd.ReadCommand(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if keys, members := rd.PeekArgs(nil, nil, 4); len(keys) != 0 || len(members) != 0 {
			t.Errorf("%s: PeekArgs = %q %q, want nothing", name, keys, members)
		}
	}
}

func joinArgs(a [][]byte) string { return string(bytes.Join(a, []byte(","))) }

// FuzzPeekArgs checks that the hints agree with what ReadCommand then
// returns: each peeked command that ReadCommand also accepts has the
// peeked second and third arguments.
func FuzzPeekArgs(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte("*2\r\n$3\r\nGET\r\n$1\r\na\r\n*3\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\nm\r\n*2\r\n$3\r\nGET\r\n$03\r\nabc\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		rd := NewReader(bytes.NewReader(in), Limits{})
		var keys, members [][]byte
		for {
			args, err := rd.ReadCommand()
			if err != nil {
				return
			}
			if len(keys) > 0 {
				if len(args) < 2 || !bytes.Equal(args[1], keys[0]) {
					t.Fatalf("peeked key %q, then read %q", keys[0], args)
				}
				if want := []byte(nil); len(args) > 2 {
					want = args[2]
					if !bytes.Equal(want, members[0]) {
						t.Fatalf("peeked member %q, then read %q", members[0], args)
					}
				} else if members[0] != nil {
					t.Fatalf("peeked member %q, then read %q", members[0], args)
				}
				keys, members = keys[1:], members[1:]
				continue
			}
			// Copies: the peeked slices alias the buffer, which the next
			// ReadCommand may compact.
			keys, members = rd.PeekArgs(nil, nil, 8)
			keys, members = cloneArgs(keys), cloneArgs(members)
		}
	})
}

func cloneArgs(a [][]byte) [][]byte {
	out := make([][]byte, len(a))
	for i, b := range a {
		if b != nil {
			out[i] = append([]byte{}, b...)
		}
	}
	return out
}
