package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

func TestDumpRoundTrip(t *testing.T) {
	for _, e := range sampleEntries() {
		p, err := EncodeDump(e, nil)
		if err != nil {
			t.Fatal(err)
		}
		if v := binary.LittleEndian.Uint16(p[len(p)-10:]); v != 10 {
			t.Fatalf("payload version %d", v)
		}
		got, err := DecodeDump(p)
		if err != nil {
			t.Fatalf("%q: %v", e.Key, err)
		}
		checkDumpEntry(t, e, got)
	}
}

func checkDumpEntry(t *testing.T, want, got *Entry) {
	t.Helper()
	if got.Key != nil || got.DB != 0 || got.ExpireAt != 0 || got.Idle != -1 || got.Freq != -1 {
		t.Errorf("metadata in decoded dump: %+v", summarize(got))
	}
	got.Key, got.DB, got.ExpireAt = want.Key, want.DB, want.ExpireAt
	sameEntry(t, want, got)
}

// TestDumpKnownBytes pins a payload computed by hand from the format:
// type 0, int8-encoded "7", version 10, CRC-64 of the three bytes before.
func TestDumpKnownBytes(t *testing.T) {
	p, err := EncodeDump(&Entry{Type: TypeString, Str: []byte("7")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x00, 0xC0, 0x07, 0x0A, 0x00}
	want = binary.LittleEndian.AppendUint64(want, jonesCRC(want))
	if !bytes.Equal(p, want) {
		t.Fatalf("got %x, want %x", p, want)
	}
}

func TestDecodeDumpErrors(t *testing.T) {
	good, err := EncodeDump(&Entry{Type: TypeList, List: strs("a", "b", "c")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	resum := func(p []byte) []byte {
		n := len(p) - 8
		binary.LittleEndian.PutUint64(p[n:], jonesCRC(p[:n]))
		return p
	}
	newer := bytes.Clone(good)
	newer[len(newer)-10] = 11
	badCRC := bytes.Clone(good)
	badCRC[2] ^= 1
	trailing := resum(append(append(bytes.Clone(good[:len(good)-10]), 'x'), good[len(good)-10:]...))
	opcode := resum([]byte{opEOF, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	empty := resum([]byte{typeList, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	stream := resum([]byte{typeStreamV2, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	for name, tc := range map[string]struct {
		p    []byte
		want error
	}{
		"short":        {good[:5], ErrTruncated},
		"newer":        {resum(newer), ErrUnsupported},
		"checksum":     {badCRC, ErrChecksum},
		"zero crc":     {append(bytes.Clone(good[:len(good)-8]), make([]byte, 8)...), ErrChecksum},
		"trailing":     {trailing, ErrCorrupt},
		"opcode":       {opcode, ErrCorrupt},
		"empty list":   {empty, ErrCorrupt},
		"stream":       {stream, ErrUnsupported},
		"cut value":    {resum(append(bytes.Clone(good[:4]), good[len(good)-10:]...)), ErrTruncated},
		"forged count": {resum([]byte{typeList, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 1, 'a', 10, 0, 0, 0, 0, 0, 0, 0, 0, 0}), ErrTruncated},
	} {
		if _, err := DecodeDump(tc.p); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", name, err, tc.want)
		}
	}
	// A trailer alone passes the checks Redis makes before reading (RESTORE
	// then says "Bad data format", not "version or checksum"), but holds
	// no value.
	bare := resum([]byte{10, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	if err := VerifyDump(bare); err != nil {
		t.Errorf("VerifyDump(trailer only): %v", err)
	}
	if _, err := DecodeDump(bare); !errors.Is(err, ErrTruncated) {
		t.Errorf("DecodeDump(trailer only): got %v, want ErrTruncated", err)
	}
	for name, p := range map[string][]byte{"short": good[:9], "newer": resum(newer), "checksum": badCRC} {
		if VerifyDump(p) == nil {
			t.Errorf("VerifyDump(%s) accepted", name)
		}
	}
	// Older payload versions are accepted, as Redis does.
	old := bytes.Clone(good)
	old[len(old)-10] = 9
	if _, err := DecodeDump(resum(old)); err != nil {
		t.Errorf("version 9 payload: %v", err)
	}
}
