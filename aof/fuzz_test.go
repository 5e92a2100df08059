package aof

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kevy-db/kevy/resp"
	"github.com/kevy-db/kevy/vfs"
)

// FuzzReplay feeds arbitrary bytes to Replay and Check. Properties:
//   - no panic, and bounded work: the decoder never allocates for a length
//     the bytes do not back (resp's buffer policy, small limits here);
//   - Replay with LoadTruncated=false succeeds exactly when Check says the
//     file is valid, and then delivers every command Check counted;
//   - every delivered command is a real frame: re-encoding it and parsing
//     it back gives the same arguments, and the encoded size of everything
//     delivered never exceeds the input;
//   - a failure is ErrTornTail or ErrCorrupt, never anything else, and with
//     LoadTruncated=true a torn tail (only) is cut, after which the file is
//     valid.
func FuzzReplay(f *testing.F) {
	f.Add([]byte(Header + "*3\r\n$9\r\nKEVY.BASE\r\n$2\r\nab\r\n$1\r\n-\r\n*1\r\n$4\r\nPING\r\n"))
	f.Add([]byte("*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*1\r\n$4\r\nEXEC\r\n"))
	f.Add([]byte("*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n"))
	f.Add([]byte("#TS:123\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n"))
	f.Add([]byte("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n\x00\x00\x00"))
	f.Add([]byte("*2147483647\r\n$2147483647\r\n"))
	f.Add([]byte("SET a b\r\n"))
	f.Add([]byte("KEVYAO"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := vfs.NewMem()
		writeRaw(t, m, "/a.aof", data)
		lim := resp.Limits{MaxBulkLen: 1 << 16, MaxMultibulkLen: 1 << 12, MaxQueryBuffer: 1 << 20}
		var delivered int64
		var encoded int
		_, err := Replay(m, "/a.aof", &ReplayOptions{Limits: lim}, func(args [][]byte) error {
			delivered++
			enc := resp.AppendCommand(nil, args...)
			encoded += len(enc)
			back, err := resp.NewReader(bytes.NewReader(enc), resp.Limits{}).ReadCommand()
			if err != nil || join([][][]byte{back}) != join([][][]byte{args}) {
				t.Fatalf("delivered args do not round-trip: %q", args)
			}
			return nil
		})
		if encoded > len(data)+64 { // +64: a synthetic SELECT is never delivered from offset 0
			t.Fatalf("delivered %d encoded bytes from %d input bytes", encoded, len(data))
		}
		check, cerr := Check(m, "/a.aof")
		if cerr != nil {
			t.Fatal(cerr)
		}
		if (err == nil) != check.Valid() {
			t.Fatalf("Replay err %v but Check valid=%v (%v)", err, check.Valid(), check.Err)
		}
		if err != nil && !errors.Is(err, ErrTornTail) && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if err == nil && delivered != check.Commands {
			t.Fatalf("delivered %d, Check counted %d", delivered, check.Commands)
		}
		_, err = Replay(m, "/a.aof", &ReplayOptions{LoadTruncated: true, Limits: lim}, func([][]byte) error { return nil })
		if errors.Is(err, ErrTornTail) || (err != nil && !errors.Is(err, ErrCorrupt)) {
			t.Fatalf("LoadTruncated replay: %v", err)
		}
		if err == nil {
			if c, _ := Check(m, "/a.aof"); !c.Valid() {
				t.Fatalf("file invalid after a tolerated replay: %v", c.Err)
			}
		}
	})
}
