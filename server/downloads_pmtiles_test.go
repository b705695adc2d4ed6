package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/tiles/pmtiles"
)

// pmtilesServer is an httptest server over the test atlas (without the
// deferred layers, which take long to tile).
func pmtilesServer(t *testing.T) (*server, *httptest.Server) {
	t.Helper()
	s, h := tileServer(t, Config{})
	s.tiles.noDeferred = true
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return s, ts
}

// rangeReader is an io.ReaderAt over HTTP range requests, as a PMTiles
// client reads an archive; it counts its requests.
type rangeReader struct {
	t    *testing.T
	url  string
	mu   sync.Mutex
	reqs int
}

func (rr *rangeReader) ReadAt(p []byte, off int64) (int, error) {
	rr.mu.Lock()
	rr.reqs++
	rr.mu.Unlock()
	req, _ := http.NewRequest("GET", rr.url, nil)
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+int64(len(p))-1))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent {
		return 0, fmt.Errorf("range %s: status %d", req.Header.Get("Range"), resp.StatusCode)
	}
	want := fmt.Sprintf("bytes %d-%d/", off, off+int64(len(p))-1)
	if cr := resp.Header.Get("Content-Range"); !strings.HasPrefix(cr, want) {
		return 0, fmt.Errorf("Content-Range %q, want %s…", cr, want)
	}
	return io.ReadFull(resp.Body, p)
}

// TestPMTilesDownloadReader reads /downloads/durand.pmtiles through the
// project's PMTiles reader with range requests only, and checks that its
// tiles are those /tiles/durand/{z}/{x}/{y}.mvt serves.
func TestPMTilesDownloadReader(t *testing.T) {
	s, ts := pmtilesServer(t)
	url := ts.URL + pmtilesPath
	head, err := http.Head(url)
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	if head.StatusCode != 200 || head.Header.Get("Accept-Ranges") != "bytes" || head.Header.Get("Content-Type") != mediaPMTiles ||
		head.Header.Get("ETag") == "" || head.Header.Get("Last-Modified") == "" || head.Header.Get("Content-Encoding") != "" {
		t.Fatalf("HEAD: %d %v", head.StatusCode, head.Header)
	}
	size, err := strconv.ParseInt(head.Header.Get("Content-Length"), 10, 64)
	if err != nil || size < pmtiles.HeaderLen {
		t.Fatalf("HEAD: Content-Length %q", head.Header.Get("Content-Length"))
	}

	rr := &rangeReader{t: t, url: url}
	rd, err := pmtiles.NewReader(rr, size)
	if err != nil {
		t.Fatal(err)
	}
	h := rd.Header()
	if h.TileType != pmtiles.TileTypeMVT || h.MinZoom != 0 || h.MaxZoom != pmtilesMaxZoom || h.TileCompression != pmtiles.CompressionGzip {
		t.Errorf("header: %+v", h)
	}
	md, err := rd.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		VectorLayers []struct {
			ID      string `json:"id"`
			MaxZoom int    `json:"maxzoom"`
		} `json:"vector_layers"`
		Attribution string `json:"attribution"`
	}
	if err := json.Unmarshal(md, &meta); err != nil || len(meta.VectorLayers) == 0 || meta.Attribution == "" {
		t.Fatalf("metadata %s: %v", md, err)
	}
	for _, v := range meta.VectorLayers {
		if v.MaxZoom > pmtilesMaxZoom {
			t.Errorf("layer %s: maxzoom %d beyond the archive's %d", v.ID, v.MaxZoom, pmtilesMaxZoom)
		}
	}

	checked := 0
	for _, z := range []uint32{0, 3, 6, pmtilesMaxZoom} {
		id := tileAt(t, s, 71.09, 34.11, z) // Torkham
		stored, err := rd.Tile(uint8(id.Z), id.X, id.Y)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		got, err := rd.Decompress(stored)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(ts.URL + "/tiles/durand/" + id.String() + ".mvt")
		if err != nil {
			t.Fatal(err)
		}
		want, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(got, want) {
			t.Errorf("%s: archive tile of %d bytes, /tiles gives %d (%d bytes)", id, len(got), resp.StatusCode, len(want))
		}
		checked++
	}
	if checked == 0 || rr.reqs > 20 {
		t.Errorf("%d tiles checked with %d range requests", checked, rr.reqs)
	}
	// Beyond the archive's zooms there is no tile.
	id := tileAt(t, s, 71.09, 34.11, pmtilesMaxZoom+1)
	if _, err := rd.Tile(uint8(id.Z), id.X, id.Y); err == nil {
		t.Errorf("%s: in the archive", id)
	}
}

