package accesslog

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/server"
)

// syncBuffer is a bytes.Buffer safe for the flusher goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogBuffer(t *testing.T) {
	var out syncBuffer
	b := NewBuffer(context.Background(), &out, 20*time.Millisecond)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				fmt.Fprintf(b, "goroutine %d line %d\n", g, i)
			}
		}()
	}
	wg.Wait()
	// The periodic flush delivers without Close.
	deadline := time.Now().Add(2 * time.Second)
	for strings.Count(out.String(), "\n") < 4000 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := strings.Count(out.String(), "\n"); n != 4000 {
		t.Fatalf("%d lines flushed, want 4000", n)
	}
	fmt.Fprintln(b, "last")
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "last\n") {
		t.Error("Close did not flush the last line")
	}
	// Every line arrived whole.
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if l != "last" && !strings.HasPrefix(l, "goroutine ") {
			t.Fatalf("broken line %q", l)
		}
	}
	if err := b.Close(); err != nil { // twice is fine
		t.Fatal(err)
	}
}

// TestAccessHandlerMatchesSlog: the lines LogAccess writes are those the
// slog handler writes for the same record, in both formats, for plain and
// awkward strings alike.
func TestAccessHandlerMatchesSlog(t *testing.T) {
	at := time.Date(2026, 11, 27, 2, 30, 15, 123456789, time.FixedZone("X", 4*3600+1800))
	entries := []server.AccessEntry{
		{Method: "GET", Path: "/tiles/durand/8/181/104.mvt", Route: "/tiles/durand/{z}/{x}/{y}.{tileFormat}",
			Status: 200, Bytes: 5123, Duration: 41234 * time.Nanosecond, Remote: "127.0.0.1:50312", UserAgent: ""},
		{Method: "HEAD", Path: "/collections?f=html&x=a=b", Route: "unmatched", Status: 404, Bytes: 0,
			Duration: 3*time.Second + 5*time.Millisecond, Remote: "[::1]:8080", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)"},
		{Method: "GET", Path: "/a\"b\\c\td\ne\x01\x7f~<>&", Route: "r", Status: 500, Bytes: -1,
			Duration: 0, Remote: "", UserAgent: "curl/8.5.0"},
		{Method: "GET", Path: "/caf\u00e9/\u2028", Route: "unmatched", Status: 200, Duration: time.Microsecond,
			Remote: "1.2.3.4:5", UserAgent: "agent \xff"},
		{Method: "GET", Path: "/", Route: "/", Status: 304, Duration: 999 * time.Nanosecond, Remote: "x", UserAgent: "a=b"},
	}
	for _, json := range []bool{false, true} {
		for i, e := range entries {
			t.Run(fmt.Sprintf("json=%v/%d", json, i), func(t *testing.T) {
				var got, want bytes.Buffer
				h := NewHandler(&got, json)
				h.now = func() time.Time { return at }
				h.LogAccess(e)
				ref := NewHandler(&want, json)
				ref.now = h.now
				ref.slowAccess(e)
				if got.String() != want.String() {
					t.Errorf("LogAccess wrote\n%s\nslog writes\n%s", got.String(), want.String())
				}
			})
		}
	}
}

// BenchmarkAccessLog is the cost of one access-log line (text format).
func BenchmarkAccessLog(b *testing.B) {
	h := NewHandler(io.Discard, false)
	e := server.AccessEntry{Method: "GET", Path: "/tiles/durand/8/181/104.mvt", Route: "/tiles/durand/{z}/{x}/{y}.{tileFormat}",
		Status: 200, Bytes: 5123, Duration: 41234 * time.Nanosecond, Remote: "127.0.0.1:50312"}
	b.ReportAllocs()
	for b.Loop() {
		h.LogAccess(e)
	}
}

// BenchmarkAccessLogSlog is the same line through slog, for comparison.
func BenchmarkAccessLogSlog(b *testing.B) {
	l := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.ReportAllocs()
	for b.Loop() {
		l.LogAttrs(context.Background(), slog.LevelInfo, "request",
			slog.String("method", "GET"), slog.String("path", "/tiles/durand/8/181/104.mvt"),
			slog.String("route", "/tiles/durand/{z}/{x}/{y}.{tileFormat}"), slog.Int("status", 200),
			slog.Int("bytes", 5123), slog.Duration("duration", 41234*time.Nanosecond),
			slog.String("remote", "127.0.0.1:50312"), slog.String("user_agent", ""))
	}
}

// BenchmarkServeCachedTile serves a cached tile (zoom 8 over Torkham,
// gzip-coded, embedded atlas) through the handler of `durand serve`: the
// middleware, the access log of serve (accessHandler into a logBuffer,
// flushed to io.Discard) and the tile cache, with a writer that keeps
// nothing. bench/run measures the same over loopback beside nginx.
func BenchmarkServeCachedTile(b *testing.B) {
	a, err := data.Default()
	if err != nil {
		b.Fatal(err)
	}
	logw := NewBuffer(context.Background(), io.Discard, 200*time.Millisecond)
	defer logw.Close()
	h, err := server.New(server.Config{Atlas: a, Logger: slog.New(NewHandler(logw, false))})
	if err != nil {
		b.Fatal(err)
	}
	// Build the tiles (warming zoom 0 only: the warm-up runs again in the
	// background when the zones arrive, and must be over before timing),
	// then serve the tile until its entry is cached for the final data
	// version.
	if err := server.WarmTiles(context.Background(), h, 0); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/tiles/durand/8/178/102.mvt", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	w := geotest.NewDiscardResponse()
	var version string
	for range 600 { // at most a minute for the zones
		w.Reset()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
		tj := httptest.NewRecorder()
		h.ServeHTTP(tj, httptest.NewRequest("GET", "/tiles/durand.json", nil))
		if strings.Contains(tj.Body.String(), `"zones"`) && version == w.Header().Get("ETag") {
			break
		}
		version = w.Header().Get("ETag")
		time.Sleep(100 * time.Millisecond)
	}
	b.SetBytes(int64(w.Bytes))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w.Reset()
		h.ServeHTTP(w, req)
	}
	if w.Code != 200 {
		b.Fatalf("status %d", w.Code)
	}
}
