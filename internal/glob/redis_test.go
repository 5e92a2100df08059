package glob

import (
	"testing"

	"github.com/kevy-db/kevy/internal/redistest"
)

// redisConn is the differential tests' client of a private redis-server.
type redisConn = redistest.Conn

// startRedis starts redis-server (skipping the test where it is missing).
func startRedis(t *testing.T, extra ...string) *redisConn { return redistest.Client(t, extra...) }
