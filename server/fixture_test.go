package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/zonecache"
	"github.com/durandline/durand/geo"
)

// The test atlas: a border from (61, 29.5) to (71, 36) with Afghanistan
// north-west of it and Pakistan south-east, two provinces on each side
// split at 66°E, three crossings on the line and, optionally, districts.

type fc struct {
	Type     string    `json:"type"`
	Features []feature `json:"features"`
}

type feature struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Properties map[string]any `json:"properties"`
	Geometry   map[string]any `json:"geometry"`
}

func poly(ring ...[2]float64) map[string]any {
	return map[string]any{"type": "MultiPolygon", "coordinates": [][][][2]float64{{ring}}}
}

func mustJSON(t testing.TB, v any) *fstest.MapFile {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return &fstest.MapFile{Data: b}
}

// fixtureFS returns the files of the test atlas; nDistricts small square
// districts are added (0: none installed) plus, when nDistricts > 0, two
// named districts in Kandahar and one in Balochistan.
func fixtureFS(t testing.TB, nDistricts int) fstest.MapFS {
	t.Helper()
	line := [][2]float64{{61, 29.5}, {63, 29.5}, {66, 31}, {69, 33}, {71, 36}}
	border := fc{"FeatureCollection", []feature{{"Feature", "durand_line",
		map[string]any{"id": "durand_line", "name": "Durand Line", "from": "IRN-AFG-PAK", "to": "CHN-AFG-PAK"},
		map[string]any{"type": "LineString", "coordinates": line}}}}
	countries := fc{"FeatureCollection", []feature{
		{"Feature", "AFG", map[string]any{"id": "AFG", "name": "Afghanistan", "iso3": "AFG"},
			poly([2]float64{61, 29.5}, [2]float64{63, 29.5}, [2]float64{66, 31}, [2]float64{69, 33}, [2]float64{71, 36}, [2]float64{71, 38}, [2]float64{61, 38}, [2]float64{61, 29.5})},
		{"Feature", "PAK", map[string]any{"id": "PAK", "name": "Pakistan", "iso3": "PAK"},
			poly([2]float64{61, 29.5}, [2]float64{61, 24}, [2]float64{71, 24}, [2]float64{71, 36}, [2]float64{69, 33}, [2]float64{66, 31}, [2]float64{63, 29.5}, [2]float64{61, 29.5})},
	}}
	prov := func(id, name, country, iso string, ring ...[2]float64) feature {
		return feature{"Feature", id, map[string]any{"id": id, "name": name, "alt_names": []string{}, "country": country,
			"iso_3166_2": iso, "note": "", "history": ""}, poly(ring...)}
	}
	provinces := fc{"FeatureCollection", []feature{
		prov("AFG-1", "Herat", "AFG", "AF-HER", [2]float64{61, 29.5}, [2]float64{63, 29.5}, [2]float64{66, 31}, [2]float64{66, 38}, [2]float64{61, 38}, [2]float64{61, 29.5}),
		prov("AFG-1741", "Kandahar", "AFG", "AF-KAN", [2]float64{66, 31}, [2]float64{69, 33}, [2]float64{71, 36}, [2]float64{71, 38}, [2]float64{66, 38}, [2]float64{66, 31}),
		prov("PAK-1", "Balochistan", "PAK", "PK-BA", [2]float64{61, 29.5}, [2]float64{61, 24}, [2]float64{66, 24}, [2]float64{66, 31}, [2]float64{63, 29.5}, [2]float64{61, 29.5}),
		prov("PAK-2", "Khyber Pakhtunkhwa", "PAK", "PK-KP", [2]float64{66, 31}, [2]float64{66, 24}, [2]float64{71, 24}, [2]float64{71, 36}, [2]float64{69, 33}, [2]float64{66, 31}),
	}}
	cross := func(id, name string, lon, lat, km float64) feature {
		return feature{"Feature", id, map[string]any{"id": id, "name": name, "alt_names": []string{name + " Gate"},
			"afg_province": "Kandahar", "afg_district": "", "pak_province": "Khyber Pakhtunkhwa", "pak_district": "",
			"source_lon": nil, "source_lat": nil, "chainage_km": km, "method": "derived", "uncertainty_m": 500.0,
			"sources": []string{"test"}, "description": "A test crossing."},
			map[string]any{"type": "Point", "coordinates": [2]float64{lon, lat}}}
	}
	crossings := fc{"FeatureCollection", []feature{
		cross("torkham", "Torkham", 70, 34.5, 1000),
		cross("chaman", "Chaman", 64.5, 30.25, 400),
		cross("angoor_adda", "Angoor Adda", 67.5, 32, 700),
	}}
	prov1 := map[string]any{"layers": []map[string]any{
		{"layer": "border", "source": "test", "licence": "CC0", "attribution": "Border: test data"},
		{"layer": "countries", "source": "test", "licence": "CC0", "attribution": "Countries: test data"},
		{"layer": "provinces", "source": "test", "licence": "CC0", "attribution": "Provinces: test data"},
		{"layer": "crossings", "source": "test", "licence": "CC0", "attribution": "Crossings: test data"},
	}}
	fsys := fstest.MapFS{
		geo.FileBorder:     mustJSON(t, border),
		geo.FileCountries:  mustJSON(t, countries),
		geo.FileProvinces:  mustJSON(t, provinces),
		geo.FileCrossings:  mustJSON(t, crossings),
		geo.FileProvenance: mustJSON(t, prov1),
	}
	if nDistricts > 0 {
		dist := func(id, name, province, country string, x, y, d float64) feature {
			return feature{"Feature", id, map[string]any{"id": id, "name": name, "province": province, "country": country,
				"source": "test", "source_id": id},
				poly([2]float64{x, y}, [2]float64{x + d, y}, [2]float64{x + d, y + d}, [2]float64{x, y + d}, [2]float64{x, y})}
		}
		ds := fc{"FeatureCollection", []feature{
			dist("AFG-D1", "Spin Boldak", "Kandahar", "AFG", 67, 34, 0.5),
			dist("AFG-D2", "Arghistan", "Kandahar", "AFG", 68, 35, 0.5),
			dist("PAK-D1", "Chaman", "Balochistan", "PAK", 63, 27, 0.5),
		}}
		for i := 3; i < nDistricts; i++ {
			x := 61.5 + float64(i%40)*0.2
			y := 24.5 + float64(i/40)*0.2
			ds.Features = append(ds.Features, dist(fmt.Sprintf("PAK-G%04d", i), fmt.Sprintf("Grid %d", i), "Khyber Pakhtunkhwa", "PAK", x, y, 0.15))
		}
		fsys[geo.FileDistricts] = mustJSON(t, ds)
		fsys[geo.FileDistrictsProvenance] = mustJSON(t, map[string]any{"layers": []map[string]any{
			{"layer": "districts", "source": "test", "licence": "CC BY", "attribution": "Districts: test data"}}})
	}
	return fsys
}

