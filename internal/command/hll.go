package command

import (
	"strings"
	"sync"

	"github.com/kevy-db/kevy/internal/store"
)

// HyperLogLog commands. The values are Redis's own bytes (hll_encoding.go):
// a plain string in the store, modified in place after the before-write
// hook ran (DB.Touched / LookupWrite), so snapshots and WATCH see it as any
// other string write.
//
// Log records. Redis propagates the commands verbatim, but a sparse HLL's
// next bytes depend on hll-sparse-max-bytes, which may differ when the log
// is replayed (CONFIG SET is not in the log): the same PFADD could then
// promote to dense, or not, and the stored bytes would differ from what was
// acknowledged. So:
//   - a PFADD on a dense HLL, a PFMERGE whose result is dense whatever the
//     threshold (a dense source or a dense destination), and PFDEBUG's
//     conversions are logged verbatim: dense registers are set by a pure
//     function of the state, and the records stay a few bytes;
//   - a PFADD or PFMERGE that leaves or makes a sparse-born value logs
//     SET key <resulting bytes> KEEPTTL: sparse values are at most
//     hll-sparse-max-bytes long, and the 12 KB of a promotion are written
//     once per key;
//   - a PFCOUNT that refreshed the cached cardinality in the header logs
//     PFCOUNT key, which recomputes the same cache on replay (Redis does the
//     same), so replayed values keep the live bytes.

func hllCommands() []spec {
	const g = "hyperloglog"
	return []spec{
		{name: "pfadd", arity: -2, flags: "write denyoom fast", first: 1, last: 1, step: 1, keys: "RW insert", acl: "@write @hyperloglog @fast", group: g, summary: "Feeds elements into a HyperLogLog counter, creating the key if absent.", run: cmdPFAdd},
		{name: "pfcount", arity: -2, flags: "readonly", first: 1, last: -1, step: 1, keys: "RW access", acl: "@read @hyperloglog @slow", group: g, summary: "Estimates how many distinct elements one or more HyperLogLog keys have seen.", run: cmdPFCount},
		{name: "pfmerge", arity: -2, flags: "write denyoom", first: 1, last: -1, step: 1, keys: "RW access insert index(1) range(0,1,0); RO access index(2) range(-1,1,0)", acl: "@write @hyperloglog @slow", group: g, summary: "Stores in one key a HyperLogLog covering everything the given ones have seen.", run: cmdPFMerge},
		{name: "pfdebug", arity: 3, flags: "write denyoom admin", first: 2, last: 2, step: 1, keys: "RW access", acl: "@write @hyperloglog @admin @slow @dangerous", group: g, summary: "Low-level inspection and conversion of a HyperLogLog key, for debugging.", run: cmdPFDebug},
		{name: "pfselftest", arity: 1, flags: "admin", acl: "@hyperloglog @admin @slow @dangerous", group: g, summary: "Runs kevy's internal checks of the HyperLogLog implementation.", run: cmdPFSelfTest},
	}
}

const (
	errNotHLL     = "WRONGTYPE Key is not a valid HyperLogLog string value."
	errCorruptHLL = "INVALIDOBJ Corrupted HLL object detected"
)

// hllRegsPool holds the one-byte-per-register arrays of PFMERGE and the
// multi-key PFCOUNT, so neither allocates 16 KB per call.
var hllRegsPool = sync.Pool{New: func() any { return new([hllRegisters]uint8) }}

// hllValue checks that e (non-nil) holds an HLL and returns its bytes;
// ok is false when an error was written.
func (c *Ctx) hllValue(e *store.Entry) (v []byte, ok bool) {
	if e.Kind() != store.KindString {
		c.Err(ErrWrongType)
		return nil, false
	}
	if v = e.Str(); !isHLL(v) {
		c.Err(errNotHLL)
		return nil, false
	}
	return v, true
}

func (c *Ctx) hllSparseMax() int { return c.E.Limits.HLLSparseMaxBytes }

// hllAdd raises register index to rank in v, promoting a sparse value to
// dense when needed. It returns the value (reallocated when it grew).
func hllAdd(v []byte, index int, rank uint8, maxBytes int) ([]byte, bool, error) {
	if v[4] == hllEncDense {
		return v, denseAdd(v[hllHdrSize:], index, rank), nil
	}
	v, changed, promote, err := sparseAdd(v, index, rank, maxBytes)
	if err != nil || !promote {
		return v, changed, err
	}
	d, err := sparseToDense(v)
	if err != nil {
		return v, false, err
	}
	return d, denseAdd(d[hllHdrSize:], index, rank), nil
}

