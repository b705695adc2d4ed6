package postgis

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Change is what Watch reports: the tables that changed since the last
// call, sorted, or nil when everything must be reloaded (the first call and
// every call after a reconnection, since notifications sent while
// disconnected are lost).
type Change struct {
	Layers []string
}

// All reports whether the whole atlas must be reloaded.
func (c Change) All() bool { return c.Layers == nil }

// WatchOptions configure Watch. The zero value is ready to use.
type WatchOptions struct {
	Options
	// Debounce is how long Watch keeps collecting notifications after the
	// first one before calling fn (a load notifies every table); default
	// 100 ms.
	Debounce time.Duration
	// MinBackoff and MaxBackoff bound the wait between reconnection
	// attempts, doubled after each failure; defaults 100 ms and 5 s.
	MinBackoff, MaxBackoff time.Duration
	// OnError, when set, is called with every connection error (the
	// watcher is then disconnected, e.g. for /readyz to report degraded).
	OnError func(error)
}

// Watch keeps a connection from dial listening for change notifications of
// opt's schema and calls fn (never concurrently) with what changed: first
// with Change{} (reload everything), then after each burst of
// notifications with the changed tables. When the connection fails it
// reports the error to OnError, reconnects with exponential backoff and
// calls fn with Change{} again. It returns ctx.Err() when ctx ends.
func Watch(ctx context.Context, dial func(context.Context) (*pgx.Conn, error), opt WatchOptions, fn func(Change)) error {
	debounce := opt.Debounce
	if debounce <= 0 {
		debounce = 100 * time.Millisecond
	}
	minB, maxB := opt.MinBackoff, opt.MaxBackoff
	if minB <= 0 {
		minB = 100 * time.Millisecond
	}
	if maxB < minB {
		maxB = max(5*time.Second, minB)
	}
	backoff := minB
	for {
		err := watchOnce(ctx, dial, opt.Options, debounce, fn, func() { backoff = minB })
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if opt.OnError != nil {
			opt.OnError(err)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		backoff = min(2*backoff, maxB)
	}
}

// watchOnce runs one connection's life; it always returns an error.
func watchOnce(ctx context.Context, dial func(context.Context) (*pgx.Conn, error), opt Options,
	debounce time.Duration, fn func(Change), connected func()) error {
	conn, err := dial(ctx)
	if err != nil {
		return connError(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// LISTEN before the full reload, so no change falls in between.
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return connError(err)
	}
	connected()
	fn(Change{})
	prefix := opt.schema() + "."
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return connError(err)
		}
		set := map[string]bool{}
		add := func(payload string) {
			if layer, ok := strings.CutPrefix(payload, prefix); ok {
				set[layer] = true
			}
		}
		add(n.Payload)
		deadline := time.Now().Add(debounce)
		for {
			wctx, cancel := context.WithDeadline(ctx, deadline)
			n, err := conn.WaitForNotification(wctx)
			cancel()
			if err == nil {
				add(n.Payload)
				continue
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed() {
				break
			}
			return connError(err)
		}
		if len(set) == 0 {
			continue
		}
		layers := make([]string, 0, len(set))
		for l := range set {
			layers = append(layers, l)
		}
		sort.Strings(layers)
		fn(Change{Layers: layers})
	}
}
