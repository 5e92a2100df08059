package compat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// maxBulkLen bounds a bulk length read from a server. Redis never sends a
// string longer than proto-max-bulk-len (512 MB); a larger header means the
// stream is garbage, and allocating for it would only hide that.
const maxBulkLen = 512 << 20

// maxAggregateLen bounds the element count of an aggregate for the same
// reason: the scripts never build replies anywhere near this size.
const maxAggregateLen = 1 << 24

// errMalformed marks a reply stream that is not valid RESP. The comparison
// reports it as a failure of the side that sent it rather than as a mismatch.
var errMalformed = errors.New("malformed RESP reply")

// reply is one RESP2 or RESP3 reply as it came off the wire. raw holds the
// exact bytes (the unit of comparison); the other fields are the parsed shape
// that the order-free and shape-only comparisons need.
type reply struct {
	raw   []byte  // every byte of the reply, nested elements and attributes included
	kind  byte    // the type byte: + - : $ * _ , # ! = ( % ~ >
	data  []byte  // scalar payload: the line after the type byte, or the bulk body
	null  bool    // RESP2 null bulk/array ($-1, *-1) or RESP3 null (_)
	elems []reply // aggregate elements; a map holds keys and values alternately
}

// isAggregate reports whether r contains elements.
func (r reply) isAggregate() bool {
	switch r.kind {
	case '*', '%', '~', '>':
		return !r.null
	}
	return false
}

// replyReader reads whole replies from a buffered stream.
type replyReader struct {
	br *bufio.Reader
}

// read reads exactly one reply. An attribute (|) that precedes a reply is
// kept in raw, so it takes part in the byte comparison, but is otherwise
// transparent: the returned kind is that of the reply it annotates.
func (rr replyReader) read() (reply, error) {
	line, err := rr.line()
	if err != nil {
		return reply{}, err
	}
	kind, header := line[0], line[1:len(line)-2]
	r := reply{raw: line, kind: kind, data: header}
	switch kind {
	case '+', '-', ':', ',', '(', '#':
		return r, nil
	case '_':
		r.null, r.data = true, nil
		return r, nil
	case '$', '=', '!':
		return rr.bulk(r)
	case '*', '~', '>', '%', '|':
		return rr.aggregate(r)
	}
	return reply{}, fmt.Errorf("%w: unknown type byte %q in %q", errMalformed, kind, line)
}

// line reads one CRLF-terminated line, type byte included.
func (rr replyReader) line() ([]byte, error) {
	line, err := rr.br.ReadBytes('\n')
	if err != nil {
		if errors.Is(err, io.EOF) && len(line) > 0 {
			return nil, fmt.Errorf("%w: truncated line %q", io.ErrUnexpectedEOF, line)
		}
		return nil, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return nil, fmt.Errorf("%w: bad line %q", errMalformed, line)
	}
	return line, nil
}

// length parses an aggregate or bulk length header, allowing -1 for null.
func length(header []byte, limit int) (int, error) {
	n, err := strconv.Atoi(string(header))
	if err != nil || n < -1 || n > limit {
		return 0, fmt.Errorf("%w: bad length %q", errMalformed, header)
	}
	return n, nil
}

// bulk finishes a bulk, verbatim or blob-error reply whose header is in r.
func (rr replyReader) bulk(r reply) (reply, error) {
	n, err := length(r.data, maxBulkLen)
	if err != nil {
		return reply{}, err
	}
	if n < 0 {
		r.null, r.data = true, nil
		return r, nil
	}
	body := make([]byte, n+2)
	if _, err := io.ReadFull(rr.br, body); err != nil {
		return reply{}, fmt.Errorf("reading %d-byte bulk: %w", n, err)
	}
	if !bytes.HasSuffix(body, []byte("\r\n")) {
		return reply{}, fmt.Errorf("%w: bulk of length %d not followed by CRLF", errMalformed, n)
	}
	r.raw = append(r.raw, body...)
	r.data = body[:n]
	return r, nil
}

// aggregate finishes an array, set, push, map or attribute whose header is in r.
func (rr replyReader) aggregate(r reply) (reply, error) {
	n, err := length(r.data, maxAggregateLen)
	if err != nil {
		return reply{}, err
	}
	r.data = nil
	if n < 0 {
		r.null = true
		return r, nil
	}
	if r.kind == '%' || r.kind == '|' {
		n *= 2
	}
	r.elems = make([]reply, 0, n)
	for range n {
		e, err := rr.read()
		if err != nil {
			return reply{}, err
		}
		r.raw = append(r.raw, e.raw...)
		r.elems = append(r.elems, e)
	}
	if r.kind != '|' {
		return r, nil
	}
	annotated, err := rr.read()
	if err != nil {
		return reply{}, err
	}
	annotated.raw = append(r.raw, annotated.raw...)
	return annotated, nil
}

// encodeCommand frames args as a RESP multibulk request, the form every
// client library sends.
func encodeCommand(args []string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.Bytes()
}
