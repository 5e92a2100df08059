package rdb

import (
	"errors"
	"fmt"
	"io"
	"sort"
)

// Summary describes an RDB file checked by Check.
type Summary struct {
	Version  int
	Aux      map[string]string
	DBs      []DBSummary // ascending by DB number
	Keys     int         // total keys
	Expires  int         // keys with an expiry
	Warnings []string    // skipped module data, functions, empty keys, trailing bytes

	// ChecksumVerified is false when the file stores 0 ("not checked")
	// or predates checksums (version < 5).
	ChecksumVerified bool

	// Size is the number of bytes the RDB data occupies, checksum
	// included; bytes after it (such as an AOF tail) are not read.
	Size int64

	// ErrOffset is the offset of the first problem, -1 when the file is
	// valid.
	ErrOffset int64
}

// DBSummary counts the keys of one database.
type DBSummary struct {
	DB      int
	Keys    int
	Expires int
	ByType  map[Type]int
	// ResizeKeys and ResizeExpires are the RESIZEDB hints, 0 when absent.
	ResizeKeys, ResizeExpires uint64
}

// Check reads a whole RDB file and validates everything: header, opcodes,
// every value's encoding, and the checksum. It returns what it saw and,
// for a damaged file, an error (wrapping ErrChecksum, ErrTruncated,
// ErrCorrupt or ErrUnsupported) with Summary.ErrOffset set to the offset of
// the first problem; the summary then covers the part before it.
func Check(r io.Reader) (*Summary, error) {
	s := &Summary{ErrOffset: -1}
	fail := func(err error) (*Summary, error) {
		s.ErrOffset = ErrorOffset(err)
		return s, err
	}
	rd, err := NewReader(r, nil)
	if err != nil {
		return fail(err)
	}
	s.Version = rd.Version()
	dbs := map[int]*DBSummary{}
	get := func(db int) *DBSummary {
		d := dbs[db]
		if d == nil {
			d = &DBSummary{DB: db, ByType: map[Type]int{}}
			dbs[db] = d
		}
		return d
	}
	rd.onResize = func(db int, keys, expires uint64) {
		d := get(db)
		d.ResizeKeys, d.ResizeExpires = keys, expires
	}
	rd.onChecksum = func(stored, computed uint64) {
		s.ChecksumVerified = stored != 0 && stored == computed
	}
	defer func() {
		s.Aux = rd.Aux()
		s.Warnings = rd.Warnings()
		s.DBs = s.DBs[:0]
		for _, d := range dbs {
			s.DBs = append(s.DBs, *d)
		}
		sort.Slice(s.DBs, func(i, j int) bool { return s.DBs[i].DB < s.DBs[j].DB })
	}()
	for {
		e, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(err)
		}
		d := get(e.DB)
		d.Keys++
		d.ByType[e.Type]++
		s.Keys++
		if e.ExpireAt > 0 {
			d.Expires++
			s.Expires++
		}
	}
	s.Size = rd.Offset()
	if !rd.in.atEOF() {
		rd.warnf("data continues after the checksum at offset %d", s.Size)
	}
	return s, nil
}

// String formats the summary for people, one fact per line.
func (s *Summary) String() string {
	out := fmt.Sprintf("RDB version %d, %d bytes, %d keys, %d with expiry, checksum verified: %v\n",
		s.Version, s.Size, s.Keys, s.Expires, s.ChecksumVerified)
	auxKeys := make([]string, 0, len(s.Aux))
	for k := range s.Aux {
		auxKeys = append(auxKeys, k)
	}
	sort.Strings(auxKeys)
	for _, k := range auxKeys {
		out += fmt.Sprintf("aux %s = %q\n", k, s.Aux[k])
	}
	for _, d := range s.DBs {
		out += fmt.Sprintf("db %d: %d keys, %d with expiry", d.DB, d.Keys, d.Expires)
		for t := TypeString; t <= TypeHash; t++ {
			if n := d.ByType[t]; n > 0 {
				out += fmt.Sprintf(", %d %s", n, t)
			}
		}
		out += "\n"
	}
	for _, w := range s.Warnings {
		out += "warning: " + w + "\n"
	}
	if s.ErrOffset >= 0 {
		out += fmt.Sprintf("first problem at offset %d\n", s.ErrOffset)
	}
	return out
}
