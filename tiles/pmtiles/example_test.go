package pmtiles_test

import (
	"bytes"
	"fmt"

	"github.com/durandline/durand/tiles/pmtiles"
)

// Write a small archive into memory and read a tile back.
func ExampleNewWriter() {
	var buf bytes.Buffer
	w, err := pmtiles.NewWriter(&buf, pmtiles.Options{
		TileCompression: pmtiles.CompressionNone,
		MinLon:          60.5, MinLat: 23.6, MaxLon: 77.8, MaxLat: 38.5,
		Metadata: map[string]any{"name": "example", "vector_layers": []any{}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Tiles may come in any order; equal contents are stored once.
	w.Add(1, 1, 0, []byte("north-east"))
	w.Add(0, 0, 0, []byte("world"))
	w.Add(1, 0, 0, []byte("same"))
	w.Add(1, 0, 1, []byte("same"))
	st, err := w.Close()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d tiles, %d entries, %d contents\n", st.Tiles, st.Entries, st.Contents)

	r, err := pmtiles.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		fmt.Println(err)
		return
	}
	tile, err := r.Tile(1, 1, 0)
	fmt.Printf("%s %v\n", tile, err)
	h := r.Header()
	fmt.Printf("zoom %d–%d, bounds %.1f,%.1f,%.1f,%.1f\n", h.MinZoom, h.MaxZoom, h.MinLon, h.MinLat, h.MaxLon, h.MaxLat)
	// Output:
	// 4 tiles, 3 entries, 3 contents
	// north-east <nil>
	// zoom 0–1, bounds 60.5,23.6,77.8,38.5
}

// Tile ids run along Hilbert curves, zoom by zoom.
func ExampleTileID() {
	for _, t := range [][3]uint32{{0, 0, 0}, {1, 0, 0}, {1, 0, 1}, {1, 1, 1}, {1, 1, 0}, {12, 3423, 1763}} {
		id, _ := pmtiles.TileID(uint8(t[0]), t[1], t[2])
		fmt.Printf("%d/%d/%d → %d\n", t[0], t[1], t[2], id)
	}
	// Output:
	// 0/0/0 → 0
	// 1/0/0 → 1
	// 1/0/1 → 2
	// 1/1/1 → 3
	// 1/1/0 → 4
	// 12/3423/1763 → 19078479
}
