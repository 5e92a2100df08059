package command

import "testing"

// The per-client cache of the last command must give exactly what the
// table gives, whatever the spelling and order of names.
func TestLookupCachedAgreesWithTable(t *testing.T) {
	tab := NewTable()
	cl := &Client{}
	names := []string{"GET", "get", "GeT", "set", "SET", "nosuchcmd", "get",
		"client", "CLIENT", "get", "this-name-is-longer-than-sixteen", "GET", "ge", "gett", "get"}
	for i := 0; i < 3; i++ { // again, with the cache holding whatever came last
		for _, n := range names {
			want := tab.Lookup([]byte(n))
			if got := cl.lookupCached(tab, []byte(n)); got != want {
				t.Fatalf("lookupCached(%q) = %v, table has %v", n, got, want)
			}
		}
	}
}
