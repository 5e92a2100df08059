package aof

import (
	"fmt"
	"io"
	"iter"
	"math"
	"strconv"

	"github.com/kevy-db/kevy/resp"
)

// ChunkSize is the most elements a RewriteWriter puts into one command, so
// that no record of a rewritten log is huge (Redis uses the same number,
// AOF_REWRITE_ITEMS_PER_CMD).
const ChunkSize = 64

// RewriteWriter emits a dataset as compact commands: SET (with PXAT for a
// TTL), RPUSH, SADD, HSET and ZADD in chunks of ChunkSize elements followed
// by PEXPIREAT for a collection with a TTL, and SELECT whenever the database
// changes. Expiry times are absolute Unix milliseconds (0 = none), so a
// replay never extends a TTL. Errors are sticky: after the first one every
// method returns it.
type RewriteWriter struct {
	w    io.Writer
	db   int
	buf  []byte
	args [][]byte
	num  []byte
	keys int64
	err  error
}

// NewRewriteWriter returns a RewriteWriter writing to w (a *Rewrite, or any
// writer). The first key of a database other than 0 is preceded by SELECT.
func NewRewriteWriter(w io.Writer) *RewriteWriter {
	return &RewriteWriter{w: w}
}

// Keys reports how many keys were written.
func (rw *RewriteWriter) Keys() int64 { return rw.keys }

// Select makes the following keys belong to database db.
func (rw *RewriteWriter) Select(db int) error {
	if rw.err == nil && db != rw.db {
		rw.db = db
		rw.emit(selectFrame(rw.buf[:0], db))
	}
	return rw.err
}

func (rw *RewriteWriter) emit(frame []byte) {
	rw.buf = frame
	if rw.err != nil {
		return
	}
	if _, err := rw.w.Write(frame); err != nil {
		rw.err = fmt.Errorf("aof: rewrite: %w", err)
	}
}

func (rw *RewriteWriter) command(args ...[]byte) {
	rw.emit(resp.AppendCommand(rw.buf[:0], args...))
}

// String writes a string key: SET key value [PXAT expireAtMs].
func (rw *RewriteWriter) String(key, value []byte, expireAtMs int64) error {
	if rw.err != nil {
		return rw.err
	}
	if expireAtMs > 0 {
		rw.command([]byte("SET"), key, value, []byte("PXAT"), strconv.AppendInt(rw.num[:0], expireAtMs, 10))
	} else {
		rw.command([]byte("SET"), key, value)
	}
	rw.keys++
	return rw.err
}

// List writes a list key with RPUSH, in order.
func (rw *RewriteWriter) List(key []byte, items iter.Seq[[]byte], expireAtMs int64) error {
	return rw.chunked("RPUSH", key, func(yield func([]byte) bool) {
		for v := range items {
			if !yield(v) {
				return
			}
		}
	}, 1, expireAtMs)
}

// Set writes a set key with SADD.
func (rw *RewriteWriter) Set(key []byte, members iter.Seq[[]byte], expireAtMs int64) error {
	return rw.chunked("SADD", key, func(yield func([]byte) bool) {
		for v := range members {
			if !yield(v) {
				return
			}
		}
	}, 1, expireAtMs)
}

// Hash writes a hash key with HSET field value pairs.
func (rw *RewriteWriter) Hash(key []byte, fields iter.Seq2[[]byte, []byte], expireAtMs int64) error {
	return rw.chunked("HSET", key, func(yield func([]byte) bool) {
		for f, v := range fields {
			if !yield(f) || !yield(v) {
				return
			}
		}
	}, 2, expireAtMs)
}

// ZSet writes a sorted set key with ZADD score member pairs. Scores are
// formatted to round-trip exactly ("inf" and "-inf" for the infinities);
// a NaN score is an error.
func (rw *RewriteWriter) ZSet(key []byte, members iter.Seq2[[]byte, float64], expireAtMs int64) error {
	var nan bool
	err := rw.chunked("ZADD", key, func(yield func([]byte) bool) {
		for m, score := range members {
			if math.IsNaN(score) {
				nan = true
				return
			}
			if !yield(FormatScore(nil, score)) || !yield(m) {
				return
			}
		}
	}, 2, expireAtMs)
	if err == nil && nan {
		rw.err = fmt.Errorf("aof: rewrite: NaN score in sorted set %s", preview(key))
	}
	return rw.err
}

// FormatScore appends a sorted-set score in the shortest form that parses
// back to the same float64.
func FormatScore(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

// chunked emits "cmd key args..." with at most ChunkSize elements (each of
// per arguments) per command, then PEXPIREAT if needed. An empty
// collection writes nothing: Redis has no empty keys.
func (rw *RewriteWriter) chunked(cmd string, key []byte, args iter.Seq[[]byte], per int, expireAtMs int64) error {
	if rw.err != nil {
		return rw.err
	}
	name := []byte(cmd)
	rw.args = append(rw.args[:0], name, key)
	wrote := false
	// Arguments from the iterator may be reused by it after yield returns,
	// so each chunk is encoded before more are pulled: copy them into
	// scratch storage owned by the chunk.
	var scratch []byte
	var spans [][2]int
	flush := func() {
		if len(spans) == 0 {
			return
		}
		rw.args = rw.args[:2]
		for _, sp := range spans {
			rw.args = append(rw.args, scratch[sp[0]:sp[1]])
		}
		rw.command(rw.args...)
		scratch, spans = scratch[:0], spans[:0]
		wrote = true
	}
	for a := range args {
		spans = append(spans, [2]int{len(scratch), len(scratch) + len(a)})
		scratch = append(scratch, a...)
		if len(spans) == ChunkSize*per {
			flush()
			if rw.err != nil {
				return rw.err
			}
		}
	}
	flush()
	if wrote {
		rw.keys++
		if expireAtMs > 0 {
			rw.command([]byte("PEXPIREAT"), key, strconv.AppendInt(rw.num[:0], expireAtMs, 10))
		}
	}
	return rw.err
}

// Err returns the first error.
func (rw *RewriteWriter) Err() error { return rw.err }
