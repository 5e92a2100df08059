//go:build !linux

package uring

import (
	"errors"
	"math"
)

// Unknown is the result of a send whose completion was never seen.
const Unknown = math.MinInt32

// Ring is unavailable outside Linux; New always fails.
type Ring struct{}

// New reports that io_uring is unavailable.
func New(entries uint32) (*Ring, error) { return nil, errors.New("uring: io_uring is Linux only") }

// Close does nothing.
func (r *Ring) Close() error { return nil }

// Send is never called: New fails.
func (r *Ring) Send(fds []int32, bufs [][]byte, res []int32) error {
	return errors.New("uring: io_uring is Linux only")
}
