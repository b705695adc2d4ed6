package geo_test

import (
	"context"
	"io/fs"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
)

// Benchmarks of the crisis layers. Run them with
//
//	go test ./geo -run '^$' -bench 'Crisis|Zones|Summary|CrossingStatus|Events' -benchtime 2s
//
// The zone benchmarks use the atlas with the districts installed from
// ../shared/data, as a server would, and measure calls after warm-up (the
// zones are computed once per atlas).

// benchCrisis holds, for the benchmarks, an atlas with the districts
// installed (as BenchmarkLoadWithDistricts does) and its zones computed.
// The atlas is in memory: the install directory may go with the first
// benchmark's TempDir.
var benchCrisis struct {
	once sync.Once
	a    *geo.Atlas
	err  error
}

// installDistricts installs the districts from ../shared/data into a
// temporary directory of b.
func installDistricts(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	if _, err := data.Install(context.Background(), data.InstallOptions{From: geotestShared(b), Dir: dir, Provinces: data.FS()}); err != nil {
		b.Fatal(err)
	}
	return dir
}

func crisisAtlas(b *testing.B) *geo.Atlas {
	b.Helper()
	benchCrisis.once.Do(func() {
		benchCrisis.a, benchCrisis.err = data.Open(installDistricts(b))
		if benchCrisis.err == nil {
			benchCrisis.err = benchCrisis.a.PrepareZones()
		}
	})
	if benchCrisis.a == nil && benchCrisis.err == nil {
		b.Fatal("districts not installed")
	}
	if benchCrisis.err != nil {
		b.Fatal(benchCrisis.err)
	}
	return benchCrisis.a
}

var benchDays = []time.Time{day("2025-10-11"), day("2025-10-15"), day("2025-10-24"), day("2025-11-05"), day("2025-11-24"), day("2025-12-06"), day("2026-02-27")}

func BenchmarkZonesAt(b *testing.B) {
	a := crisisAtlas(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := a.ZonesAt(benchDays[i%len(benchDays)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkSummary(b *testing.B) {
	a := crisisAtlas(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := a.Summary(benchDays[i%len(benchDays)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkCrossingStatus(b *testing.B) {
	a := crisisAtlas(b)
	i := 0
	for b.Loop() {
		if _, err := a.CrossingStatus("torkham", benchDays[i%len(benchDays)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkEventsBetween(b *testing.B) {
	a := crisisAtlas(b)
	for b.Loop() {
		if _, err := a.EventsBetween(day("2025-10-11"), day("2025-10-20")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPrepareZones computes every zone of the atlas with districts
// (a band per event and side along its stretch) from scratch.
func BenchmarkPrepareZones(b *testing.B) {
	dir := installDistricts(b)
	for b.Loop() {
		b.StopTimer()
		a, err := data.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := a.PrepareZones(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadCrisisFiles measures what the crisis files add to Load: the
// embedded atlas with and without events.csv, crossing-status.csv and
// places.csv.
func BenchmarkLoadCrisisFiles(b *testing.B) {
	with := fstest.MapFS{}
	without := fstest.MapFS{}
	err := fs.WalkDir(data.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(data.FS(), path)
		if err != nil {
			return err
		}
		with[path] = &fstest.MapFile{Data: body}
		if path != geo.FileEvents && path != geo.FileCrossingStatus && path != geo.FilePlaces {
			without[path] = &fstest.MapFile{Data: body}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		fsys fs.FS
	}{{"without", without}, {"with", with}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := geo.Load(tc.fsys); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
