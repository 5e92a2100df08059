package resp

import (
	"errors"
	"math"
)

// Default limits, matching Redis 7.0's defaults.
const (
	// DefaultMaxBulkLen is Redis's default proto-max-bulk-len (512 MiB).
	DefaultMaxBulkLen = 512 << 20
	// DefaultMaxMultibulkLen is the largest argument count Redis accepts:
	// its multibulk header is rejected above INT_MAX.
	DefaultMaxMultibulkLen = math.MaxInt32
	// DefaultMaxInlineLen is Redis's PROTO_INLINE_MAX_SIZE (64 KiB). It
	// also bounds the length line of a multibulk or bulk header.
	DefaultMaxInlineLen = 64 << 10
	// DefaultMaxQueryBuffer is Redis's default client-query-buffer-limit
	// (1 GiB).
	DefaultMaxQueryBuffer = 1 << 30

	// Redis's extra limits for clients that have not authenticated yet
	// (applied when Limits.Unauthenticated is set).
	unauthMaxMultibulkLen = 10
	unauthMaxBulkLen      = 16384
)

// Limits bound what a peer can make a Reader hold. Zero fields mean the
// default.
type Limits struct {
	// MaxBulkLen is the longest bulk argument accepted (proto-max-bulk-len).
	// A longer "$<n>" header is "Protocol error: invalid bulk length".
	MaxBulkLen int64
	// MaxMultibulkLen is the largest argument count accepted in one
	// command. A larger "*<n>" header is "Protocol error: invalid
	// multibulk length". Redis's own bound is INT_MAX, the default.
	MaxMultibulkLen int64
	// MaxInlineLen is the longest inline command line (bytes before the
	// '\n'), and the longest multibulk or bulk length line, accepted.
	MaxInlineLen int
	// MaxQueryBuffer bounds the bytes buffered for one command plus any
	// pipelined input read with it (client-query-buffer-limit). Exceeding
	// it makes ReadCommand return ErrQueryBufferLimit.
	MaxQueryBuffer int64
	// Unauthenticated applies Redis's stricter rules for a client that has
	// not authenticated while a password is required: more than 10
	// arguments is "Protocol error: unauthenticated multibulk length" and a
	// bulk argument longer than 16384 bytes is "Protocol error:
	// unauthenticated bulk length". The server clears it after AUTH.
	Unauthenticated bool
}

// withDefaults returns lim with zero (or negative) fields replaced by the
// defaults.
func (lim Limits) withDefaults() Limits {
	if lim.MaxBulkLen <= 0 {
		lim.MaxBulkLen = DefaultMaxBulkLen
	}
	if lim.MaxMultibulkLen <= 0 {
		lim.MaxMultibulkLen = DefaultMaxMultibulkLen
	}
	if lim.MaxInlineLen <= 0 {
		lim.MaxInlineLen = DefaultMaxInlineLen
	}
	if lim.MaxQueryBuffer <= 0 {
		lim.MaxQueryBuffer = DefaultMaxQueryBuffer
	}
	return lim
}

// ErrQueryBufferLimit is returned by ReadCommand when a client has more
// unprocessed input buffered than Limits.MaxQueryBuffer allows. Redis closes
// such a client without a reply.
var ErrQueryBufferLimit = errors.New("resp: client query buffer limit exceeded")

// ProtocolError reports malformed input. Msg is the text Redis replies with
// (after "-ERR "), e.g. "Protocol error: invalid multibulk length". After a
// ProtocolError the stream cannot be resynchronised: Redis answers with the
// error and closes the connection, and a Reader keeps returning it.
type ProtocolError struct {
	Msg string
}

func (e *ProtocolError) Error() string { return e.Msg }

// Redis 7.0's protocol error texts. They are part of the wire contract.
const (
	msgTooBigInline     = "Protocol error: too big inline request"
	msgUnbalancedQuotes = "Protocol error: unbalanced quotes in request"
	msgTooBigMbulkCount = "Protocol error: too big mbulk count string"
	msgInvalidMbulkLen  = "Protocol error: invalid multibulk length"
	msgUnauthMbulkLen   = "Protocol error: unauthenticated multibulk length"
	msgTooBigBulkCount  = "Protocol error: too big bulk count string"
	msgInvalidBulkLen   = "Protocol error: invalid bulk length"
	msgUnauthBulkLen    = "Protocol error: unauthenticated bulk length"
	// msgExpectedDollar is completed with the offending byte.
	msgExpectedDollar = "Protocol error: expected '$', got '"

	// Strict-mode texts; Redis has no equivalent because it never applies
	// these checks to clients.
	msgExpectedStar = "Protocol error: expected '*', got '"
	msgBadLineEnd   = "Protocol error: line not terminated by CRLF"
	msgBadBulkEnd   = "Protocol error: bulk argument not terminated by CRLF"
)

// expectedErr builds "<prefix><c>'" the way Redis's addReplyErrorFormat
// does, which turns '\r' and '\n' into spaces so the reply stays one line.
func expectedErr(prefix string, c byte) *ProtocolError {
	if c == '\r' || c == '\n' {
		c = ' '
	}
	return &ProtocolError{Msg: prefix + string([]byte{c}) + "'"}
}
