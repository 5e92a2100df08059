package rdb_test

import (
	"bytes"
	"fmt"
	"io"

	"github.com/kevy-db/kevy/rdb"
)

// Write a small RDB file and stream it back key by key.
func Example() {
	var buf bytes.Buffer
	w, err := rdb.NewWriter(&buf, nil) // nil: Redis 7.0's defaults
	if err != nil {
		panic(err)
	}
	w.SelectDB(0, 2, 1)
	w.WriteEntry(&rdb.Entry{Key: []byte("greeting"), Type: rdb.TypeString, Str: []byte("hello")})
	w.WriteEntry(&rdb.Entry{Key: []byte("queue"), Type: rdb.TypeList, List: [][]byte{[]byte("a"), []byte("b")},
		ExpireAt: 4102444800000})
	if err := w.Close(); err != nil { // EOF opcode and CRC-64
		panic(err)
	}

	r, err := rdb.NewReader(&buf, nil)
	if err != nil {
		panic(err)
	}
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		fmt.Printf("db%d %s %s expire=%d\n", e.DB, e.Key, e.Type, e.ExpireAt)
	}
	fmt.Println("version", r.Version())
	// Output:
	// db0 greeting string expire=0
	// db0 queue list expire=4102444800000
	// version 10
}

// A DUMP payload that Redis's RESTORE accepts, and back.
func ExampleEncodeDump() {
	payload, err := rdb.EncodeDump(&rdb.Entry{Type: rdb.TypeSet, Set: [][]byte{[]byte("1"), []byte("2")}}, nil)
	if err != nil {
		panic(err)
	}
	e, err := rdb.DecodeDump(payload)
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Type, len(e.Set))
	// Output: set 2
}
