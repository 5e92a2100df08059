package command

// Redis 7.0's error replies, verbatim. Keeping them in one place makes the
// differential tests' job (byte-identical errors) a matter of one file.
const (
	ErrSyntax          = "ERR syntax error"
	ErrWrongType       = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrNotInt          = "ERR value is not an integer or out of range"
	ErrNotFloat        = "ERR value is not a valid float"
	ErrOverflow        = "ERR increment or decrement would overflow"
	ErrNoSuchKey       = "ERR no such key"
	ErrDBIndex         = "ERR DB index is out of range"
	ErrNoAuth          = "NOAUTH Authentication required."
	ErrWrongPass       = "WRONGPASS invalid username-password pair or user is disabled."
	ErrAuthNoPass      = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	ErrMultiNested     = "ERR MULTI calls can not be nested"
	ErrExecNoMulti     = "ERR EXEC without MULTI"
	ErrDiscardNoMulti  = "ERR DISCARD without MULTI"
	ErrWatchInMulti    = "ERR WATCH inside MULTI is not allowed"
	ErrExecAbort       = "EXECABORT Transaction discarded because of previous errors."
	ErrStringTooBig    = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	ErrBitOffset       = "ERR bit offset is not an integer or out of range"
	ErrBitValue        = "ERR bit is not an integer or out of range"
	ErrIncrNaN         = "ERR increment would produce NaN or Infinity"
	ErrSameObject      = "ERR source and destination objects are the same"
	ErrTimeout         = "ERR timeout is not an integer or out of range"
	ErrIndexOutOfRange = "ERR index out of range"
	ErrPositive        = "ERR value is out of range, must be positive"
	ErrLoading         = "LOADING Redis is loading the dataset in memory"
	ErrMisconfAOF      = "MISCONF Errors writing to the AOF file: "
	ErrMisconfRDB      = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."
)

func errArity(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

func errExpireTime(name string) string {
	return "ERR invalid expire time in '" + name + "' command"
}

// errUnknownCommand mirrors Redis 7.0's message, which quotes the command
// name (at most 128 bytes) and as many arguments as fit in about 128 bytes.
func errUnknownCommand(args [][]byte) string {
	name := args[0]
	if len(name) > 128 {
		name = name[:128]
	}
	var preview []byte
	for i := 1; i < len(args) && len(preview) < 128; i++ {
		a := args[i]
		if room := 128 - len(preview); len(a) > room {
			a = a[:room]
		}
		preview = append(preview, '\'')
		preview = append(preview, a...)
		preview = append(preview, '\'', ' ')
	}
	return "ERR unknown command '" + string(name) + "', with args beginning with: " + string(preview)
}

func errUnknownSubcommand(sub []byte, cmd string) string {
	return "ERR unknown subcommand '" + truncate(string(sub), 128) + "'. Try " + upper(cmd) + " HELP."
}

// errSubcommandSyntax is Redis's reply to a known subcommand given the
// wrong arguments; cmd is the container's name as the reply spells it.
// The subcommand is cut at 128 bytes, as Redis's %.128s cuts it.
func errSubcommandSyntax(sub []byte, cmd string) string {
	return "ERR unknown subcommand or wrong number of arguments for '" + truncate(string(sub), 128) + "'. Try " + cmd + " HELP."
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
