//go:build !linux

package main

import (
	"errors"
	"net"
)

func serveLoop(net.Listener, *store) error {
	return errors.New("the loop model needs Linux epoll")
}
