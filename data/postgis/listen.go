package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Listen subscribes conn to the change notifications (LISTEN
// durand_changed) and calls fn with the table name (for example
// "crossings", or MetaTable after a load) for every notification about a
// table of opt's schema, until ctx is done or the connection fails. conn
// must not be used for anything else meanwhile. It returns ctx.Err() when
// ctx ends, else the connection error: the caller reconnects (with backoff)
// and, since notifications sent while it was away are lost, reloads
// everything after reconnecting.
func Listen(ctx context.Context, conn *pgx.Conn, opt Options, fn func(layer string)) error {
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return connError(err)
	}
	prefix := opt.schema() + "."
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			return fmt.Errorf("pgstore: listening: %w", err)
		}
		if layer, ok := strings.CutPrefix(n.Payload, prefix); ok {
			fn(layer)
		}
	}
}
