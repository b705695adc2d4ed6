package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb/encoding/mvt"

	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/tiles/pmtiles"
)

// rangeReader is an io.ReaderAt over HTTP Range requests, the way a
// browser's PMTiles client reads an archive from a static host or CDN.
type rangeReader struct {
	url      string
	requests atomic.Int64
}

func (r *rangeReader) ReadAt(p []byte, off int64) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	req, err := http.NewRequest(http.MethodGet, r.url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+int64(len(p))-1))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	r.requests.Add(1)
	if resp.StatusCode != http.StatusPartialContent {
		return 0, fmt.Errorf("range %s: status %d, want 206", req.Header.Get("Range"), resp.StatusCode)
	}
	n, err := io.ReadFull(resp.Body, p)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return n, err
}

// startNginx serves dir on a loopback port with nginx (in the foreground,
// stopped at the end of the test) and returns its base URL.
func startNginx(t *testing.T, dir string) string {
	t.Helper()
	bin := geotest.RequireTool(t, "nginx")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	prefix := t.TempDir()
	if err := os.MkdirAll(filepath.Join(prefix, "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[1]s/tmp/body;
    proxy_temp_path %[1]s/tmp/proxy;
    fastcgi_temp_path %[1]s/tmp/fastcgi;
    uwsgi_temp_path %[1]s/tmp/uwsgi;
    scgi_temp_path %[1]s/tmp/scgi;
    types { application/vnd.pmtiles pmtiles; }
    server {
        listen 127.0.0.1:%[2]d;
        root %[3]s;
    }
}
`, prefix, port, dir)
	confPath := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", prefix, "-e", filepath.Join(prefix, "error.log"), "-c", confPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting nginx: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	if _, ok := waitFor(15*time.Second, func() bool {
		resp, err := http.Get(base + "/")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	}); !ok {
		errLog, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
		t.Fatalf("nginx did not start: %s\n%s", stderr.String(), errLog)
	}
	return base
}

// TestStaticScaleOut is the static scale-out path: durand tiles writes a
// PMTiles archive, nginx serves it as a plain file, and the PMTiles reader
// reads it back through HTTP Range requests, as a map client behind a CDN
// would; every tile equals the one durand serve answers.
func TestStaticScaleOut(t *testing.T) {
	dataDir := t.TempDir()
	// Not under t.TempDir (mode 0700): nginx's workers run as another
	// user when the tests run as root.
	static, err := os.MkdirTemp("", "durand-static-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(static) })
	if err := os.Chmod(static, 0o755); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(static, "durand.pmtiles")
	// Every layer but the zones, whose tileset takes seconds to build.
	const layers = "border,countries,provinces,crossings,events"
	if code, _, stderr := runCmd(t, "tiles", "--out", archive, "--maxzoom", "3", "--layers", layers, "--data-dir", dataDir, "--workers", "2"); code != 0 {
		t.Fatalf("durand tiles: exit %d\n%s", code, stderr)
	}
	if err := os.Chmod(archive, 0o644); err != nil {
		t.Fatal(err)
	}
	base := startNginx(t, static)
	resp, err := http.Head(base + "/durand.pmtiles")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength <= 0 || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("HEAD of the archive: %d, %d bytes, Accept-Ranges %q", resp.StatusCode, resp.ContentLength, resp.Header.Get("Accept-Ranges"))
	}
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lr, err := pmtiles.NewReader(f, resp.ContentLength)
	if err != nil {
		t.Fatal(err)
	}
	rr := &rangeReader{url: base + "/durand.pmtiles"}
	r, err := pmtiles.NewReader(rr, resp.ContentLength)
	if err != nil {
		t.Fatal(err)
	}
	d := startServeArgs(t, "--data-dir", dataDir, "--no-warmup")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	n := 0
	err = eachTile(r, func(z uint8, x, y uint32, stored, got []byte) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		local, err := lr.Tile(z, x, y)
		if err != nil {
			return err
		}
		if !bytes.Equal(stored, local) {
			t.Errorf("tile %d/%d/%d: %d bytes through nginx, %d in the file", z, x, y, len(stored), len(local))
		}
		// The server's tiles have the same layers and features (and the
		// zones, which the archive leaves out, so the tiles are not
		// byte-identical).
		want := fetch(t, fmt.Sprintf("%s/tiles/durand/%d/%d/%d.mvt", d.base, z, x, y))
		if want.status != 200 {
			t.Errorf("tile %d/%d/%d: in the archive, durand serve answers %d", z, x, y, want.status)
			return nil
		}
		// The events are tiled one layer per kind of geometry (events,
		// events_lines, events_areas), in the archive as in the server.
		only := append(strings.Split(layers, ","), "events_lines", "events_areas")
		if g, w := layerCounts(t, got, only), layerCounts(t, want.body, only); g != w {
			t.Errorf("tile %d/%d/%d: layers and features %s through nginx, %s from durand serve", z, x, y, g, w)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Errorf("only %d tiles in the archive", n)
	}
	// A tile outside the data is absent from the archive and empty (204)
	// from the server.
	if _, err := r.Tile(3, 0, 0); err == nil {
		t.Error("tile 3/0/0 present in the archive")
	}
	if f := fetch(t, d.base+"/tiles/durand/3/0/0.mvt"); f.status != http.StatusNoContent {
		t.Errorf("server tile 3/0/0: %d", f.status)
	}
	t.Logf("%d tiles read through %d Range requests to nginx, equal to the file's, same layers and features as durand serve's", n, rr.requests.Load())
}

// layerCounts describes the layers of an MVT tile and their feature
// counts, e.g. "border:1 crossings:10"; with only set, only those layers
// and their labels.
func layerCounts(t *testing.T, tile []byte, only []string) string {
	t.Helper()
	ls, err := mvt.Unmarshal(tile)
	if err != nil {
		t.Fatalf("decoding a tile: %v", err)
	}
	var b bytes.Buffer
	for _, l := range ls {
		if only != nil && !slices.Contains(only, strings.TrimSuffix(l.Name, "_label")) {
			continue
		}
		fmt.Fprintf(&b, "%s:%d ", l.Name, len(l.Features))
	}
	return b.String()
}
