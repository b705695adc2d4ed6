package pmtiles

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// synthTile is one tile of a synthetic pyramid.
type synthTile struct {
	z    uint8
	x, y uint32
	data []byte
}

// synthPyramid returns every tile of zooms 0–maxZ in a window: a third of
// them with their own content, the others sharing one "sea" content, so
// that the archive has both deduplicated contents and runs.
func synthPyramid(maxZ uint8) []synthTile {
	var out []synthTile
	for z := uint8(0); z <= maxZ; z++ {
		n := uint32(1) << z
		for x := range n {
			for y := range n {
				data := []byte("sea")
				if (x+2*y)%3 == 0 {
					data = fmt.Appendf(nil, "tile %d/%d/%d %s", z, x, y, bytes.Repeat([]byte{byte(x), byte(y)}, int(z)))
				}
				out = append(out, synthTile{z, x, y, data})
			}
		}
	}
	return out
}

// writeArchive writes tiles (in reverse order, to exercise sorting) to a
// file and returns its path and stats.
func writeArchive(t testing.TB, tiles []synthTile, opt Options) (string, Stats) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.pmtiles")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if opt.TempDir == "" {
		opt.TempDir = t.TempDir()
	}
	w, err := NewWriter(f, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(tiles) - 1; i >= 0; i-- {
		tl := tiles[i]
		if err := w.Add(tl.z, tl.x, tl.y, tl.data); err != nil {
			t.Fatal(err)
		}
	}
	st, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() != st.Bytes {
		t.Fatalf("file size %v, stats say %d (%v)", fi.Size(), st.Bytes, err)
	}
	return path, st
}

