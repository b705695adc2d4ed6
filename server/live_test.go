package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/server"
)

// get answers a GET through h.
func get(h http.Handler, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	return w
}

// renameTorkham writes into dir the embedded crossings with Torkham renamed.
func renameTorkham(t *testing.T, dir, name string) {
	t.Helper()
	b, err := fs.ReadFile(data.FS(), geo.FileCrossings)
	if err != nil {
		t.Fatal(err)
	}
	nb := bytes.Replace(b, []byte(`"name":"Torkham"`), []byte(`"name":"`+name+`"`), 1)
	if bytes.Equal(nb, b) {
		t.Fatal("no Torkham in the crossings file")
	}
	if err := os.WriteFile(filepath.Join(dir, geo.FileCrossings), nb, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLive: every answer names the data version it was built from, and
// that version is the content hash of the files served; a reload of
// changed files swaps in their data, an unchanged one keeps the snapshot,
// a failed one or a lost source keeps the last good data and turns
// /readyz degraded until a reload succeeds.
func TestLive(t *testing.T) {
	t.Parallel() // its own data directory and server
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reg := prometheus.NewRegistry()
	l, err := server.NewLive(ctx, data.Source{Dir: dir}, server.LiveConfig{WarmZoom: -1, Buffers: server.SharedBuffers(), Server: server.Config{Registry: reg}})
	if err != nil {
		t.Fatal(err)
	}
	want0, err := geo.DataVersion(data.FS())
	if err != nil {
		t.Fatal(err)
	}
	check := func(step, version, torkham, status string) {
		t.Helper()
		if l.Version() != version {
			t.Errorf("%s: Version %s, want %s", step, l.Version(), version)
		}
		for _, p := range []string{"/collections/crossings/items/torkham", "/healthz", "/readyz", "/no/such/path"} {
			if got := get(l, p).Header().Get(server.DataVersionHeader); got != version {
				t.Errorf("%s: %s: %s %q, want %q", step, p, server.DataVersionHeader, got, version)
			}
		}
		if b := get(l, "/collections/crossings/items/torkham").Body.String(); !strings.Contains(b, `"name":"`+torkham+`"`) {
			t.Errorf("%s: Torkham is not named %q: %.200s", step, torkham, b)
		}
		if b := get(l, "/readyz").Body.String(); !strings.Contains(b, `"status":"`+status+`"`) || !strings.Contains(b, version) {
			t.Errorf("%s: /readyz %s, want status %s and version %s", step, b, status, version)
		}
		if got := l.Ready().Degraded; got != (status == "degraded") {
			t.Errorf("%s: Ready().Degraded %v", step, got)
		}
	}
	check("start", want0, "Torkham", "ok")

	renameTorkham(t, dir, "Torkham (edited)")
	if err := l.Reload(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	merged, err := data.Merged(dir)
	if err != nil {
		t.Fatal(err)
	}
	want1, err := geo.DataVersion(merged)
	if err != nil {
		t.Fatal(err)
	}
	if want1 == want0 {
		t.Fatal("the edit did not change the data version")
	}
	check("edited", want1, "Torkham (edited)", "ok")
	if err := l.Reload(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	check("unchanged", want1, "Torkham (edited)", "ok")

	if err := os.WriteFile(filepath.Join(dir, geo.FileCrossings), []byte(`{"type":"FeatureCollection","features":[`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := l.Reload(ctx, "test"); err == nil {
		t.Fatal("reload of a truncated file succeeded")
	}
	check("failed reload", want1, "Torkham (edited)", "degraded")
	// The reason names no path of the data directory (the log does).
	if b := get(l, "/readyz").Body.String(); strings.Contains(b, dir) || strings.Contains(b, geo.FileCrossings) {
		t.Errorf("/readyz shows the data directory: %s", b)
	}

	os.Remove(filepath.Join(dir, geo.FileCrossings))
	if err := l.Reload(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	check("back to the embedded file", want0, "Torkham", "ok")
	l.SourceLost(errors.New("failed to connect to `user=durand_admin database=atlas`: db.internal.example:5432: connection refused"))
	check("source lost", want0, "Torkham", "degraded")
	if b := get(l, "/readyz").Body.String(); strings.Contains(b, "durand_admin") || strings.Contains(b, "db.internal") || strings.Contains(b, "atlas`") {
		t.Errorf("/readyz shows the database user, name or host: %s", b)
	}
	if err := l.Reload(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	check("source back", want0, "Torkham", "ok")

	// The first load counts as a swap.
	for result, n := range map[string]float64{"swapped": 3, "unchanged": 2, "failed": 1} {
		if v := reloads(t, reg, result); v != n {
			t.Errorf("durand_data_reloads_total{result=%q} = %v, want %v", result, v, n)
		}
	}
	if _, err := server.NewLive(ctx, data.Source{Dir: dir}, server.LiveConfig{Server: server.Config{Atlas: l.Atlas()}}); !errors.Is(err, server.ErrConfig) {
		t.Errorf("NewLive with an Atlas: %v, want ErrConfig", err)
	}
	if _, err := server.NewLive(ctx, data.Source{Dir: filepath.Join(dir, "missing")}, server.LiveConfig{}); err == nil {
		t.Error("NewLive on a missing data directory succeeded")
	}
}

// reloads returns the count of durand_data_reloads_total with result.
func reloads(t *testing.T, reg *prometheus.Registry, result string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "durand_data_reloads_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "result" && lp.GetValue() == result {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// Serve the embedded data merged with a data directory, reloading it on
// demand (as `durand serve` does on SIGHUP).
func ExampleNewLive() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // ends the background work of the snapshots
	dir, err := os.MkdirTemp("", "durand-data")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	live, err := server.NewLive(ctx, data.Source{Dir: dir}, server.LiveConfig{WarmZoom: -1})
	if err != nil {
		log.Fatal(err)
	}
	w := httptest.NewRecorder()
	live.ServeHTTP(w, httptest.NewRequest("GET", "/collections/crossings/items/torkham", nil))
	fmt.Println(w.Code, w.Header().Get(server.DataVersionHeader) == live.Version())
	if err := live.Reload(ctx, "files changed"); err != nil { // unchanged: the same snapshot
		log.Fatal(err)
	}
	fmt.Println(live.Ready().Degraded)
	// Output:
	// 200 true
	// false
}

// TestLiveTilesFollow: a reload swaps the new data in without waiting for
// its tiles. Asked over and over from the moment Reload returns, the items
// are always the new data; a tile answer is either the new data's, or the
// previous data's marked no-store (never cacheable stale tiles), and the
// new tiles arrive within seconds.
func TestLiveTilesFollow(t *testing.T) {
	t.Parallel() // its own data directory and server
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := server.NewLive(ctx, data.Source{Dir: dir}, server.LiveConfig{WarmZoom: 3, Buffers: server.SharedBuffers()})
	if err != nil {
		t.Fatal(err)
	}
	v0 := l.Version()
	renameTorkham(t, dir, "Torkham (edited)")
	if err := l.Reload(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	v1 := l.Version()
	old, fresh := 0, 0
	for deadline := time.Now().Add(60 * time.Second); ; {
		if b := get(l, "/collections/crossings/items/torkham").Body.String(); !strings.Contains(b, "Torkham (edited)") {
			t.Fatalf("items after the swap: %.200s", b)
		}
		w := get(l, "/tiles/crossings/0/0/0.mvt")
		switch v := w.Header().Get(server.DataVersionHeader); {
		case v == v0 && w.Header().Get("Cache-Control") == "no-store":
			old++
		case v == v1:
			fresh++
		default:
			t.Fatalf("tile of version %s (old %s, new %s) with Cache-Control %q", v, v0, v1, w.Header().Get("Cache-Control"))
		}
		if fresh > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new tiles not served after 60 s (%d old answers)", old)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if w := get(l, "/tiles/crossings/0/0/0.mvt"); !strings.Contains(w.Body.String(), "Torkham (edited)") {
		t.Error("the new tile lacks the edit")
	}
	t.Logf("%d tile answers from the previous data before the new tiles", old)
}
