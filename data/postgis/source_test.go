package postgis_test

import (
	"context"
	"testing"
	"time"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/postgis"
	"github.com/durandline/durand/geo"
)

// TestSourceReadsChanged checks the rule of Source.Fetch under Watch:
// reading only the tables reported changed gives, after every kind of
// edit (UPDATE, INSERT, DELETE, TRUNCATE, of GeoJSON and CSV tables, one
// table or two in one transaction), the content version of a full Read of
// the database.
func TestSourceReadsChanged(t *testing.T) {
	pg, conn := connect(t)
	const schema = "t_src_changed"
	load(t, conn, data.FS(), schema)
	src, err := postgis.NewSource(postgis.SourceConfig{DSN: pg.DSN(), Schema: schema,
		StatementTimeout: 10 * time.Second, ConnectTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ctx, cancel := context.WithCancel(context.Background())
	versions := make(chan string, 64)
	watching := make(chan struct{})
	defer func() {
		cancel()
		<-watching // no report after the test
	}()
	go func() {
		defer close(watching)
		src.Watch(ctx, 20*time.Millisecond, func(ctx context.Context, why string) error {
			v, parse, err := src.Fetch(ctx)
			if err == nil {
				_, err = parse()
			}
			if err != nil {
				if ctx.Err() == nil {
					t.Errorf("reload (%s): %v", why, err)
				}
				return err
			}
			select {
			case versions <- v:
			default: // not waited for
			}
			return nil
		}, func(err error) {
			if ctx.Err() == nil {
				t.Errorf("watch: %v", err)
			}
		})
	}()
	full := func() string {
		t.Helper()
		v, err := geo.DataVersion(read(t, conn, schema))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// waitVersion waits until a reload serves want.
	waitVersion := func(what, want string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case v := <-versions:
				if v == want {
					return
				}
			case <-deadline:
				t.Fatalf("%s: no reload gave the version of a full read %s", what, want)
			}
		}
	}
	waitVersion("start", full())
	edits := []struct{ name, sql string }{
		{"update a GeoJSON table", `UPDATE t_src_changed.crossings SET name = 'Torkham (edited)' WHERE id = 'torkham'`},
		{"move a crossing", `UPDATE t_src_changed.crossings SET geom = ST_SetSRID(ST_MakePoint(71.1, 34.1), 4326) WHERE id = 'torkham'`},
		{"insert into a CSV table", `INSERT INTO t_src_changed.places (id, name, country, properties, geom) VALUES ('zz_new', 'New place', 'AFG',
	'{"source_publisher": "Analyst", "source_url": "https://example.org/new-place"}', ST_SetSRID(ST_MakePoint(69.5, 33.5), 4326))`},
		{"delete from a CSV table", `DELETE FROM t_src_changed.altnames WHERE ord = 1`},
		{"two tables in one transaction", `BEGIN; UPDATE t_src_changed.provinces SET name = name || ' (edited)' WHERE ord = 0;
	DELETE FROM t_src_changed.places WHERE id = 'zz_new'; COMMIT`},
		{"truncate an optional table", `TRUNCATE t_src_changed.altnames`},
	}
	for _, e := range edits {
		before := full()
		pg.Exec(t, e.sql)
		after := full()
		if after == before {
			t.Fatalf("%s: the edit did not change the data", e.name)
		}
		waitVersion(e.name, after)
	}
}
