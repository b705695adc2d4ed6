package postgis_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/postgis"
	"github.com/durandline/durand/data/zonecache"
	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
)

var cluster geotest.PostGISCluster

func TestMain(m *testing.M) {
	code := geotest.Main(m) // runs the tests, then says what was skipped
	_ = cluster.Close()
	os.Exit(code)
}

// connect opens a connection to the shared test server.
func connect(t testing.TB) (*geotest.PostGIS, *pgx.Conn) {
	t.Helper()
	pg := cluster.Get(t)
	conn, err := pgx.Connect(context.Background(), pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return pg, conn
}

// districtsFS returns the embedded files with districts installed from the
// shared data (installed once per test binary).
var districts struct {
	once sync.Once
	dir  string
	err  error
}

func districtsFS(t testing.TB) fs.FS {
	t.Helper()
	shared := geotest.SharedData(t)
	districts.once.Do(func() {
		districts.dir, districts.err = os.MkdirTemp("", "pgstore-districts-")
		if districts.err == nil {
			_, districts.err = data.Install(context.Background(), data.InstallOptions{From: shared, Dir: districts.dir, Provinces: data.FS()})
		}
	})
	if districts.err != nil {
		t.Fatal(districts.err)
	}
	fsys, err := data.Merged(districts.dir)
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// testBuffers is the zone buffer cache of the tests' atlases: in memory in
// front of the go test run's directory (zonecache.Default; geotest.Main
// points $DURAND_CACHE_DIR there), so that a buffer is traced once per run,
// not once per atlas or per test binary (geo tests the tracing, and
// TestUseBufferCache that cached zones equal traced ones). Tests about
// zones still being computed use atlases without it.
var testBuffers = sync.OnceValue(func() geo.BufferCache {
	if c := zonecache.Default(); c != nil {
		return c
	}
	return &geo.MemoryBufferCache{}
})

// loadAtlas loads the atlas in fsys, its zone buffers from testBuffers.
func loadAtlas(t testing.TB, fsys fs.FS) *geo.Atlas {
	t.Helper()
	a, err := geo.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	a.UseBufferCache(testBuffers())
	return a
}

func load(t testing.TB, db postgis.DB, fsys fs.FS, schema string) postgis.Report {
	t.Helper()
	rep, err := postgis.Load(context.Background(), db, fsys, postgis.Options{Schema: schema, Buffers: testBuffers()})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func read(t testing.TB, db postgis.DB, schema string) fs.FS {
	t.Helper()
	fsys, err := postgis.Read(context.Background(), db, postgis.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// sameAtlas checks that two atlases answer alike: every layer's features
// encode to the same GeoJSON bytes, and points, crossings, events, places
// and status histories agree.
func sameAtlas(t *testing.T, want, got *geo.Atlas) {
	t.Helper()
	eq := func(what string, a, b any) {
		t.Helper()
		ja, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		jb, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ja, jb) {
			t.Errorf("%s differs:\nwant %.300s\n got %.300s", what, ja, jb)
		}
	}
	eq("layers", want.Layers(), got.Layers())
	for _, l := range want.Layers() {
		fw, err := want.Features(l)
		if err != nil {
			t.Fatal(err)
		}
		fg, err := got.Features(l)
		if err != nil {
			t.Fatalf("layer %s: %v", l, err)
		}
		if len(fw) != len(fg) {
			t.Errorf("layer %s: %d features, want %d", l, len(fg), len(fw))
		}
		eq("layer "+l, fw, fg)
	}
	eq("provenance", want.Provenance(), got.Provenance())
	eq("crossings", want.Crossings(), got.Crossings())
	eq("events", want.Events(), got.Events())
	eq("places", want.Places(), got.Places())
	eq("timeline", want.Timeline(), got.Timeline())
	for _, c := range want.Crossings() {
		hw, _ := want.StatusHistory(c.ID)
		hg, _ := got.StatusHistory(c.ID)
		eq("status history "+c.ID, hw, hg)
	}
	b := want.Border().Line.Bound()
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 200; i++ {
		p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		lw, errw := want.Locate(p)
		lg, errg := got.Locate(p)
		if (errw == nil) != (errg == nil) {
			t.Fatalf("Locate(%v): errors %v, %v", p, errw, errg)
		}
		eq("Locate", lw, lg)
	}
	for _, alt := range []string{"Tūrkham", "Towr Kham"} {
		cw, errw := want.Crossing(alt)
		cg, errg := got.Crossing(alt)
		if (errw == nil) != (errg == nil) || (cw != nil && cg != nil && cw.ID != cg.ID) {
			t.Errorf("Crossing(%q): %v %v / %v %v", alt, cw, errw, cg, errg)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	_, conn := connect(t)
	rep := load(t, conn, data.FS(), "t_roundtrip")
	if rep.PreviousVersion != "" {
		t.Errorf("first load: previous version %q", rep.PreviousVersion)
	}
	if v, _ := geo.DataVersion(data.FS()); rep.DataVersion != v {
		t.Errorf("data version %s, want %s", rep.DataVersion, v)
	}
	counts := map[string]int{}
	for _, tc := range rep.Tables {
		counts[tc.Table] = tc.Rows
	}
	want, err := data.Default()
	if err != nil {
		t.Fatal(err)
	}
	want.UseBufferCache(testBuffers())
	if counts["border"] != 1 || counts["countries"] != 2 || counts["crossings"] != len(want.Crossings()) ||
		counts["events"] == 0 || counts["districts"] != 0 {
		t.Errorf("row counts %v", counts)
	}
	fsys := read(t, conn, "t_roundtrip")
	if _, err := fs.Stat(fsys, geo.FileDistricts); err == nil {
		t.Errorf("districts.geojson read back although none were loaded")
	}
	got := loadAtlas(t, fsys)
	sameAtlas(t, want, got)

	// Deterministic: a second read (another replica) gives the same bytes.
	again := read(t, conn, "t_roundtrip")
	for _, name := range postgis.Files() {
		a, erra := fs.ReadFile(fsys, name)
		b, errb := fs.ReadFile(again, name)
		if (erra == nil) != (errb == nil) || !bytes.Equal(a, b) {
			t.Errorf("%s: two reads differ", name)
		}
	}
}

func TestDistricts(t *testing.T) {
	fsys := districtsFS(t)
	_, conn := connect(t)
	rep := load(t, conn, fsys, "t_districts")
	want := loadAtlas(t, fsys)
	for _, tc := range rep.Tables {
		if tc.Table == "districts" && tc.Rows != len(want.Districts()) {
			t.Errorf("districts: %d rows, want %d", tc.Rows, len(want.Districts()))
		}
	}
	got := loadAtlas(t, read(t, conn, "t_districts"))
	if !got.HasDistricts() {
		t.Fatal("no districts read back")
	}
	sameAtlas(t, want, got)
}

func TestLoadIdempotent(t *testing.T) {
	pg, conn := connect(t)
	r1 := load(t, conn, data.FS(), "t_idem")
	f1 := read(t, conn, "t_idem")
	r2 := load(t, conn, data.FS(), "t_idem")
	f2 := read(t, conn, "t_idem")
	if r1.DataVersion != r2.DataVersion || r2.PreviousVersion != r1.DataVersion {
		t.Errorf("versions: first %s, second %s (previous %s)", r1.DataVersion, r2.DataVersion, r2.PreviousVersion)
	}
	v1, _ := geo.DataVersion(f1)
	v2, _ := geo.DataVersion(f2)
	if v1 != v2 {
		t.Errorf("content after the second load differs: %s vs %s", v1, v2)
	}
	rows := pg.Query(t, `SELECT (SELECT count(*) FROM t_idem.crossings), (SELECT count(*) FROM t_idem.events), (SELECT count(*) FROM t_idem.durand_meta)`)
	if rows[0][2] != "1" {
		t.Errorf("durand_meta has %s rows", rows[0][2])
	}
}

// TestFailedLoadKeepsData interrupts a load half-way, once by cancelling
// its context and once by killing its server process, and checks that the
// previous data is still there, unchanged.
func TestFailedLoadKeepsData(t *testing.T) {
	pg, conn := connect(t)
	const schema = "t_failed"
	load(t, conn, data.FS(), schema)
	before, _ := geo.DataVersion(read(t, conn, schema))

	// A different atlas (with districts), so a completed load would show.
	other := districtsFS(t)
	for _, tc := range []struct {
		name      string
		interrupt func(cancel context.CancelFunc, pid uint32)
	}{
		{"cancel", func(cancel context.CancelFunc, _ uint32) { cancel() }},
		{"kill", func(_ context.CancelFunc, pid uint32) {
			pg.Exec(t, "SELECT pg_terminate_backend("+strconv.FormatUint(uint64(pid), 10)+");")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := pgx.Connect(context.Background(), pg.DSN())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(context.Background())
			pid := c.PgConn().PID()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err = postgis.Load(ctx, c, other, postgis.Options{Schema: schema, Buffers: testBuffers(), Progress: func(table string, rows int) {
				if table == "districts" {
					tc.interrupt(cancel, pid)
				}
			}})
			if err == nil {
				t.Fatal("interrupted load succeeded")
			}
			after, _ := geo.DataVersion(read(t, conn, schema))
			if after != before {
				t.Errorf("data changed by a failed load: %s -> %s", before, after)
			}
			if n := pg.Query(t, "SELECT count(*) FROM "+schema+".districts")[0][0]; n != "0" {
				t.Errorf("%s districts after the failed load", n)
			}
		})
	}
}

func TestNotify(t *testing.T) {
	pg, conn := connect(t)
	const schema = "t_notify"
	load(t, conn, data.FS(), schema)
	lc, err := pgx.Connect(context.Background(), pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer lc.Close(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 16)
	listening := make(chan error, 1)
	go func() {
		listening <- postgis.Listen(ctx, lc, postgis.Options{Schema: schema}, func(layer string) { got <- layer })
	}()
	// LISTEN is in effect once Listen waits; retry the update until seen.
	deadline := time.After(2 * time.Second)
	start := time.Now()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	pg.Exec(t, "UPDATE "+schema+".crossings SET properties = properties || '{\"description\":\"edited\"}' WHERE id = 'torkham';")
	for {
		select {
		case layer := <-got:
			if layer != "crossings" {
				t.Fatalf("notified about %q, want crossings", layer)
			}
			t.Logf("notified after %v", time.Since(start))
			// The edit is visible to Read.
			a := loadAtlas(t, read(t, conn, schema))
			c, err := a.Crossing("torkham")
			if err != nil || c.Description != "edited" {
				t.Errorf("after the update: %+v, %v", c, err)
			}
			cancel()
			if err := <-listening; !errors.Is(err, context.Canceled) {
				t.Errorf("Listen returned %v, want context.Canceled", err)
			}
			return
		case <-tick.C:
			pg.Exec(t, "UPDATE "+schema+".crossings SET name = name WHERE id = 'torkham';")
		case <-deadline:
			t.Fatal("no notification within 2 s")
		case err := <-listening:
			t.Fatalf("Listen: %v", err)
		}
	}
}

func TestReadNotLoaded(t *testing.T) {
	_, conn := connect(t)
	if _, err := postgis.Read(context.Background(), conn, postgis.Options{Schema: "t_empty"}); !errors.Is(err, postgis.ErrNotLoaded) {
		t.Errorf("Read of an empty schema: %v, want ErrNotLoaded", err)
	}
}

func TestLoadInvalidData(t *testing.T) {
	_, conn := connect(t)
	bad := overlay{"crossings.geojson": []byte(`{"type":"FeatureCollection","features":[{"type":"Feature"`)}
	_, err := postgis.Load(context.Background(), conn, bad.with(data.FS()), postgis.Options{Schema: "t_invalid"})
	if !errors.Is(err, postgis.ErrData) {
		t.Errorf("Load of a broken file: %v, want ErrData", err)
	}
}

func TestClosedConnection(t *testing.T) {
	pg := cluster.Get(t)
	conn, err := pgx.Connect(context.Background(), pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	conn.Close(context.Background())
	if _, err := postgis.Load(context.Background(), conn, data.FS(), postgis.Options{}); err == nil {
		t.Error("Load on a closed connection succeeded")
	}
	if _, err := postgis.Read(context.Background(), conn, postgis.Options{}); err == nil {
		t.Error("Read on a closed connection succeeded")
	}
}

// overlay replaces some files of a base fs.FS.
type overlay map[string][]byte

func (o overlay) with(base fs.FS) fs.FS { return overlayFS{o, base} }

type overlayFS struct {
	files overlay
	base  fs.FS
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if b, ok := o.files[name]; ok {
		return memFile(name, b)
	}
	return o.base.Open(name)
}

// TestReadDuringLoad reads from another connection while a load is half
// done: the reader sees the previous data, then, after the commit, the new.
func TestReadDuringLoad(t *testing.T) {
	pg, conn := connect(t)
	const schema = "t_during"
	load(t, conn, data.FS(), schema)
	before, _ := geo.DataVersion(read(t, conn, schema))
	other, err := pgx.Connect(context.Background(), pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(context.Background())
	var during []string
	rep, err := postgis.Load(context.Background(), other, districtsFS(t), postgis.Options{Schema: schema, Buffers: testBuffers(), Progress: func(table string, _ int) {
		if table == "provinces" || table == "districts" || table == "altnames" {
			v, _ := geo.DataVersion(read(t, conn, schema))
			during = append(during, v)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range during {
		if v != before {
			t.Errorf("read %d during the load saw a half-loaded state", i)
		}
	}
	after, _ := geo.DataVersion(read(t, conn, schema))
	if after == before || rep.PreviousVersion == rep.DataVersion {
		t.Error("the completed load is not visible")
	}
}

// TestEdits simulates an analyst's edits (QGIS writes plain SQL): a moved
// crossing, a new place without ord, a deleted status row.
func TestEdits(t *testing.T) {
	pg, conn := connect(t)
	const schema = "t_edits"
	load(t, conn, data.FS(), schema)
	pg.Exec(t, `
UPDATE t_edits.crossings SET geom = ST_SetSRID(ST_MakePoint(71.1, 34.1), 4326) WHERE id = 'torkham';
INSERT INTO t_edits.places (id, name, country, properties, geom) VALUES ('zz_new', 'New place', 'AFG',
	'{"source_publisher": "Analyst", "source_url": "https://example.org/new-place"}', ST_SetSRID(ST_MakePoint(69.5, 33.5), 4326));
INSERT INTO t_edits.crossing_status (crossing_id, status, valid_from, properties) VALUES ('torkham', 'open', '2026-03',
	'{"source_publisher": "Analyst", "source_url": "https://example.org/torkham"}');`)
	fsys := read(t, conn, schema)
	a := loadAtlas(t, fsys)
	c, err := a.Crossing("torkham")
	if err != nil || c.Point != (orb.Point{71.1, 34.1}) {
		t.Errorf("moved crossing: %+v, %v", c, err)
	}
	places := a.Places()
	if len(places) == 0 || places[len(places)-1].ID != "zz_new" {
		t.Errorf("new place not read back last: %d places", len(places))
	}
	hist, err := a.StatusHistory("torkham")
	if err != nil || len(hist) == 0 || hist[len(hist)-1].Status != "open" {
		t.Errorf("status history after the insert: %v, %v", hist, err)
	}
}

func TestStatementTimeout(t *testing.T) {
	_, conn := connect(t)
	const schema = "t_timeout"
	load(t, conn, data.FS(), schema)
	before, _ := geo.DataVersion(read(t, conn, schema))
	_, err := postgis.Load(context.Background(), conn, districtsFS(t), postgis.Options{Schema: schema, Buffers: testBuffers(), StatementTimeout: time.Millisecond})
	if err == nil {
		t.Fatal("load with a 1 ms statement timeout succeeded")
	}
	t.Logf("error: %v", err)
	if after, _ := geo.DataVersion(read(t, conn, schema)); after != before {
		t.Error("a timed-out load changed the data")
	}
}
