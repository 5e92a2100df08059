// Package uring sends the replies of many connections in one system call
// through Linux's io_uring.
//
// Why: on the reference machine, a PVM guest, every system call costs about
// 1.2 µs of entry and exit alone, and under appendfsync always each
// connection's reply is a write(2) of its own once the group's fsync is
// done. Sending a group's replies in one io_uring_enter saves all but one
// of those entries. Only sends are supported, without blocking: a socket
// whose buffer is full reports EAGAIN and its owner falls back to its own
// write, which waits for room in Go's poller.
package uring