func cmdPFAdd(c *Ctx) {
	key := c.Args[1]
	e := c.DB.LookupNoStats(key)
	var v []byte
	created, wasDense := false, false
	if e == nil {
		v = newSparseHLL(64)
		created = true
	} else {
		var ok bool
		if v, ok = c.hllValue(e); !ok {
			return
		}
		wasDense = v[4] == hllEncDense
		e.MarkRaw() // as Redis, which unshares the value before adding
	}
	changed := created
	for _, elem := range c.Args[2:] {
		index, rank := hllPosition(elem)
		if !changed && !created {
			// Nothing written yet: only a real change may run the write
			// hooks (a PFADD that changes nothing leaves WATCH alone).
			if cur, err := hllRegister(v, index); err != nil {
				c.Err(errCorruptHLL)
				return
			} else if cur >= rank {
				continue
			}
			c.DB.Touched(e)
		}
		nv, ch, err := hllAdd(v, index, rank, c.hllSparseMax())
		if err != nil {
			// Registers already raised stay raised and the cache is marked
			// stale, as in Redis; the log gets the bytes kept.
			if changed {
				hllInvalidate(v)
				e = c.hllStore(key, e, v, created)
				c.Dirty(1)
				c.Propagate([]byte("SET"), key, e.Str(), []byte("KEEPTTL"))
			}
			c.Err(errCorruptHLL)
			return
		}
		v = nv
		changed = changed || ch
	}
	if !changed {
		c.W.Int(0)
		return
	}
	hllInvalidate(v)
	e = c.hllStore(key, e, v, created)
	c.Dirty(1)
	if !wasDense {
		c.Propagate([]byte("SET"), key, e.Str(), []byte("KEEPTTL"))
	}
	c.W.Int(1)
}

// hllStore puts v back into the key after in-place edits (or creates it).
func (c *Ctx) hllStore(key []byte, e *store.Entry, v []byte, created bool) *store.Entry {
	if created {
		e = c.DB.SetString(key, v, false)
	} else {
		e.SetStr(v)
	}
	e.MarkRaw() // Redis's HLL objects are raw strings
	return e
}

// hllRegister reads one register of a value, dense or sparse.
func hllRegister(v []byte, index int) (uint8, error) {
	if v[4] == hllEncDense {
		return denseGet(v[hllHdrSize:], index), nil
	}
	first := 0
	for p := hllHdrSize; p < len(v); {
		oplen, span, val, ok := sparseOp(v, p)
		if !ok {
			break
		}
		if index < first+span {
			return val, nil
		}
		first += span
		p += oplen
	}
	return 0, errHLLCorrupt
}

func cmdPFCount(c *Ctx) {
	if len(c.Args) > 2 {
		pfCountMany(c)
		return
	}
	key := c.Args[1]
	e := c.DB.Lookup(key)
	if e == nil {
		c.W.Int(0)
		return
	}
	v, ok := c.hllValue(e)
	if !ok {
		return
	}
	e.MarkRaw() // Redis unshares the value, cache valid or not
	if hllCacheValid(v) {
		c.W.Int(int64(hllCached(v)))
		return
	}
	n, err := hllCount(v)
	if err != nil {
		c.Err(errCorruptHLL)
		return
	}
	c.DB.Touched(e)
	v = e.Str()
	hllSetCache(v, n)
	e.SetStr(v)
	e.MarkRaw()
	c.Dirty(1)
	c.Propagate([]byte("PFCOUNT"), key)
	c.W.Int(int64(n))
}

// pfCountMany is the union count: the registers' maximums, nothing written.
func pfCountMany(c *Ctx) {
	regs := hllRegsPool.Get().(*[hllRegisters]uint8)
	defer hllRegsPool.Put(regs)
	if _, ok := c.mergeHLLs(regs, c.Args[1:]); !ok {
		return
	}
	c.W.Int(int64(regsCount(regs)))
}

// mergeHLLs takes into regs the maximum of each register over the HLLs
// at keys (missing keys count as empty), and reports whether any of them
// was dense. ok is false when an error reply was written: a key that is
// no HLL, or a corrupt one.
func (c *Ctx) mergeHLLs(regs *[hllRegisters]uint8, keys [][]byte) (anyDense, ok bool) {
	clear(regs[:])
	for _, key := range keys {
		e := c.DB.Lookup(key)
		if e == nil {
			continue
		}
		v, ok := c.hllValue(e)
		if !ok {
			return false, false
		}
		anyDense = anyDense || v[4] == hllEncDense
		if hllMergeInto(regs, v) != nil {
			c.Err(errCorruptHLL)
			return false, false
		}
	}
	return anyDense, true
}

func cmdPFMerge(c *Ctx) {
	regs := hllRegsPool.Get().(*[hllRegisters]uint8)
	defer hllRegsPool.Put(regs)
	anyDense, ok := c.mergeHLLs(regs, c.Args[1:])
	if !ok {
		return
	}
	dest := c.Args[1]
	e := c.DB.LookupWrite(dest)
	created := e == nil
	var v []byte
	if created {
		v = newSparseHLL(64)
	} else {
		v = e.Str() // checked above: the destination is one of the sources
	}
	destDense := v[4] == hllEncDense
	if anyDense && !destDense {
		d, err := sparseToDense(v)
		if err != nil {
			c.Err(errCorruptHLL)
			return
		}
		v = d
	}
	for j, r := range regs {
		if r == 0 {
			continue
		}
		var err error
		if v, _, err = hllAdd(v, j, r, c.hllSparseMax()); err != nil {
			break // cannot happen: the destination was validated as a source
		}
	}
	hllInvalidate(v)
	e = c.hllStore(dest, e, v, created)
	c.Dirty(1)
	if !anyDense && !destDense {
		c.Propagate([]byte("SET"), dest, e.Str(), []byte("KEEPTTL"))
	}
	c.OK()
}