func fixtureAtlas(t testing.TB, nDistricts int) *geo.Atlas {
	t.Helper()
	a, err := geo.Load(fixtureFS(t, nDistricts))
	if err != nil {
		t.Fatalf("loading the test atlas: %v", err)
	}
	a.UseBufferCache(testBuffers())
	return a
}

// testBuffers is the zone buffer cache of the tests' atlases: in memory in
// front of the go test run's directory (zonecache.Default; geotest.Main
// points $DURAND_CACHE_DIR there), so that a buffer is traced once per run,
// not once per atlas or per test binary (geo tests the tracing, and
// TestUseBufferCache that cached zones equal traced ones). Tests about
// zones still being computed use atlases without it.
var testBuffers = sync.OnceValue(func() geo.BufferCache {
	if c := zonecache.Default(); c != nil {
		return c
	}
	return &geo.MemoryBufferCache{}
})

// embeddedAtlas returns the embedded atlas (data.Default), loaded once per
// test binary and shared by the tests that only read it, in parallel too:
// an atlas is read-only and safe for concurrent use, and it keeps its
// zones once computed, which would otherwise cost every test that serves
// zones, tiles or collections about a second of CPU again. Tests about
// the zones being computed load a fresh one.
func embeddedAtlas(t testing.TB) *geo.Atlas {
	t.Helper()
	return sharedEmbedded.get(t, func() (*geo.Atlas, error) {
		a, err := data.Default()
		if err == nil {
			a.UseBufferCache(testBuffers())
		}
		return a, err
	})
}

var sharedEmbedded shared[*geo.Atlas]

// shared is a value built once per test binary and shared by the tests
// that only read it.
type shared[T any] struct {
	once sync.Once
	v    T
	err  error
}

// get builds the value on first use; an error building it fails every
// test that asks for it.
func (s *shared[T]) get(t testing.TB, build func() (T, error)) T {
	t.Helper()
	s.once.Do(func() { s.v, s.err = build() })
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.v
}

// newTest returns a handler over the test atlas with districts.
func newTest(t testing.TB, cfg Config) http.Handler {
	t.Helper()
	if cfg.Atlas == nil {
		cfg.Atlas = fixtureAtlas(t, 3)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// get serves one request and returns the recorded response.
func get(t testing.TB, h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// decode decodes a JSON body.
func decode(t testing.TB, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not JSON (%v): %.300s", err, w.Body.String())
	}
	return m
}

func readAll(t testing.TB, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// linkHref returns the href of the first link with rel (and type, if given).
func linkHref(m map[string]any, rel string, typ ...string) string {
	ls, _ := m["links"].([]any)
	for _, l := range ls {
		lm, _ := l.(map[string]any)
		if lm["rel"] == rel && (len(typ) == 0 || strings.HasPrefix(fmt.Sprint(lm["type"]), typ[0])) {
			return fmt.Sprint(lm["href"])
		}
	}
	return ""
}

// SharedBuffers is testBuffers, for the tests of package server_test.
var SharedBuffers = testBuffers
