package postgis_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/postgis"
	"github.com/durandline/durand/geo"
)

// benchSources are the atlases the benchmarks load: the embedded one and
// the one with installed districts.
func benchSources() []benchSource {
	return []benchSource{
		{"embedded", func(testing.TB) fs.FS { return data.FS() }},
		{"districts", districtsFS},
	}
}

type benchSource struct {
	name string
	fsys func(testing.TB) fs.FS
}

// BenchmarkLoad measures a full load (geo.Load check, zones, COPY, commit)
// of the embedded atlas and of the atlas with installed districts.
func BenchmarkLoad(b *testing.B) {
	for _, bc := range benchSources() {
		b.Run(bc.name, func(b *testing.B) {
			fsys := bc.fsys(b)
			_, conn := connect(b)
			b.ResetTimer()
			for b.Loop() {
				if _, err := postgis.Load(context.Background(), conn, fsys, postgis.Options{Schema: "b_load"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRead measures Read alone and Read followed by geo.Load (what a
// replica does on a change notification).
func BenchmarkRead(b *testing.B) {
	for _, bc := range benchSources() {
		b.Run(bc.name, func(b *testing.B) {
			fsys := bc.fsys(b)
			_, conn := connect(b)
			schema := "b_read_" + bc.name
			load(b, conn, fsys, schema)
			b.Run("read", func(b *testing.B) {
				var n int64
				for b.Loop() {
					out := read(b, conn, schema)
					n = 0
					for _, name := range postgis.Files() {
						if d, err := fs.ReadFile(out, name); err == nil {
							n += int64(len(d))
						}
					}
				}
				b.SetBytes(n)
			})
			b.Run("read+geo.Load", func(b *testing.B) {
				for b.Loop() {
					if _, err := geo.Load(read(b, conn, schema)); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
