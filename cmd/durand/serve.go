package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/durandline/durand/cmd/durand/internal/server"
)

// HTTP server limits of `durand serve`.
const (
	serveReadHeaderTimeout = 5 * time.Second
	serveReadTimeout       = 30 * time.Second
	serveWriteTimeout      = 2 * time.Minute // downloads of large layers
	serveIdleTimeout       = 2 * time.Minute
	serveMaxHeaderBytes    = 16 << 10 // request line and headers
)

// runServe implements `durand serve`: the HTTP server of package server on
// --addr until ctx is done or SIGINT/SIGTERM arrives; in-flight requests
// then get --shutdown-timeout to finish.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on, host:port (port 0: any free port)")
	dataDir := fs.String("data-dir", "", "data directory with installed districts (default: see 'durand data path')")
	cors := fs.String("cors", "*", "comma-separated origins that browsers may read responses from (GET and HEAD only), or * for any")
	baseURL := fs.String("base-url", "", "public URL of the server root for links, e.g. https://example.org/durand behind a proxy (default: from each request's Host)")
	logFormat := fs.String("log-format", "text", "access and error log format on stderr: text or json")
	shutdown := fs.Duration("shutdown-timeout", 30*time.Second, "how long in-flight requests may run after SIGINT/SIGTERM")
	maplibre := fs.String("maplibre", "", "serve this local copy of MapLibre GL JS (the dist folder of the maplibre-gl npm package, 6.x) under /vendor/maplibre/ for the map page /map (default: the page loads MapLibre from its public CDN)")
	cacheMB := fs.Int("tile-cache-mb", 256, "memory for cached vector tiles, in MiB (0: no cache)")
	noWarmup := fs.Bool("no-warmup", false, "do not generate the vector tiles of zooms 0-6 into the cache at start-up")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	logw := newLogBuffer(ctx, stderr, 200*time.Millisecond)
	defer logw.Close()
	var logger *slog.Logger
	switch *logFormat {
	case "text":
		logger = slog.New(slog.NewTextHandler(logw, nil))
	case "json":
		logger = slog.New(slog.NewJSONHandler(logw, nil))
	default:
		return &usageError{fmt.Sprintf("--log-format %q: want text or json", *logFormat)}
	}
	var origins []string
	for _, o := range strings.Split(*cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}

	if *cacheMB < 0 || *cacheMB > 1<<20 {
		return &usageError{fmt.Sprintf("--tile-cache-mb %d: want 0 to %d", *cacheMB, 1<<20)}
	}
	cacheBytes := int64(*cacheMB) << 20
	if cacheBytes == 0 {
		cacheBytes = -1 // no cache
	}
	cfg := server.Config{BaseURL: *baseURL, CORSOrigins: origins, Logger: logger,
		TileCacheBytes: cacheBytes, MapLibreDir: *maplibre}
	if err := cfg.Validate(); err != nil {
		return &usageError{err.Error()}
	}
	// Listen first: a port in use is reported before the atlas is loaded.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	a, err := openAtlas(*dataDir)
	if err != nil {
		return err
	}
	cfg.Atlas = a
	// The zones take a second or more to compute: start now, in the
	// background. Requests that need them meanwhile wait for them.
	go func() {
		if err := a.PrepareZones(); err != nil {
			logger.Error("computing the crisis zones", "err", err)
		}
	}()
	h, err := server.New(cfg)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: serveReadHeaderTimeout,
		ReadTimeout:       serveReadTimeout,
		WriteTimeout:      serveWriteTimeout,
		IdleTimeout:       serveIdleTimeout,
		MaxHeaderBytes:    serveMaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	open := browseURL(ln.Addr(), *baseURL)
	fmt.Fprintf(stderr, "durand: serving %d layers on http://%s/\ndurand: open %s/?f=html in a browser (API: %s/api, collections: %s/collections)\n",
		len(a.Layers()), ln.Addr(), open, open, open)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if !*noWarmup && *cacheMB > 0 {
		// Tiles of low zooms, in the background; requests meanwhile are
		// served (tiles not yet warm are generated on demand).
		go func() {
			if err := server.WarmTiles(ctx, h, server.DefaultWarmZoom); err != nil && ctx.Err() == nil {
				logger.Error("tile warm-up failed", "err", err)
			}
		}()
	}
	return serveUntilDone(ctx, srv, ln, *shutdown, stderr)
}

// serveUntilDone serves ln until ctx is done, then shuts srv down: it stops
// accepting, lets in-flight requests finish within timeout, and returns
// nil once they have.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, timeout time.Duration, stderr io.Writer) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "durand: shutting down; waiting for in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// browseURL is the URL to open: the base URL, or the listening address
// with an unspecified host replaced by localhost.
func browseURL(addr net.Addr, base string) string {
	if base != "" {
		return strings.TrimRight(base, "/")
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
