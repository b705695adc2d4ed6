package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkServeSource compares the same requests against durand serve
// with the embedded data and with --source postgres:// (the same atlas
// loaded by durand db load), both running in this process: cached tiles
// and an items page. It reports requests/s and the p99 latency over
// loopback with 8 concurrent clients.
//
//	go test ./cmd/durand -run '^$' -bench ServeSource -benchtime 5s
func BenchmarkServeSource(b *testing.B) {
	pg := testPG.Get(b)
	dir := b.TempDir()
	if code, _, stderr := runCmdB(b, "db", "load", "--dsn", pg.DSN(), "--schema", "bench", "--data-dir", dir); code != 0 {
		b.Fatalf("db load: %s", stderr)
	}
	servers := map[string]*serveInstance{
		"embedded": startServeArgs(b, "--data-dir", dir, "--tile-cache-mb", "64"),
		"postgres": startServeArgs(b, "--source", pg.DSN(), "--db-schema", "bench", "--tile-cache-mb", "64"),
	}
	workloads := map[string][]string{
		"tiles": {"/tiles/durand/5/21/12.mvt", "/tiles/durand/6/44/25.mvt", "/tiles/durand/7/88/51.mvt", "/tiles/durand/8/178/102.mvt"},
		"items": {"/collections/crossings/items?limit=10", "/collections/provinces/items?limit=5&offset=10", "/collections/crossings/items/torkham"},
	}
	// Wait for the start-up work (zones, tile warm-up) to finish: it
	// would otherwise compete with the first measurements.
	for _, s := range servers {
		fetch(b, s.base+"/tiles/zones.json")
	}
	time.Sleep(3 * time.Second)
	for _, w := range []string{"tiles", "items"} {
		paths := workloads[w]
		for _, src := range []string{"embedded", "postgres"} {
			s := servers[src]
			for _, p := range paths { // warm the caches
				fetch(b, s.base+p)
			}
			b.Run(w+"/"+src, func(b *testing.B) {
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
				var mu sync.Mutex
				var lat []time.Duration
				b.SetParallelism(4) // 4 × GOMAXPROCS clients
				start := time.Now()
				b.RunParallel(func(pb *testing.PB) {
					var mine []time.Duration
					i := 0
					for pb.Next() {
						t0 := time.Now()
						req, _ := http.NewRequest("GET", s.base+paths[i%len(paths)], nil)
						req.Header.Set("Accept-Encoding", "gzip")
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 200 {
							b.Errorf("%s: %d", paths[i%len(paths)], resp.StatusCode)
							return
						}
						mine = append(mine, time.Since(t0))
						i++
					}
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
				})
				elapsed := time.Since(start)
				slices.Sort(lat)
				if len(lat) > 0 {
					b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
					b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				}
			})
		}
	}
}

// BenchmarkNotifyVisible measures the time from an UPDATE of a crossing
// committed in PostgreSQL to the first request of a running durand serve
// (--source postgres://) that shows it in the item and in the tile: NOTIFY,
// debounce, read, parse, new server and its low-zoom tiles, swap.
//
//	go test ./cmd/durand -run '^$' -bench NotifyVisible -benchtime 5x
func BenchmarkNotifyVisible(b *testing.B) {
	pg := testPG.Get(b)
	dir := b.TempDir()
	if code, _, stderr := runCmdB(b, "db", "load", "--dsn", pg.DSN(), "--schema", "benchnotify", "--data-dir", dir); code != 0 {
		b.Fatalf("db load: %s", stderr)
	}
	s := startServeArgs(b, "--source", pg.DSN(), "--db-schema", "benchnotify")
	// Let the start-up work (zones, warm-up) finish first.
	fetch(b, s.base+"/tiles/zones.json")
	time.Sleep(2 * time.Second)
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		name := fmt.Sprintf("Torkham %d", i)
		t0 := time.Now()
		pg.Exec(b, `UPDATE benchnotify.crossings SET name = '`+name+`' WHERE id = 'torkham'`)
		for {
			f := fetch(b, s.base+"/collections/crossings/items/torkham")
			if f.status == 200 && bytes.Contains(f.body, []byte(name)) &&
				bytes.Contains(fetch(b, s.base+"/tiles/crossings/8/178/102.mvt").body, []byte(name)) {
				break
			}
			if time.Since(t0) > time.Minute {
				b.Fatal("the UPDATE was not served within a minute")
			}
			time.Sleep(5 * time.Millisecond)
		}
		total += time.Since(t0)
		b.StopTimer()
		fetch(b, s.base+"/tiles/zones.json") // the zones of the new data join in the background
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-visible")
}

// runCmdB is runCmd for benchmarks.
func runCmdB(tb testing.TB, args ...string) (int, string, string) {
	tb.Helper()
	tb.Setenv("DURAND_DATA_DIR", tb.TempDir()+"/none")
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}