func cmdPFDebug(c *Ctx) {
	key := c.Args[2]
	e := c.DB.LookupNoStats(key)
	if e == nil {
		c.Err("ERR The specified key does not exist")
		return
	}
	v, ok := c.hllValue(e)
	if !ok {
		return
	}
	e.MarkRaw() // unshared as in Redis, whatever the subcommand
	toDense := func() bool {
		if v[4] == hllEncDense {
			return true
		}
		d, err := sparseToDense(v)
		if err != nil {
			c.Err(errCorruptHLL)
			return false
		}
		c.DB.Touched(e)
		e.SetStr(d)
		e.MarkRaw()
		v = d
		c.Dirty(1)
		return true
	}
	switch sub := strings.ToLower(string(c.Args[1])); sub {
	case "getreg":
		if !toDense() {
			return
		}
		c.W.Array(hllRegisters)
		for j := 0; j < hllRegisters; j++ {
			c.W.Int(int64(denseGet(v[hllHdrSize:], j)))
		}
	case "decode":
		if v[4] != hllEncSparse {
			c.Err("ERR HLL encoding is not sparse")
			return
		}
		c.W.BulkString(decodeSparse(v))
	case "encoding":
		if v[4] == hllEncDense {
			c.W.SimpleString("dense")
		} else {
			c.W.SimpleString("sparse")
		}
	case "todense":
		was := v[4] == hllEncDense
		if !toDense() {
			return
		}
		if was {
			c.W.Int(0)
		} else {
			c.W.Int(1)
		}
	default:
		c.Err("ERR Unknown PFDEBUG subcommand '" + string(c.Args[1]) + "'")
	}
}

// decodeSparse describes the opcodes of a sparse value as PFDEBUG DECODE
// does: z:len (ZERO), Z:len (XZERO), v:value,len (VAL).
func decodeSparse(v []byte) string {
	var b []byte
	for p := hllHdrSize; p < len(v); {
		oplen, span, val, ok := sparseOp(v, p)
		if !ok {
			break
		}
		switch {
		case v[p]&0xc0 == 0:
			b = append(b, "z:"...)
		case v[p]&0xc0 == 0x40:
			b = append(b, "Z:"...)
		default:
			b = append(b, "v:"...)
			b = store.FormatInt(b, int64(val))
			b = append(b, ',')
		}
		b = store.FormatInt(b, int64(span))
		b = append(b, ' ')
		p += oplen
	}
	return strings.TrimSuffix(string(b), " ")
}

// cmdPFSelfTest checks the register packing and the estimator's error, as
// Redis's PFSELFTEST does for its own build, and answers OK.
func cmdPFSelfTest(c *Ctx) {
	if msg := hllSelfTest(); msg != "" {
		c.Err("ERR TESTFAILED " + msg)
		return
	}
	c.OK()
}

func hllSelfTest() string {
	// Every register written and read back through the 6-bit packing.
	regs := make([]byte, hllDenseSize-hllHdrSize)
	var want [hllRegisters]uint8
	seed := uint64(0x9e3779b97f4a7c15)
	for round := 0; round < 100; round++ {
		for j := range want {
			seed = seed*6364136223846793005 + 1442695040888963407
			want[j] = uint8(seed>>58) & 63
			denseSet(regs, j, want[j])
		}
		for j := range want {
			if denseGet(regs, j) != want[j] {
				return "Register error"
			}
		}
	}
	// A sparse and a dense HLL fed the same elements agree, and stay within
	// five standard errors (1.04/sqrt(m)) of the truth.
	sparse := newSparseHLL(0)
	dense, _ := sparseToDense(sparse)
	var elem [8]byte
	for n := 1; n <= 100000; n++ {
		seed = seed*6364136223846793005 + 1442695040888963407
		for i := range elem {
			elem[i] = byte(seed >> (8 * i))
		}
		index, rank := hllPosition(elem[:])
		var err error
		if sparse, _, err = hllAdd(sparse, index, rank, 3000); err != nil {
			return "Sparse error"
		}
		denseAdd(dense[hllHdrSize:], index, rank)
		if n%1000 != 0 && n != 10 && n != 100 {
			continue
		}
		a, err1 := hllCount(sparse)
		b, err2 := hllCount(dense)
		if err1 != nil || err2 != nil || a != b {
			return "Sparse and dense counts differ"
		}
		dev := float64(a) - float64(n)
		if dev < 0 {
			dev = -dev
		}
		if dev > 5*1.04/128*float64(n) {
			return "Approximation error"
		}
	}
	return ""
}
