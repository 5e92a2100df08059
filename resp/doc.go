// Package resp implements the Redis serialization protocol (RESP) as
// Redis 7.0 speaks it: the request parser used by the network layer and
// the append-only log loader, the reply encoder, and a reply reader for
// clients and tests.
//
// # Requests
//
// A client sends commands in one of two forms, told apart by the first
// byte:
//
//   - Multibulk, starting with '*': "*<argc>\r\n" followed by argc bulk
//     strings "$<len>\r\n<len bytes>\r\n". This is also the exact form of
//     every command in an append-only file (see AppendCommand).
//   - Inline, anything else: one line ending in "\n" (a preceding "\r" is
//     dropped), split into arguments with the rules of Redis's
//     sdssplitargs: blanks separate arguments; double quotes allow the
//     escapes \n \r \t \b \a \xHH and \<byte>; single quotes allow only
//     \'; a closing quote must be followed by a blank or the end of the
//     line, and every quote must be closed, otherwise the request is an
//     "unbalanced quotes" error.
//
// Like Redis, the Reader skips blank inline lines and "*0" or negative
// multibulk counts, and it reproduces Redis's laxness where a client could
// notice: a length line ends at its first '\r' plus any one byte, and the
// two bytes after a bulk argument are skipped unread. Lengths are parsed
// as Redis's string2ll does (no '+', no leading zeros, no "-0").
//
// Strict mode (Reader.SetStrict), used for append-only files, accepts only
// multibulk commands with at least one argument and exact "\r\n" endings;
// a '#' annotation line can be handed to a callback
// (Reader.SetAnnotationHandler).
//
// # Limits and errors
//
// Limits caps what a peer can make the reader hold, with Redis's
// defaults: bulk arguments of at most 512 MiB (proto-max-bulk-len), at
// most INT_MAX arguments, length and inline lines of at most 64 KiB, and
// 1 GiB of buffered input (client-query-buffer-limit). Limits also selects
// Redis's stricter rules for unauthenticated clients (at most 10 arguments
// of at most 16384 bytes).
//
// Announced lengths are never trusted for allocation: buffers start small
// and double only when they are full of bytes that actually arrived, and
// the argument list grows as arguments arrive. A forged "$536870000" or
// "*1000000000" header therefore costs nothing until the data is sent.
//
// Malformed input is reported as a *ProtocolError whose Msg is the exact
// text Redis 7.0 replies with before closing the connection:
//
//	Protocol error: too big inline request
//	Protocol error: unbalanced quotes in request
//	Protocol error: too big mbulk count string
//	Protocol error: invalid multibulk length
//	Protocol error: unauthenticated multibulk length
//	Protocol error: too big bulk count string
//	Protocol error: expected '$', got '<byte>'
//	Protocol error: invalid bulk length
//	Protocol error: unauthenticated bulk length
//
// Redis checks the 64 KiB line limits only while a line's end has not
// arrived, so for lines slightly over the limit its answer depends on how
// its 16 KiB reads split the input; the Reader applies the limit to the
// line length itself, which is what Redis does when the bytes trickle in.
// Input ending inside a command is an error wrapping io.ErrUnexpectedEOF;
// Reader.Offset then tells where the last complete command ended, which
// is where an append-only file with a torn tail can be cut.
//
// # Replies
//
// Writer appends replies to a buffer without allocating and writes them
// on Flush. It speaks RESP2 or RESP3 (after HELLO 3) and degrades RESP3
// types the way Redis does for RESP2 clients: maps become flat arrays,
// sets and pushes arrays, doubles, verbatim strings and big numbers bulk
// strings, booleans the integers 1 and 0, and null "$-1" or "*-1".
//
// Doubles are formatted as Redis 7.0 formats them (C's "%.17g", "inf" and
// "-inf"); see AppendDouble.
//
// ReplyReader reads replies of every RESP2 and RESP3 type ('+' '-' ':' '$'
// '*' '%' '~' '>' '_' ',' '#' '=' '(' '!' '|') into a Value, or returns the
// raw bytes of a complete reply.
package resp
