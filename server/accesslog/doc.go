// Package accesslog is the log of `durand serve`: a slog handler (text or
// JSON) whose access-log lines, one per request, are written without
// slog's per-record cost, and a Buffer that batches log writes into one
// system call per interval.
//
//	w := accesslog.NewBuffer(ctx, os.Stderr, 200*time.Millisecond)
//	defer w.Close()
//	cfg := server.Config{Logger: slog.New(accesslog.NewHandler(w, false))}
//
// A line written by Handler.LogAccess is byte for byte the one the slog
// handler would write for the same server.AccessEntry.
//
// Units: durations as slog writes them (text: Go duration strings; JSON:
// nanoseconds).
package accesslog
