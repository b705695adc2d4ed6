package pmtiles

import (
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
)

// BenchmarkWriter measures the writer alone: 20,000 tiles of zoom 12 of
// about 8 KB each (compressible, like MVT), half of them repeating one of
// 100 contents, added and written to io.Discard.
//
//	go test -run '^$' -bench BenchmarkWriter ./tiles/pmtiles
func BenchmarkWriter(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 20000
	words := []string{"border", "district", "province", "crossing", "Torkham", "Chaman", "name", "id"}
	content := func() []byte {
		var out []byte
		for len(out) < 8000 {
			out = fmt.Appendf(out, "%s:%d;", words[rng.IntN(len(words))], rng.IntN(4096))
		}
		return out
	}
	shared := make([][]byte, 100)
	for i := range shared {
		shared[i] = content()
	}
	data := make([][]byte, n)
	var bytes int64
	for i := range data {
		if i%2 == 0 {
			data[i] = shared[rng.IntN(len(shared))]
		} else {
			data[i] = content()
		}
		bytes += int64(len(data[i]))
	}
	for _, c := range []Compression{CompressionGzip, CompressionNone} {
		b.Run(c.String(), func(b *testing.B) {
			b.SetBytes(bytes)
			for b.Loop() {
				w, err := NewWriter(io.Discard, Options{TileCompression: c, TempDir: b.TempDir()})
				if err != nil {
					b.Fatal(err)
				}
				for i, d := range data {
					if err := w.Add(12, uint32(i%4096), uint32(i/4096), d); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "tiles/s")
		})
	}
}
