package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/kevy-db/kevy/internal/server"
)

// parseArgs turns "--directive value" pairs into server options.
func parseArgs(args []string) (server.Options, error) {
	opts := server.Options{ProtectedMode: true, AppendOnly: true, RDBCompression: true, RDBChecksum: true,
		AOFLoadTruncated: true, StopWritesOnBgsaveError: true, AutoAOFRewritePercentage: 100,
		AutoAOFRewriteMinSize: 64 << 20, SavePoints: server.DefaultSavePoints()}
	port := "6379"
	binds := []string{"127.0.0.1", "-::1"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			return opts, fmt.Errorf("kevy: unexpected argument %q", a)
		}
		name := strings.ToLower(a[2:])
		var vals []string
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			vals = append(vals, args[i+1])
			i++
		}
		val := strings.Join(vals, " ")
		switch name {
		case "port":
			port = val
		case "bind":
			binds = vals
		case "dir":
			opts.Dir = val
		case "requirepass":
			opts.RequirePass = val
		case "appendonly":
			opts.AppendOnly = val == "yes"
		case "appendfsync":
			opts.AppendFsync = val
		case "protected-mode":
			opts.ProtectedMode = val == "yes"
		case "databases":
			n, err := strconv.Atoi(val)
			if err != nil {
				return opts, fmt.Errorf("kevy: bad databases %q", val)
			}
			opts.Databases = n
		case "save":
			if strings.TrimSpace(val) == "" {
				opts.SavePoints = nil
			}
		case "dbfilename", "appendfilename", "loglevel", "logfile":
		default:
			return opts, fmt.Errorf("kevy: unknown directive %q", name)
		}
	}
	for _, b := range binds {
		if strings.HasPrefix(b, "-") {
			opts.OptionalAddrs = append(opts.OptionalAddrs, net.JoinHostPort(b[1:], port))
			continue
		}
		opts.Addrs = append(opts.Addrs, net.JoinHostPort(b, port))
	}
	return opts, nil
}