func openArchive(t testing.TB, path string) *Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkArchive reads every tile back, checks the header counts against
// the directories and that the archive is clustered.
func checkArchive(t *testing.T, r *Reader, tiles []synthTile) {
	t.Helper()
	h := r.Header()
	for _, tl := range tiles {
		stored, err := r.Tile(tl.z, tl.x, tl.y)
		if err != nil {
			t.Fatalf("%d/%d/%d: %v", tl.z, tl.x, tl.y, err)
		}
		got, err := r.Decompress(stored)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, tl.data) {
			t.Fatalf("%d/%d/%d: %q, want %q", tl.z, tl.x, tl.y, got, tl.data)
		}
	}
	var addressed, entries uint64
	offsets := map[uint64]bool{}
	var next, lastID uint64
	err := r.Entries(func(e Entry) error {
		if entries > 0 && e.TileID <= lastID {
			return fmt.Errorf("entry %d out of order", e.TileID)
		}
		lastID = e.TileID
		addressed += uint64(e.RunLength)
		entries++
		if !offsets[e.Offset] {
			// clustered: a new blob follows the previous new one
			if e.Offset != next {
				return fmt.Errorf("entry %+v: new content at %d, want %d", e, e.Offset, next)
			}
			next += uint64(e.Length)
			offsets[e.Offset] = true
		} else if e.Offset >= next {
			return fmt.Errorf("entry %+v refers forward", e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if addressed != h.AddressedTiles || entries != h.TileEntries || uint64(len(offsets)) != h.TileContents || next != h.DataLength {
		t.Errorf("header counts %d/%d/%d data %d; directories %d/%d/%d data %d",
			h.AddressedTiles, h.TileEntries, h.TileContents, h.DataLength, addressed, entries, len(offsets), next)
	}
	if !h.Clustered || h.InternalCompression != CompressionGzip || h.TileType != TileTypeMVT {
		t.Errorf("header flags %+v", h)
	}
	if h.RootOffset != HeaderLen || h.RootOffset+h.RootLength > 16384 {
		t.Errorf("root directory at %d+%d", h.RootOffset, h.RootLength)
	}
	if h.MetadataOffset != h.RootOffset+h.RootLength || h.LeafOffset != h.MetadataOffset+h.MetadataLength || h.DataOffset != h.LeafOffset+h.LeafLength {
		t.Errorf("sections not in order: %+v", h)
	}
	if _, err := r.Tile(h.MaxZoom+1, 0, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("tile above max zoom: %v", err)
	}
}

func TestWriteRead(t *testing.T) {
	tiles := synthPyramid(6)
	for _, tc := range []struct {
		name   string
		opt    Options
		leaves bool
	}{
		{"gzip tiles", Options{}, false},
		{"uncompressed tiles", Options{TileCompression: CompressionNone}, false},
		{"leaf directories", Options{RootEntries: 8, LeafEntries: 50}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, st := writeArchive(t, tiles, tc.opt)
			r := openArchive(t, path)
			checkArchive(t, r, tiles)
			h := r.Header()
			if st.Tiles != len(tiles) || st.Entries >= st.Tiles || st.Contents >= st.Entries {
				t.Errorf("stats %+v: want runs and deduplication", st)
			}
			if (st.Leaves > 0) != tc.leaves || (h.LeafLength > 0) != tc.leaves {
				t.Errorf("leaves %d, leaf section %d bytes; want leaves %v", st.Leaves, h.LeafLength, tc.leaves)
			}
			want := tc.opt.TileCompression
			if want == CompressionUnknown {
				want = CompressionGzip
			}
			if h.TileCompression != want || h.MinZoom != 0 || h.MaxZoom != 6 {
				t.Errorf("header %+v", h)
			}
			if h.MinLon != -180 || h.MaxLon != 180 || h.MaxLat < 85.05 || h.MinLat > -85.05 {
				t.Errorf("default bounds %v %v %v %v", h.MinLon, h.MinLat, h.MaxLon, h.MaxLat)
			}
		})
	}
}

// TestLargeRoot writes enough distinct tiles that the root directory alone
// would exceed 16 KiB, so the writer must use leaf directories.
func TestLargeRoot(t *testing.T) {
	// Random gaps and lengths, so that the directory does not compress
	// away.
	rng := rand.New(rand.NewPCG(3, 4))
	var tiles []synthTile
	for x := range uint32(256) {
		for y := range uint32(256) {
			if rng.IntN(3) != 0 {
				tiles = append(tiles, synthTile{8, x, y, fmt.Appendf(nil, "%d,%d%s", x, y, bytes.Repeat([]byte{'.'}, rng.IntN(300)))})
			}
		}
	}
	path, st := writeArchive(t, tiles, Options{TileCompression: CompressionNone})
	if st.Leaves == 0 {
		t.Fatalf("no leaf directories for %d entries", st.Entries)
	}
	r := openArchive(t, path)
	checkArchive(t, r, tiles)
	if r.Header().RootLength > MaxRootBytes {
		t.Errorf("root directory of %d bytes", r.Header().RootLength)
	}
}

func TestHeaderOptions(t *testing.T) {
	meta := map[string]any{"name": "durand", "vector_layers": []map[string]any{{"id": "border", "fields": map[string]string{}}}}
	path, _ := writeArchive(t, synthPyramid(3)[1:], Options{
		MinLon: 60.5, MinLat: 23.6, MaxLon: 77.8, MaxLat: 38.5,
		CenterZoom: 9, Metadata: meta,
	})
	r := openArchive(t, path)
	h := r.Header()
	if h.MinZoom != 1 || h.MaxZoom != 3 || h.CenterZoom != 3 {
		t.Errorf("zooms %d–%d centre %d; want 1–3, centre clamped to 3", h.MinZoom, h.MaxZoom, h.CenterZoom)
	}
	if h.MinLon != 60.5 || h.MaxLat != 38.5 || h.CenterLon != (60.5+77.8)/2 || h.CenterLat != (23.6+38.5)/2 {
		t.Errorf("bounds/centre %+v", h)
	}
	b, err := r.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil || got["name"] != "durand" || got["vector_layers"] == nil {
		t.Errorf("metadata %s (%v)", b, err)
	}
}

func TestWriterErrors(t *testing.T) {
	newW := func(t *testing.T, opt Options) *Writer {
		opt.TempDir = t.TempDir()
		w, err := NewWriter(&bytes.Buffer{}, opt)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	t.Run("duplicate tile", func(t *testing.T) {
		w := newW(t, Options{})
		w.Add(3, 1, 1, []byte("a"))
		w.Add(3, 1, 1, []byte("b"))
		if _, err := w.Close(); !errors.Is(err, ErrDuplicateTile) || !bytes.Contains([]byte(err.Error()), []byte("3/1/1")) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("no tiles", func(t *testing.T) {
		if _, err := newW(t, Options{}).Close(); !errors.Is(err, ErrEmpty) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("bad address", func(t *testing.T) {
		if err := newW(t, Options{}).Add(2, 4, 0, []byte("a")); !errors.Is(err, ErrTileAddress) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("empty tile", func(t *testing.T) {
		if err := newW(t, Options{}).Add(2, 1, 0, nil); !errors.Is(err, ErrFormat) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("closed", func(t *testing.T) {
		w := newW(t, Options{})
		w.Add(0, 0, 0, []byte("a"))
		if _, err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Add(1, 0, 0, []byte("a")); !errors.Is(err, ErrClosed) {
			t.Errorf("Add after Close: %v", err)
		}
		if _, err := w.Close(); !errors.Is(err, ErrClosed) {
			t.Errorf("second Close: %v", err)
		}
	})
	t.Run("metadata not an object", func(t *testing.T) {
		w := newW(t, Options{Metadata: []int{1}})
		w.Add(0, 0, 0, []byte("a"))
		if _, err := w.Close(); err == nil {
			t.Error("no error")
		}
	})
	t.Run("brotli", func(t *testing.T) {
		if _, err := NewWriter(&bytes.Buffer{}, Options{TileCompression: CompressionBrotli}); !errors.Is(err, ErrUnsupported) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("abort removes the spool", func(t *testing.T) {
		dir := t.TempDir()
		w, err := NewWriter(&bytes.Buffer{}, Options{TempDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		w.Add(0, 0, 0, []byte("a"))
		w.Abort()
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("left %d files", len(ents))
		}
	})
}

func TestReaderErrors(t *testing.T) {
	path, _ := writeArchive(t, synthPyramid(2), Options{})
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(h *Header)) []byte {
		h, _ := ParseHeader(good)
		f(&h)
		hb, _ := h.MarshalBinary()
		return append(hb, good[HeaderLen:]...)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"truncated", good[:100], ErrFormat},
		{"root beyond end", mutate(func(h *Header) { h.RootLength = 1 << 40 }), ErrFormat},
		{"data beyond end", mutate(func(h *Header) { h.DataLength++ }), ErrFormat},
		{"empty root", mutate(func(h *Header) { h.RootLength = 0 }), ErrFormat},
		{"brotli directories", mutate(func(h *Header) { h.InternalCompression = CompressionBrotli }), ErrUnsupported},
		{"root not gzip", mutate(func(h *Header) { h.RootOffset++ }), ErrFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewReader(bytes.NewReader(tc.b), int64(len(tc.b))); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
