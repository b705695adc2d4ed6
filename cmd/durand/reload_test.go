package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/server"
)

// tcpProxy forwards a loopback port to PostgreSQL. Down closes the port
// and every connection through it, as a database restart or a network cut
// looks to durand; Up opens the port again.
type tcpProxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.Down)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

func (p *tcpProxy) pipe(c net.Conn) {
	u, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // went down meanwhile
		p.mu.Unlock()
		c.Close()
		u.Close()
		return
	}
	p.conns[c], p.conns[u] = true, true
	p.mu.Unlock()
	go func() { io.Copy(u, c); u.Close(); c.Close() }()
	io.Copy(c, u)
	c.Close()
	u.Close()
}

// Down closes the port and cuts every connection.
func (p *tcpProxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

// Up opens the port again.
func (p *tcpProxy) Up(t *testing.T) {
	t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may linger for a moment
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("proxy: listening again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

// trafficResult counts what a load loop saw.
type trafficResult struct {
	requests, failures atomic.Int64
	mu                 sync.Mutex
	errs               []string
}

func (r *trafficResult) fail(format string, args ...any) {
	r.failures.Add(1)
	r.mu.Lock()
	if len(r.errs) < 10 {
		r.errs = append(r.errs, fmt.Sprintf(format, args...))
	}
	r.mu.Unlock()
}

// traffic requests paths round-robin from n goroutines until ctx is done;
// check judges every answer (nil: fine).
func traffic(ctx context.Context, n int, base string, paths []string, check func(path string, f fetched) error) (*trafficResult, func()) {
	res := &trafficResult{}
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := g; ctx.Err() == nil; i++ {
				p := paths[i%len(paths)]
				resp, err := client.Get(base + p)
				if err != nil {
					if ctx.Err() == nil {
						res.fail("%s: %v", p, err)
					}
					continue
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				res.requests.Add(1)
				if err != nil {
					res.fail("%s: reading: %v", p, err)
					continue
				}
				f := fetched{status: resp.StatusCode, body: b, etag: resp.Header.Get("ETag"), dataVersion: resp.Header.Get(server.DataVersionHeader)}
				if f.status >= 500 {
					res.fail("%s: %d %s", p, f.status, b)
					continue
				}
				if check != nil {
					if err := check(p, f); err != nil {
						res.fail("%s: %v", p, err)
					}
				}
			}
		}(g)
	}
	return res, wg.Wait
}

// TestSourcePostgresOutage cuts durand off PostgreSQL (every connection
// closed, the port refused) while requests run: no request fails, /readyz
// reports degraded with a reason while the database is away and ok once it
// is back, and a later UPDATE is served, all without restarting durand.
func TestSourcePostgresOutage(t *testing.T) {
	geotest.Long(t, "a database outage and reconnection with backoff")
	pg := pgSchemaLoad(t, "outage", "")
	proxy := newTCPProxy(t, fmt.Sprintf("127.0.0.1:%d", pg.Port()))
	dsn := fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable", proxy.addr)
	d := startServeArgs(t, "--source", dsn, "--db-schema", "outage", "--db-connect-timeout", "2s", "--no-warmup")
	checkOutage(t, pg, d, "outage", func() { proxy.Down() }, func() { proxy.Up(t) }, true)
}

// TestSourcePostgresRestart restarts PostgreSQL itself (an immediate stop,
// as in a crash, then a start on the same port) while requests run: no
// request fails, and /readyz is ok and a later UPDATE is served once it is
// back, without restarting durand.
func TestSourcePostgresRestart(t *testing.T) {
	geotest.Long(t, "a PostgreSQL restart")
	pg := pgSchemaLoad(t, "restart", "")
	d := startServeArgs(t, "--source", pg.DSN(), "--db-schema", "restart", "--db-connect-timeout", "2s", "--no-warmup")
	checkOutage(t, pg, d, "restart", func() {
		if err := pg.Restart(); err != nil {
			t.Fatal(err)
		}
	}, func() {}, false)
}

// checkOutage runs requests against d while down cuts it off its database
// (schema of pg) and up restores it. With wantDegraded, /readyz must say
// degraded while the database is away (a restart may be too quick to see).
func checkOutage(t *testing.T, pg *geotest.PostGIS, d *serveInstance, schema string, down, up func(), wantDegraded bool) {
	t.Helper()
	readyz := func() string { return string(fetch(t, d.base+"/readyz").body) }
	if s := readyz(); !bytes.Contains([]byte(s), []byte(`"status":"ok"`)) {
		t.Fatalf("/readyz before the outage: %s", s)
	}
	ctx, stop := context.WithCancel(context.Background())
	res, wait := traffic(ctx, 4, d.base, []string{"/collections/crossings/items/torkham", "/tiles/durand/5/21/12.mvt",
		"/collections/provinces/items?limit=5", "/locate?lon=71.1&lat=34.1", "/healthz", "/readyz"}, nil)
	defer func() { stop(); wait() }()

	time.Sleep(200 * time.Millisecond)
	down()
	if wantDegraded {
		if _, ok := waitFor(20*time.Second, func() bool { return bytes.Contains([]byte(readyz()), []byte(`"status":"degraded"`)) }); !ok {
			t.Fatalf("/readyz not degraded after the database went away: %s\n%s", readyz(), d.log)
		}
		t.Logf("while down: %s", readyz())
	}
	time.Sleep(time.Second) // a few reconnection attempts, requests still served
	if f := fetch(t, d.base+"/collections/crossings/items/torkham"); f.status != 200 {
		t.Errorf("item while the database is down: %d", f.status)
	}
	if f := fetch(t, d.base+"/healthz"); f.status != 200 {
		t.Errorf("/healthz while the database is down: %d", f.status)
	}
	up()
	if _, ok := waitFor(30*time.Second, func() bool { return bytes.Contains([]byte(readyz()), []byte(`"status":"ok"`)) }); !ok {
		t.Fatalf("/readyz not ok after the database came back: %s\n%s", readyz(), d.log)
	}
	const newName = "Torkham after the outage"
	pg.Exec(t, `UPDATE `+schema+`.crossings SET name = '`+newName+`' WHERE id = 'torkham'`)
	if _, ok := waitFor(notifyBudget(t), func() bool {
		return bytes.Contains(fetch(t, d.base+"/collections/crossings/items/torkham").body, []byte(newName))
	}); !ok {
		t.Fatalf("the UPDATE after the outage is not served\n%s", d.log)
	}
	stop()
	wait()
	if res.failures.Load() > 0 || res.requests.Load() == 0 {
		t.Errorf("%d of %d requests failed: %v", res.failures.Load(), res.requests.Load(), res.errs)
	}
	t.Logf("%d requests during the outage test, none failed", res.requests.Load())
	if wantDegraded && !d.log.logs("data source unreachable", "data source healthy again") {
		t.Errorf("outage not logged:\n%s", d.log)
	}
}

// editedCrossings writes into dir a copy of the embedded crossings file
// with Torkham renamed to name.
func editedCrossings(t *testing.T, dir, name string) {
	t.Helper()
	b, err := embeddedFile(geo.FileCrossings)
	if err != nil {
		t.Fatal(err)
	}
	nb := bytes.Replace(b, []byte(`"name":"Torkham"`), []byte(`"name":"`+name+`"`), 1)
	if bytes.Equal(nb, b) {
		t.Fatal("no Torkham name in the crossings file")
	}
	if err := os.WriteFile(filepath.Join(dir, geo.FileCrossings), nb, 0o644); err != nil {
		t.Fatal(err)
	}
}

// embeddedFile reads an embedded atlas file.
func embeddedFile(name string) ([]byte, error) {
	f, err := data.FS().Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// TestReloadUnderLoad swaps the data of a running server back and forth
// while requests run: none fails, and every answer is wholly the old or
// wholly the new data (its ETag and body agree with its data version).
func TestReloadUnderLoad(t *testing.T) {
	geotest.Long(t, "reloads under load")
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reg := prometheus.NewRegistry()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rl, err := server.NewLive(ctx, data.Source{Dir: dir}, server.LiveConfig{WarmZoom: 2,
		Server: server.Config{Registry: reg, Logger: log, BaseURL: "http://durand.test"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rl)
	defer srv.Close()

	// Tiles of single collections: those of every layer gain the zones a
	// few seconds after each swap (within one data version).
	paths := []string{"/collections/crossings/items/torkham", "/collections/crossings/items", "/tiles/crossings/8/178/102.mvt",
		"/tiles/provinces/2/2/1.mvt", "/healthz"}
	// The answers of each data version, learnt before and after the swaps.
	type answer struct {
		etag string
		body []byte
	}
	var known sync.Map // version + path -> answer
	// Right after a swap the tiles may still be the previous snapshot's
	// (not cacheable) while the new ones are built: learn waits for them.
	learn := func() string {
		v := rl.Version()
		for _, p := range paths {
			var f fetched
			if _, ok := waitFor(30*time.Second, func() bool { f = fetch(t, srv.URL+p); return f.dataVersion == v }); !ok {
				t.Fatalf("%s: data version %s, serving %s", p, f.dataVersion, v)
			}
			known.Store(v+" "+p, answer{f.etag, f.body})
		}
		return v
	}
	v0 := learn()
	editedCrossings(t, dir, "Torkham (v1)")
	if err := rl.Reload(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	v1 := learn()
	if v0 == v1 {
		t.Fatal("the edit did not change the data version")
	}
	os.Remove(filepath.Join(dir, geo.FileCrossings))
	if err := rl.Reload(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	if v := rl.Version(); v != v0 {
		t.Fatalf("back to the embedded crossings: version %s, want %s", v, v0)
	}

	lctx, stop := context.WithCancel(ctx)
	var old, newer atomic.Int64
	res, wait := traffic(lctx, 4, srv.URL, paths, func(p string, f fetched) error {
		a, ok := known.Load(f.dataVersion + " " + p)
		if !ok {
			return fmt.Errorf("unknown data version %q", f.dataVersion)
		}
		if want := a.(answer); f.etag != want.etag || !bytes.Equal(f.body, want.body) {
			return fmt.Errorf("answer of version %s has ETag %s, want %s (mixed data)", f.dataVersion, f.etag, want.etag)
		}
		if f.dataVersion == v0 {
			old.Add(1)
		} else {
			newer.Add(1)
		}
		return nil
	})
	for i := 0; i < 2; i++ {
		if i%2 == 0 {
			editedCrossings(t, dir, "Torkham (v1)")
		} else {
			os.Remove(filepath.Join(dir, geo.FileCrossings))
		}
		if err := rl.Reload(ctx, "test"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	wait()
	if res.failures.Load() > 0 || old.Load() == 0 || newer.Load() == 0 {
		t.Errorf("%d of %d requests failed (%d old, %d new): %v", res.failures.Load(), res.requests.Load(), old.Load(), newer.Load(), res.errs)
	}
	t.Logf("%d requests over 2 swaps: %d old data, %d new data, none failed or mixed", res.requests.Load(), old.Load(), newer.Load())

	// A reload that fails keeps the data and reports degraded.
	if err := os.WriteFile(filepath.Join(dir, geo.FileCrossings), []byte(`{"type":"FeatureCollection","features":[`), 0o644); err != nil {
		t.Fatal(err)
	}
	before := rl.Version()
	if err := rl.Reload(ctx, "test"); err == nil {
		t.Fatal("reload of a truncated crossings file succeeded")
	}
	if rl.Version() != before {
		t.Error("a failed reload replaced the snapshot")
	}
	if f := fetch(t, srv.URL+"/readyz"); f.status != 200 || !bytes.Contains(f.body, []byte(`"status":"degraded"`)) || !bytes.Contains(f.body, []byte("last reload failed")) {
		t.Errorf("/readyz after a failed reload: %d %s", f.status, f.body)
	}
	if f := fetch(t, srv.URL+"/collections/crossings/items/torkham"); f.status != 200 {
		t.Errorf("item after a failed reload: %d", f.status)
	}
	os.Remove(filepath.Join(dir, geo.FileCrossings))
	if err := rl.Reload(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	if f := fetch(t, srv.URL+"/readyz"); !bytes.Contains(f.body, []byte(`"status":"ok"`)) {
		t.Errorf("/readyz after a good reload: %s", f.body)
	}
	if err := rl.Reload(ctx, "test"); err != nil || rl.Version() != v0 {
		t.Errorf("unchanged reload: %v", err)
	}
	// The reloads above built several servers on one registry, which
	// works only through the shared metrics: a server registering its
	// own is refused.
	if _, err := server.New(server.Config{Atlas: rl.Atlas(), Registry: reg}); err == nil {
		t.Error("a second set of request metrics registered on the shared registry")
	}
}

// TestServeSIGHUP sends the test process a real SIGHUP while durand serve
// runs in it: the signal is caught and the data directory read again.
func TestServeSIGHUP(t *testing.T) {
	dir := t.TempDir()
	d := startServeArgs(t, "--data-dir", dir, "--no-warmup")
	before := fetch(t, d.base+"/collections/crossings/items/torkham")
	editedCrossings(t, dir, "Torkham (after SIGHUP)")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if _, ok := waitFor(30*time.Second, func() bool {
		return bytes.Contains(fetch(t, d.base+"/collections/crossings/items/torkham").body, []byte("Torkham (after SIGHUP)"))
	}); !ok {
		t.Fatalf("SIGHUP did not reload the data directory\n%s", d.log)
	}
	after := fetch(t, d.base+"/collections/crossings/items/torkham")
	if after.etag == before.etag || after.dataVersion == before.dataVersion {
		t.Errorf("ETag %s and data version %s unchanged", after.etag, after.dataVersion)
	}
	if !d.log.logs("SIGHUP: reloading the data", `"why":"SIGHUP"`) {
		t.Errorf("SIGHUP not logged:\n%s", d.log)
	}
}

// TestServeSkipInvalidLayers: a truncated installed districts file stops
// durand serve with an error naming it, unless --skip-invalid-layers,
// which serves without the layer after a warning.
func TestServeSkipInvalidLayers(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, geo.FileDistricts), []byte(`{"type":"FeatureCollection","features":[{"type":`), 0o644); err != nil {
		t.Fatal(err)
	}
	err := runServe(context.Background(), []string{"--addr", "127.0.0.1:0", "--data-dir", dir, "--no-warmup"}, io.Discard, io.Discard)
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte(geo.FileDistricts)) {
		t.Fatalf("serve with a truncated districts file: %v", err)
	}
	d := startServeArgs(t, "--data-dir", dir, "--no-warmup", "--skip-invalid-layers")
	if f := fetch(t, d.base+"/collections/districts"); f.status != http.StatusNotFound {
		t.Errorf("/collections/districts with the layer skipped: %d", f.status)
	}
	if f := fetch(t, d.base+"/collections/crossings/items/torkham"); f.status != 200 {
		t.Errorf("crossing: %d", f.status)
	}
	if !d.log.logs("warning", geo.FileDistricts) {
		t.Errorf("no warning naming the file:\n%s", d.log)
	}
}
