package resp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"testing"
	"testing/iotest"
)

// fuzzSeeds are shared by both fuzz targets' f.Add seeds; the committed
// corpus under testdata/fuzz holds more.
var fuzzSeeds = []string{
	"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
	"PING\r\nSET k \"a b\\x41\" 'c\\'d'\n\r\n",
	"*0\r\n*-1\r\n*1\r\n$4\r\nPINGXY",
	"*1\rX$4\rYPING\r\n",
	"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhel",
	"*1\r\n$536870000\r\n0123456789",
	"*1\r\nx3\r\n",
	"SET k \"unbalanced\r\n",
	"+OK\r\n-ERR x\r\n:1\r\n$-1\r\n*2\r\n%1\r\n+k\r\n_\r\n~1\r\n#t\r\n>1\r\n,1.5\r\n",
	"=7\r\ntxt:abc\r\n(12345678901234567890\r\n|1\r\n+a\r\n:1\r\n!3\r\nERR\r\n",
}

// fuzzLimits are small enough for fuzzed inputs to reach every limit.
var fuzzLimits = []Limits{
	{},
	{MaxBulkLen: 16, MaxMultibulkLen: 4, MaxInlineLen: 24, MaxQueryBuffer: 96},
	{Unauthenticated: true},
	{MaxBulkLen: math.MaxInt64, MaxMultibulkLen: math.MaxInt64, MaxInlineLen: math.MaxInt, MaxQueryBuffer: math.MaxInt64},
}

type fuzzResult struct {
	cmds  [][]string
	offs  []int64
	err   string
	final int64
}

func readForFuzz(t *testing.T, in []byte, lim Limits, strict bool, wrap func(io.Reader) io.Reader) fuzzResult {
	rd := NewReader(wrap(bytes.NewReader(in)), lim)
	rd.SetStrict(strict)
	var res fuzzResult
	bound := bufferBound(len(in))
	for {
		args, err := rd.ReadCommand()
		if cap(rd.buf) > bound {
			t.Fatalf("buffer capacity %d after %d bytes of input", cap(rd.buf), len(in))
		}
		if rd.Offset() < 0 || rd.Offset() > int64(len(in)) || rd.Offset()+int64(rd.Buffered()) > int64(len(in)) {
			t.Fatalf("Offset %d + Buffered %d outside input of %d bytes", rd.Offset(), rd.Buffered(), len(in))
		}
		if err != nil {
			switch {
			case err == io.EOF:
				if rd.Offset() != int64(len(in)) {
					t.Fatalf("io.EOF at Offset %d of %d", rd.Offset(), len(in))
				}
				res.err = "EOF"
			case errors.Is(err, io.ErrUnexpectedEOF):
				if rd.Offset()+int64(rd.Buffered()) != int64(len(in)) || rd.Buffered() == 0 {
					t.Fatalf("torn input: Offset %d + Buffered %d != %d", rd.Offset(), rd.Buffered(), len(in))
				}
				res.err = "torn"
			case errors.Is(err, ErrQueryBufferLimit):
				res.err = "limit"
			default:
				if protoMsg(err) == "" {
					t.Fatalf("unexpected error type %T: %v", err, err)
				}
				res.err = protoMsg(err)
			}
			res.final = rd.Offset()
			return res
		}
		if len(args) == 0 {
			t.Fatal("empty command returned")
		}
		cmd := make([]string, len(args))
		for i, a := range args {
			cmd[i] = string(a)
		}
		res.cmds = append(res.cmds, cmd)
		res.offs = append(res.offs, rd.Offset())
	}
}

func FuzzReadCommand(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, lim := range fuzzLimits {
			for _, strict := range []bool{false, true} {
				whole := readForFuzz(t, in, lim, strict, func(r io.Reader) io.Reader { return r })
				// The outcome must not depend on how the input is split.
				bytewise := readForFuzz(t, in, lim, strict, iotest.OneByteReader)
				if fmt.Sprint(whole) != fmt.Sprint(bytewise) {
					// Only the query buffer limit may differ: it bounds
					// what is buffered, which depends on the reads.
					if whole.err != "limit" && bytewise.err != "limit" {
						t.Fatalf("limits %+v strict %v:\nwhole    %+v\nbytewise %+v", lim, strict, whole, bytewise)
					}
				}
				// Re-encoded commands parse back identically, strictly.
				var enc []byte
				for _, c := range whole.cmds {
					enc = AppendCommandStrings(enc, c...)
				}
				back := readForFuzz(t, enc, Limits{}, true, func(r io.Reader) io.Reader { return r })
				if back.err != "EOF" || fmt.Sprint(back.cmds) != fmt.Sprint(whole.cmds) {
					t.Fatalf("round trip: %q (%s) became %q (%s)", whole.cmds, whole.err, back.cmds, back.err)
				}
			}
		}
	})
}

func FuzzReplyReader(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		raws := NewReplyReader(bytes.NewReader(in))
		vals := NewReplyReader(iotest.OneByteReader(bytes.NewReader(in)))
		var consumed []byte
		for {
			raw, rawErr := raws.ReadRaw()
			v, valErr := vals.ReadReply()
			if cap(raws.buf) > bufferBound(len(in)) || cap(vals.buf) > bufferBound(len(in)) {
				t.Fatalf("buffer capacity %d/%d after %d bytes of input", cap(raws.buf), cap(vals.buf), len(in))
			}
			if (rawErr == nil) != (valErr == nil) {
				t.Fatalf("ReadRaw error %v but ReadReply error %v", rawErr, valErr)
			}
			if rawErr != nil {
				if rawErr == io.EOF && !bytes.Equal(consumed, in) {
					t.Fatalf("io.EOF after consuming %d of %d bytes", len(consumed), len(in))
				}
				if rawErr != io.EOF && !errors.Is(rawErr, io.ErrUnexpectedEOF) && protoMsg(rawErr) == "" {
					t.Fatalf("unexpected error type %T: %v", rawErr, rawErr)
				}
				return
			}
			consumed = append(consumed, raw...)
			if !bytes.HasPrefix(in, consumed) {
				t.Fatalf("raw replies %q are not a prefix of the input", consumed)
			}
			if enc := appendValue(nil, v); !bytes.Equal(enc, raw) {
				t.Fatalf("reply %q decodes to %s, which re-encodes as %q", raw, valueString(v), enc)
			}
		}
	})
}
