package command

// Host is what commands need from the server around them: configuration,
// the list of clients, persistence and lifecycle. The server implements it;
// tests can stub it.
type Host interface {
	// RequirePass is the configured password ("" = none).
	RequirePass() string
	// WriteError returns a non-empty error reply when writes must be refused
	// (MISCONF after a failed log write or background save).
	WriteError() string
	// Loading reports whether the dataset is still being loaded.
	Loading() bool

	ConfigGet(pattern string) []string
	// ConfigSet applies name/value pairs atomically; the error text is the
	// reply.
	ConfigSet(pairs []string) error
	ConfigRewrite() error
	ResetStats()

	// Info renders INFO for the given (lower-case) sections; empty = default.
	Info(sections []string) string

	ClientList(cl *Client, typ string, ids []int64) string
	ClientInfo(cl *Client) string
	// KillClients closes matching clients and returns how many.
	KillClients(f KillFilter, self *Client) int

	// Shutdown stops the server; save is -1 (NOSAVE), 0 (default), 1 (SAVE).
	Shutdown(save int) error
	Save() error
	BGSave(schedule bool) (string, error)
	BGRewriteAOF() (string, error)
	LastSave() int64
	DebugReload() error
}

// KillFilter selects clients for CLIENT KILL.
type KillFilter struct {
	ID       int64
	Addr     string
	LAddr    string
	Type     string
	SkipMe   bool
	HasID    bool
	Old      bool // the legacy CLIENT KILL addr:port form
	MaxAgeMs int64
}
