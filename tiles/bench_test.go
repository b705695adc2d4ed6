package tiles

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time so far. The benchmarks
// report throughput per CPU-second besides per wall-second, because the
// latter is meaningless on a machine shared with other work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchLayers is the realistic benchmark dataset: the project's atlas
// layers plus, when the shared third-party data is available, the full
// geoBoundaries/OCHA district boundaries (about 195,000 vertices) as a
// districts layer with labels.
func benchLayers(b *testing.B) []Layer {
	ls := projectLayers(b)
	for _, l := range ls {
		if l.Name == "districts" {
			return ls
		}
	}
	if fileExists(repoRoot(b) + "/../shared/data/" + "geoboundaries-afg-adm2/geoBoundaries-AFG-ADM2.geojson") {
		d := append(afgDistricts(b), pakDistricts(b)...)
		ls = append(ls, Layer{Name: "districts", Features: d, Labels: true, MinZoom: 6})
	}
	return ls
}

func benchTileset(b *testing.B) *Tileset {
	b.Helper()
	ts, err := NewTileset(benchLayers(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	return ts
}

func BenchmarkNewTileset(b *testing.B) {
	ls := benchLayers(b)
	vertices := 0
	for _, l := range ls {
		for _, f := range l.Features {
			vertices += countVertices(f.Geometry)
		}
	}
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := NewTileset(ls, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(vertices), "vertices")
}

// BenchmarkTile generates, per zoom, every non-empty tile of a window
// around the border on one goroutine and reports tiles per second.
func BenchmarkTile(b *testing.B) {
	ts := benchTileset(b)
	for _, z := range []uint32{0, 2, 4, 6, 8, 10, 12, 14} {
		// a window of up to 8x8 tiles centred on the Khyber Pass
		c := ts.TileAt(71.1, 34.1, z)
		var ids []TileID
		n := uint32(1) << z
		for x := max(int(c.X)-4, 0); x < min(int(c.X)+4, int(n)); x++ {
			for y := max(int(c.Y)-4, 0); y < min(int(c.Y)+4, int(n)); y++ {
				if _, err := ts.Tile(z, uint32(x), uint32(y)); err == nil {
					ids = append(ids, TileID{z, uint32(x), uint32(y)})
				} else if !errors.Is(err, ErrEmpty) {
					b.Fatal(err)
				}
			}
		}
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			var bytes int
			tiles := 0
			cpu0 := cpuTime()
			for b.Loop() {
				for _, id := range ids {
					data, err := ts.Tile(id.Z, id.X, id.Y)
					if err != nil {
						b.Fatal(err)
					}
					bytes += len(data)
					tiles++
				}
			}
			b.ReportMetric(float64(tiles)/b.Elapsed().Seconds(), "tiles/s")
			b.ReportMetric(float64(tiles)/(cpuTime()-cpu0).Seconds(), "tiles/cpu-s")
			b.ReportMetric(float64(bytes)/float64(tiles), "B/tile")
		})
	}
}

// BenchmarkPyramid walks the full z0–z12 pyramid with the default worker
// pool (one worker per CPU) and reports tiles per second.
func BenchmarkPyramid(b *testing.B) {
	ts := benchTileset(b)
	for _, workers := range []int{1, 0} {
		name := "workers=GOMAXPROCS"
		if workers == 1 {
			name = "workers=1"
		}
		b.Run(name, func(b *testing.B) {
			var st WalkStats
			cpu0 := cpuTime()
			for b.Loop() {
				var err error
				st, err = ts.Walk(context.Background(), WalkOptions{Zooms: ZoomRange(0, 12), Workers: workers}, func(TileID, []byte) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Tiles+st.Empty)*float64(b.N)/b.Elapsed().Seconds(), "tiles/s")
			b.ReportMetric(float64(st.Tiles+st.Empty)*float64(b.N)/(cpuTime()-cpu0).Seconds(), "tiles/cpu-s")
			b.ReportMetric(float64(st.Tiles), "tiles")
			b.ReportMetric(float64(st.Bytes)/float64(st.Tiles), "B/tile")
		})
	}
}
