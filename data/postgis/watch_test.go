package postgis_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/postgis"
)

// TestWatch checks the server's view: a full reload on start, the changed
// table within 2 s of an UPDATE, a load reported as a burst, and after the
// listener's connection is killed, an error, a reconnection and a full
// reload.
func TestWatch(t *testing.T) {
	pg, conn := connect(t)
	const schema = "t_watch"
	load(t, conn, data.FS(), schema)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := make(chan postgis.Change, 16)
	errs := make(chan error, 16)
	pids := make(chan uint32, 4)
	dial := func(ctx context.Context) (*pgx.Conn, error) {
		c, err := pgx.Connect(ctx, pg.DSN())
		if err == nil {
			pids <- c.PgConn().PID()
		}
		return c, err
	}
	done := make(chan error, 1)
	go func() {
		done <- postgis.Watch(ctx, dial, postgis.WatchOptions{Options: postgis.Options{Schema: schema},
			OnError: func(err error) { errs <- err }}, func(c postgis.Change) { changes <- c })
	}()
	next := func(what string) postgis.Change {
		t.Helper()
		select {
		case c := <-changes:
			return c
		case err := <-errs:
			t.Fatalf("%s: connection error %v", what, err)
		case <-time.After(2 * time.Second):
			t.Fatalf("%s: nothing within 2 s", what)
		}
		return postgis.Change{}
	}
	if c := next("start"); !c.All() {
		t.Fatalf("first change %v, want everything", c)
	}
	pid := <-pids
	start := time.Now()
	pg.Exec(t, "UPDATE "+schema+".crossings SET name = name WHERE id = 'torkham';")
	if c := next("update"); len(c.Layers) != 1 || c.Layers[0] != "crossings" {
		t.Fatalf("after an UPDATE: %v", c.Layers)
	}
	t.Logf("update seen after %v", time.Since(start))

	load(t, conn, data.FS(), schema)
	c := next("load")
	if len(c.Layers) < 10 {
		t.Errorf("a load reported as %v, want every table in one change", c.Layers)
	}

	pg.Exec(t, "SELECT pg_terminate_backend("+strconv.FormatUint(uint64(pid), 10)+");")
	select {
	case err := <-errs:
		t.Logf("connection error reported: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("killed connection not reported")
	}
	if c := next("reconnect"); !c.All() {
		t.Errorf("after reconnecting: %v, want everything", c)
	}
	pg.Exec(t, "DELETE FROM "+schema+".altnames WHERE ord = 1;")
	if c := next("after reconnect"); len(c.Layers) != 1 || c.Layers[0] != "altnames" {
		t.Errorf("after reconnecting, a DELETE: %v", c.Layers)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Watch returned %v", err)
	}
}
