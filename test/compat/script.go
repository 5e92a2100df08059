package compat

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// action is what a step does on each server.
type action int

const (
	actCommand  action = iota // send args as a multibulk frame, read one reply
	actRaw                    // send payload as is, read one reply
	actSend                   // send payload as is, read nothing
	actRead                   // read one reply
	actRawClose               // expect the server to have closed the connection
	actConn                   // switch to (or open) the connection named conn
	actProto                  // HELLO proto on the current connection
)

// mode is how the two replies of a step are compared.
type mode int

const (
	cmpExact   mode = iota // byte for byte
	cmpSort                // aggregate elements (in groups of n) as a multiset
	cmpShape               // types and aggregate lengths only
	cmpApprox              // integers within ±n
	cmpIgnore              // not compared
	cmpExcept              // byte for byte except the values of fields
	cmpScanAll             // iterate the SCAN-family cursor, compare the union
)

// step is one executable line of a script.
type step struct {
	line    int      // 1-based line number in the script
	text    string   // the line as written, for failure messages
	act     action   //
	args    []string // actCommand: the command and its arguments
	payload []byte   // actRaw, actSend: the bytes to send
	conn    string   // actConn: the connection name
	proto   int      // actProto: the protocol version
	cmp     mode     //
	n       int64    // cmpSort: group size; cmpApprox: tolerance
	fields  []string // cmpExcept: the field names whose values are masked
}

// parseScript reads a script; see doc.go for the syntax. Errors name the line.
func parseScript(r io.Reader) ([]step, error) {
	var steps []step
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for num := 1; sc.Scan(); num++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		s, err := parseLine(text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %q: %w", num, text, err)
		}
		s.line, s.text = num, text
		steps = append(steps, s)
	}
	return steps, sc.Err()
}

func parseLine(text string) (step, error) {
	args, err := splitArgs(text)
	if err != nil {
		return step{}, err
	}
	if !strings.HasPrefix(args[0], "!") {
		return step{act: actCommand, args: args}, nil
	}
	directive, rest := args[0], args[1:]
	switch directive {
	case "!sort":
		n := int64(1)
		if len(rest) > 0 {
			if v, err := strconv.ParseInt(rest[0], 10, 64); err == nil {
				if v < 1 {
					return step{}, fmt.Errorf("!sort group size must be positive")
				}
				n, rest = v, rest[1:]
			}
		}
		return command(rest, cmpSort, n, nil)
	case "!type":
		return command(rest, cmpShape, 0, nil)
	case "!approx":
		if len(rest) == 0 {
			return step{}, fmt.Errorf("!approx needs a tolerance")
		}
		n, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil || n < 0 {
			return step{}, fmt.Errorf("!approx tolerance %q is not a non-negative integer", rest[0])
		}
		return command(rest[1:], cmpApprox, n, nil)
	case "!ignore":
		return command(rest, cmpIgnore, 0, nil)
	case "!except":
		if len(rest) == 0 {
			return step{}, fmt.Errorf("!except needs a comma-separated field list")
		}
		return command(rest[1:], cmpExcept, 0, strings.Split(rest[0], ","))
	case "!scanall":
		s, err := command(rest, cmpScanAll, 0, nil)
		if err == nil {
			_, err = scanCursorIndex(s.args)
		}
		return s, err
	case "!raw", "!send":
		if len(rest) != 1 {
			return step{}, fmt.Errorf("%s takes exactly one quoted argument", directive)
		}
		act := actRaw
		if directive == "!send" {
			act = actSend
		}
		return step{act: act, payload: []byte(rest[0])}, nil
	case "!read", "!rawclose":
		if len(rest) != 0 {
			return step{}, fmt.Errorf("%s takes no arguments", directive)
		}
		if directive == "!read" {
			return step{act: actRead}, nil
		}
		return step{act: actRawClose}, nil
	case "!conn":
		if len(rest) != 1 {
			return step{}, fmt.Errorf("!conn takes exactly one name")
		}
		return step{act: actConn, conn: rest[0]}, nil
	case "!proto":
		if len(rest) != 1 || (rest[0] != "2" && rest[0] != "3") {
			return step{}, fmt.Errorf("!proto takes 2 or 3")
		}
		p, _ := strconv.Atoi(rest[0])
		// The client id differs between servers by nature; the rest of the
		// HELLO reply is part of the contract.
		return step{act: actProto, proto: p, cmp: cmpExcept, fields: []string{"id"}}, nil
	}
	return step{}, fmt.Errorf("unknown directive %s", directive)
}

// command builds a command step compared with the given mode.
func command(args []string, m mode, n int64, fields []string) (step, error) {
	if len(args) == 0 {
		return step{}, fmt.Errorf("directive needs a command after it")
	}
	return step{act: actCommand, args: args, cmp: m, n: n, fields: fields}, nil
}

// scanCursorIndex returns the position of the cursor argument in a SCAN,
// SSCAN, HSCAN or ZSCAN command.
func scanCursorIndex(args []string) (int, error) {
	switch strings.ToUpper(args[0]) {
	case "SCAN":
		if len(args) >= 2 {
			return 1, nil
		}
	case "SSCAN", "HSCAN", "ZSCAN":
		if len(args) >= 3 {
			return 2, nil
		}
	default:
		return 0, fmt.Errorf("!scanall works with SCAN, SSCAN, HSCAN and ZSCAN, not %s", args[0])
	}
	return 0, fmt.Errorf("!scanall: %s has no cursor argument", args[0])
}
