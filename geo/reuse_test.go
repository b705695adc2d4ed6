package geo_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
)

// TestReuseFrom checks the rule of Atlas.ReuseFrom: after an edit that
// keeps the border (a crossing renamed, an event moved a day) the zones
// of the atlas that reused the earlier one's stretch buffers are those
// of a fresh atlas, byte for byte as JSON, and every buffer was taken
// over; after the border moved, nothing is taken over.
func TestReuseFrom(t *testing.T) {
	base := fstest.MapFS{}
	if err := fs.WalkDir(data.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(data.FS(), p)
		base[p] = &fstest.MapFile{Data: b}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	with := func(file string, edit func([]byte) []byte) fs.FS {
		out := fstest.MapFS{}
		for k, v := range base {
			out[k] = v
		}
		nb := edit(base[file].Data)
		if bytes.Equal(nb, base[file].Data) {
			t.Fatalf("edit of %s changed nothing", file)
		}
		out[file] = &fstest.MapFile{Data: nb}
		return out
	}
	replace := func(from, to string) func([]byte) []byte {
		return func(b []byte) []byte { return bytes.Replace(b, []byte(from), []byte(to), 1) }
	}
	// Every atlas takes the buffers it lacks from the tests' cache, keyed
	// by the exact stretch lines (TestUseBufferCache: cached zones equal traced
	// ones), so that a fresh atlas of the same data does not trace again.
	// ReuseFrom's buffers are taken before the cache is asked: buffers it
	// hands over wrongly show as zones that differ from the fresh atlas's.
	load := func(fsys fs.FS) *geo.Atlas {
		t.Helper()
		a, err := geo.Load(fsys)
		if err != nil {
			t.Fatal(err)
		}
		a.UseBufferCache(testBuffers())
		return a
	}
	zonesJSON := func(a *geo.Atlas) []byte {
		t.Helper()
		zs, err := a.Zones()
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(zs)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	prev := load(base)
	if err := prev.PrepareZones(); err != nil {
		t.Fatal(err)
	}
	n := geo.StretchBuffers(prev)
	if n == 0 {
		t.Fatal("no stretch buffer computed")
	}
	tests := []struct {
		name  string
		fsys  fs.FS
		reuse bool
	}{
		{"crossing renamed", with(geo.FileCrossings, replace(`"name":"Torkham"`, `"name":"Torkham (edited)"`)), true},
		{"event a day later", with(geo.FileEvents, replace(",2025-10-12,", ",2025-10-13,")), true},
		{"border moved", with(geo.FileBorder, func(b []byte) []byte {
			var fc map[string]any
			if err := json.Unmarshal(b, &fc); err != nil {
				t.Fatal(err)
			}
			g := fc["features"].([]any)[0].(map[string]any)["geometry"].(map[string]any)
			pt := g["coordinates"].([]any)[1].([]any)
			pt[0] = pt[0].(float64) + 1e-6
			out, err := json.Marshal(fc)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := load(tc.fsys)
			a.ReuseFrom(prev)
			if got := geo.StretchBuffers(a); (got == n) != tc.reuse || (!tc.reuse && got != 0) {
				t.Errorf("%d of %d buffers taken over, want reuse %v", got, n, tc.reuse)
			}
			if got, want := zonesJSON(a), zonesJSON(load(tc.fsys)); !bytes.Equal(got, want) {
				t.Errorf("zones differ from a fresh atlas's (%d and %d bytes of JSON)", len(got), len(want))
			}
		})
	}
}
