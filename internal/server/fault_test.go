package server

import (
	"context"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kevy-db/kevy/vfs"
)

// Fault injection through the server's filesystem: every failing step of a
// snapshot must leave the previous snapshot in place, answer an error, and
// (with stop-writes-on-bgsave-error) refuse writes until a save succeeds.
func TestSaveFailureAtEachStep(t *testing.T) {
	for _, op := range []vfs.Op{vfs.OpCreate, vfs.OpWrite, vfs.OpSync, vfs.OpRename, vfs.OpDirSync} {
		t.Run(op.String(), func(t *testing.T) {
			mem := vfs.NewMem()
			ffs := vfs.NewFault(mem)
			dir := t.TempDir()
			opts := func(o *Options) {
				o.FS = ffs
				o.Dir = dir
				o.AppendOnly = false
				o.SavePoints = []SavePoint{{Seconds: 3600, Changes: 1000000}}
				o.StopWritesOnBgsaveError = true
			}
			s := startServer(t, opts)
			ctx := context.Background()
			c := client(t, s, nil)
			if err := c.Set(ctx, "a", "1", 0).Err(); err != nil {
				t.Fatal(err)
			}
			// A key larger than spillAt: the save writes part of it to
			// the file while still encoding, so the failures below also
			// hit that path.
			pushBig(t, c, "big", 3*spillAt)
			if err := c.Save(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			c.Set(ctx, "a", "2", 0)
			path := "dump.rdb"
			if op == vfs.OpDirSync {
				path = "" // the directory; only the snapshot writes here
			}
			ffs.Inject(vfs.Fault{Op: op, Err: syscall.ENOSPC, Sticky: true, Path: path})
			if err := c.Save(ctx).Err(); err == nil {
				t.Fatal("SAVE replied OK although the disk failed (defect 6)")
			}
			info := c.Info(ctx, "persistence").Val()
			if !strings.Contains(info, "rdb_last_bgsave_status:err") {
				t.Fatalf("status not err:\n%s", info)
			}
			err := c.Set(ctx, "b", "x", 0).Err()
			if err == nil || !strings.HasPrefix(err.Error(), "MISCONF") {
				t.Fatalf("write after failed save: %v, want MISCONF", err)
			}
			if v := c.Get(ctx, "a").Val(); v != "2" {
				t.Fatalf("reads must keep working: GET a = %q", v)
			}
			ffs.Heal()
			if op != vfs.OpDirSync && op != vfs.OpRename {
				// The old snapshot is untouched: a server started on it
				// now sees a=1.
				s2 := startServer(t, func(o *Options) { opts(o); o.Addrs = []string{"127.0.0.1:0"} })
				c2 := client(t, s2, nil)
				if v := c2.Get(ctx, "a").Val(); v != "1" {
					t.Fatalf("old snapshot damaged: a=%q", v)
				}
				checkBig(t, c2, "big", 3*spillAt)
				s2.Close()
			}
			if err := c.Save(ctx).Err(); err != nil {
				t.Fatalf("SAVE after the disk healed: %v", err)
			}
			if err := c.Set(ctx, "b", "x", 0).Err(); err != nil {
				t.Fatalf("writes still refused after a good save: %v", err)
			}
		})
	}
}

// A full disk under the log: the failing write gets an error reply, further
// writes are refused with MISCONF while reads work, and the server recovers
// by itself once the disk has room again; nothing acknowledged is lost.
func TestLogWriteFailureAndRecovery(t *testing.T) {
	for _, policy := range []string{"always", "everysec"} {
		t.Run(policy, func(t *testing.T) {
			mem := vfs.NewMem()
			ffs := vfs.NewFault(mem)
			dir := t.TempDir()
			opts := func(o *Options) {
				o.FS = ffs
				o.Dir = dir
				o.AppendOnly = true
				o.AppendFsync = policy
			}
			s := startServer(t, opts)
			ctx := context.Background()
			c := client(t, s, func(o *redis.Options) { o.MaxRetries = -1 })
			if err := c.Set(ctx, "a", "1", 0).Err(); err != nil {
				t.Fatal(err)
			}
			ffs.Inject(vfs.Fault{Op: vfs.OpWrite, Err: syscall.ENOSPC, Sticky: true, Path: "appendonly.aof", Short: true, Keep: 3})
			err := c.Set(ctx, "b", "2", 0).Err()
			if err == nil || !strings.HasPrefix(err.Error(), "MISCONF") {
				t.Fatalf("write on a full disk: %v, want a MISCONF error", err)
			}
			err = c.Set(ctx, "c", "3", 0).Err()
			if err == nil || !strings.HasPrefix(err.Error(), "MISCONF") {
				t.Fatalf("next write while the log is failing: %v, want MISCONF", err)
			}
			if v := c.Get(ctx, "a").Val(); v != "1" {
				t.Fatalf("reads must keep working: %q", v)
			}
			if info := c.Info(ctx, "persistence").Val(); !strings.Contains(info, "aof_last_write_status:err") {
				t.Fatalf("aof_last_write_status not err:\n%s", info)
			}
			ffs.Heal()
			deadline := time.Now().Add(10 * time.Second)
			for {
				if err := c.Set(ctx, "d", "4", 0).Err(); err == nil {
					break
				} else if time.Now().After(deadline) {
					t.Fatalf("server did not recover after the disk healed: %v", err)
				}
				time.Sleep(20 * time.Millisecond)
			}
			s.Close()
			mem.Crash() // only what was fsynced survives
			s2 := startServer(t, opts)
			c2 := client(t, s2, nil)
			for k, want := range map[string]string{"a": "1", "d": "4"} {
				if v := c2.Get(ctx, k).Val(); v != want {
					t.Fatalf("after recovery and crash: %s=%q, want %q", k, v, want)
				}
			}
		})
	}
}

// pushBig makes key a list of 200-byte elements totalling at least size
// bytes; checkBig checks it came back whole.
func pushBig(t *testing.T, c *redis.Client, key string, size int) {
	t.Helper()
	ctx := context.Background()
	elems := make([]any, 0, 1000)
	for n := 0; n < size; {
		elems = elems[:0]
		for len(elems) < cap(elems) && n < size {
			elems = append(elems, bigElem(n/200))
			n += 200
		}
		if err := c.RPush(ctx, key, elems...).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

func checkBig(t *testing.T, c *redis.Client, key string, size int) {
	t.Helper()
	ctx := context.Background()
	want := int64((size + 199) / 200)
	if n := c.LLen(ctx, key).Val(); n != want {
		t.Fatalf("LLEN %s = %d, want %d", key, n, want)
	}
	for _, i := range []int64{0, want / 2, want - 1} {
		if v := c.LIndex(ctx, key, i).Val(); v != bigElem(int(i)) {
			t.Fatalf("%s[%d] = %.20q…", key, i, v)
		}
	}
}

func bigElem(i int) string {
	s := strconv.Itoa(i)
	return s + strings.Repeat("e", 200-len(s))
}