// TestPMTilesDownloadHTTP checks the HTTP semantics: ranges, 416,
// If-Range, conditional requests, HEAD, no content coding, one build for
// concurrent first requests.
func TestPMTilesDownloadHTTP(t *testing.T) {
	s, ts := pmtilesServer(t)
	url := ts.URL + pmtilesPath

	// Concurrent first requests: one build.
	var wg sync.WaitGroup
	bodies := make([][]byte, 4)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := http.DefaultTransport.RoundTrip(req) // no transparent decoding
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" {
				t.Errorf("GET: %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
			}
			bodies[i], _ = io.ReadAll(resp.Body)
		}()
	}
	wg.Wait()
	full := bodies[0]
	for i, b := range bodies {
		if !bytes.Equal(b, full) {
			t.Fatalf("body %d differs", i)
		}
	}
	first := s.tiles.pmtiles.cur
	if !bytes.Equal(first.body, full) {
		t.Fatal("the archive served is not the one kept")
	}
	etag, size := first.etag, len(full)
	lastMod := first.built.Format(http.TimeFormat)

	do := func(method string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, url, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	for _, c := range []struct {
		name         string
		method       string
		header       []string
		status       int
		body         []byte // nil: not checked
		contentRange string
	}{
		{"whole", "GET", nil, 200, full, ""},
		{"head", "HEAD", nil, 200, []byte{}, ""},
		{"first bytes", "GET", []string{"Range", "bytes=0-126"}, 206, full[:127], fmt.Sprintf("bytes 0-126/%d", size)},
		{"head range", "HEAD", []string{"Range", "bytes=0-126"}, 206, []byte{}, fmt.Sprintf("bytes 0-126/%d", size)},
		{"open range", "GET", []string{"Range", fmt.Sprintf("bytes=%d-", size-10)}, 206, full[size-10:], fmt.Sprintf("bytes %d-%d/%d", size-10, size-1, size)},
		{"suffix", "GET", []string{"Range", "bytes=-5"}, 206, full[size-5:], fmt.Sprintf("bytes %d-%d/%d", size-5, size-1, size)},
		{"end clamped", "GET", []string{"Range", fmt.Sprintf("bytes=%d-%d", size-3, size+100)}, 206, full[size-3:], fmt.Sprintf("bytes %d-%d/%d", size-3, size-1, size)},
		{"beyond the end", "GET", []string{"Range", fmt.Sprintf("bytes=%d-", size)}, 416, nil, fmt.Sprintf("bytes */%d", size)},
		{"malformed range", "GET", []string{"Range", "bytes=z-1"}, 416, nil, ""}, // RFC 9110 14.2: may reject
		{"17 ranges", "GET", []string{"Range", "bytes=" + strings.Repeat("0-0,", 16) + "0-0"}, 416, nil, fmt.Sprintf("bytes */%d", size)},
		{"3,000 ranges", "GET", []string{"Range", "bytes=" + strings.Repeat("0-1,", 3000) + "0-1"}, 416, nil, fmt.Sprintf("bytes */%d", size)},
		{"long Range header", "GET", []string{"Range", "bytes=0-" + strings.Repeat("0", 1100) + "9"}, 416, nil, fmt.Sprintf("bytes */%d", size)},
		{"if-range etag matches", "GET", []string{"Range", "bytes=0-9", "If-Range", etag}, 206, full[:10], fmt.Sprintf("bytes 0-9/%d", size)},
		{"if-range etag differs", "GET", []string{"Range", "bytes=0-9", "If-Range", `"other"`}, 200, full, ""},
		{"if-range date matches", "GET", []string{"Range", "bytes=0-9", "If-Range", lastMod}, 206, full[:10], fmt.Sprintf("bytes 0-9/%d", size)},
		{"if-range old date", "GET", []string{"Range", "bytes=0-9", "If-Range", "Mon, 02 Jan 2006 15:04:05 GMT"}, 200, full, ""},
		{"if-none-match", "GET", []string{"If-None-Match", etag}, 304, []byte{}, ""},
		{"if-match other", "GET", []string{"Range", "bytes=0-9", "If-Match", `"other"`}, 412, nil, ""},
		{"if-match", "GET", []string{"Range", "bytes=0-9", "If-Match", etag}, 206, full[:10], fmt.Sprintf("bytes 0-9/%d", size)},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := do(c.method, c.header...)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			if c.body != nil && !bytes.Equal(body, c.body) {
				t.Errorf("body of %d bytes, want %d", len(body), len(c.body))
			}
			if got := resp.Header.Get("Content-Range"); got != c.contentRange {
				t.Errorf("Content-Range %q, want %q", got, c.contentRange)
			}
			if c.status == 200 || c.status == 206 {
				if resp.Header.Get("ETag") != etag || resp.Header.Get("Accept-Ranges") != "bytes" || resp.Header.Get("Last-Modified") != lastMod {
					t.Errorf("validators: %v", resp.Header)
				}
				if resp.Header.Get("Content-Type") != mediaPMTiles {
					t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
				}
			}
		})
	}

	// Two ranges: multipart/byteranges with both parts.
	resp, body := do("GET", "Range", "bytes=0-9,20-29")
	if resp.StatusCode != 206 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "multipart/byteranges") ||
		!bytes.Contains(body, full[:10]) || !bytes.Contains(body, full[20:30]) {
		t.Errorf("two ranges: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Up to maxRanges ranges are served (more are refused, above).
	if resp, _ := do("GET", "Range", "bytes="+strings.Repeat("0-0,", maxRanges-1)+"0-0"); resp.StatusCode != 206 ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "multipart/byteranges") {
		t.Errorf("%d ranges: %d %q", maxRanges, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// A query parameter is refused, as on every route.
	if resp, _ := http.Get(url + "?f=json"); resp.StatusCode != 400 {
		t.Errorf("?f=json: %d, want 400", resp.StatusCode)
	}
	// The archive is built once per data version.
	if s.tiles.pmtiles.cur != first {
		t.Error("the archive was built again for the same data")
	}
	// A new data version: built again, once.
	st := s.tiles.state.Load()
	s.tiles.publish(st.Base, st.Deferred, []byte("other data"), nil, false)
	var builds []*pmtilesArchive
	for range 2 {
		if resp, _ := do("HEAD"); resp.StatusCode != 200 {
			t.Fatalf("HEAD after a new data version: %d", resp.StatusCode)
		}
		builds = append(builds, s.tiles.pmtiles.cur)
	}
	if builds[0] == first || builds[0].version == first.version || builds[1] != builds[0] {
		t.Error("the archive was not built again, once, for the new data version")
	}
	// Listed with the downloads, on the landing page and on the map.
	for _, path := range []string{"/downloads", "/", "/map", "/api"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Contains(b, []byte(pmtilesPath)) {
			t.Errorf("%s does not list %s", path, pmtilesPath)
		}
	}
}

// TestPMTilesDownloadVerify runs go-pmtiles' verify on the downloaded
// archive.
func TestPMTilesDownloadVerify(t *testing.T) {
	tool := geotest.RequireTool(t, "pmtiles", "go-pmtiles")
	_, ts := pmtilesServer(t)
	resp, err := http.Get(ts.URL + pmtilesPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	f := filepath.Join(t.TempDir(), "durand.pmtiles")
	if err := os.WriteFile(f, body, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, tool, "verify", f).CombinedOutput(); err != nil {
		t.Errorf("pmtiles verify: %v\n%s", err, out)
	}
}
