// Package config holds kevy's configuration, named and behaving like
// redis.conf and redis-server 7.0.
//
// Start-up: Parse reads "kevy [config-file] [--directive args ...]" the way
// redis-server reads its arguments; the options become extra lines after the
// file's, so errors in either are reported with a line number in the shape
// of Redis's "*** FATAL CONFIG FILE ERROR ***" report (ParseError).
//
// Run time: Get, Set and Rewrite implement CONFIG GET, CONFIG SET and
// CONFIG REWRITE with Redis 7.0's semantics and error texts. The server
// registers apply hooks with OnChange for directives that must take effect
// (port, appendonly, appendfsync, requirepass, ...); Set is atomic across
// all its pairs and rolls hooks back when one fails. Hot paths read typed
// values from Snapshot, an immutable Values swapped atomically on each Set.
//
// Every directive's value is stored as one canonical string, the form
// CONFIG GET shows. That keeps change detection, rollback and hooks simple
// and makes the typed Values a pure function of the strings.
//
// kevy's defaults differ from Redis's on purpose for bind (127.0.0.1 -::1),
// dir (./data, created by the server) and appendonly (yes), and kevy
// refuses daemonize yes. dir and dbfilename are "protected" as in a default
// Redis 7.0 (enable-protected-configs no): CONFIG SET refuses them.
package config
