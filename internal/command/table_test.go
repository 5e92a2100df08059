package command

import "testing"

// Every command and subcommand has an arity: Command.arityOK, which every
// arity check goes through, reads 0 as "never fits".
func TestEveryCommandHasAnArity(t *testing.T) {
	for _, c := range NewTable().All() {
		for _, x := range append([]*Command{c}, c.Subs...) {
			if x.Arity == 0 {
				t.Errorf("%s has arity 0", x.Name)
			}
		}
	}
}
