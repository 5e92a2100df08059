//go:build !linux

package main

import "errors"

func pinCPUs() (server, client []int, err error) {
	return nil, nil, errors.New("CPU pinning needs Linux")
}

func pinProcess(pid int, cpus []int) error { return errors.New("CPU pinning needs Linux") }
