package server

import (
	"bytes"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geojsonio"
)

// TestNewFromReuse checks the rule of newFrom over every feature of every
// collection, for an edit of a point layer and of an area layer: the
// encoding of a feature is the one New makes for the new data, and it is
// taken from the previous version exactly when that version encoded the
// feature with the same id to the same bytes. The tilesets reuse the
// areas after the edit of a crossing only.
func TestNewFromReuse(t *testing.T) {
	t.Parallel() // its own data directory and server
	base := fstest.MapFS{}
	err := fs.WalkDir(data.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(data.FS(), p)
		base[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	build := func(fsys fs.FS, prev *handler) *handler {
		t.Helper()
		a, err := geo.Load(fsys)
		if err != nil {
			t.Fatal(err)
		}
		a.UseBufferCache(testBuffers())
		h, err := newFrom(Config{Atlas: a}, prev)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	edit := func(file, from, to string) fs.FS {
		t.Helper()
		out := fstest.MapFS{}
		for k, v := range base {
			out[k] = v
		}
		nb := bytes.Replace(base[file].Data, []byte(from), []byte(to), 1)
		if bytes.Equal(nb, base[file].Data) {
			t.Fatalf("no %s in %s", from, file)
		}
		out[file] = &fstest.MapFile{Data: nb}
		return out
	}
	prev := build(base, nil)
	if _, err := prev.s.tiles.current(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		fsys       fs.FS
		areasReuse bool
	}{
		{"crossing renamed", edit(geo.FileCrossings, `"name":"Torkham"`, `"name":"Torkham (edited)"`), true},
		{"province renamed", edit(geo.FileProvinces, `"name":"Kunar"`, `"name":"Kunar (edited)"`), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := build(tc.fsys, prev)
			want := build(tc.fsys, nil)
			reused, encoded := 0, 0
			for _, wc := range want.s.colls.list {
				if wc.load != nil {
					continue
				}
				gc, pc := got.s.colls.byID[wc.id], prev.s.colls.byID[wc.id]
				for i, f := range wc.layer.Features {
					if !bytes.Equal(gc.encoded[i], wc.encoded[i]) || gc.digests[i] != wc.digests[i] {
						t.Fatalf("%s feature %d: encoding differs from New's", wc.id, i)
					}
					j, had := pc.index[geojsonio.FeatureID(f)]
					same := had && bytes.Equal(pc.encoded[j], wc.encoded[i])
					shared := had && len(gc.encoded[i]) > 0 && &gc.encoded[i][0] == &pc.encoded[j][0]
					if same != shared {
						t.Errorf("%s feature %s: unchanged %v but encoding taken from the previous version %v", wc.id, geojsonio.FeatureID(f), same, shared)
					}
					if shared {
						reused++
					} else {
						encoded++
					}
				}
			}
			if encoded == 0 || reused == 0 {
				t.Errorf("%d features encoded anew, %d reused", encoded, reused)
			}
			st, err := got.s.tiles.current()
			if err != nil {
				t.Fatal(err)
			}
			if st.Base.Reused() != tc.areasReuse {
				t.Errorf("tileset reused the areas: %v, want %v", st.Base.Reused(), tc.areasReuse)
			}
			t.Logf("%d features encoded anew, %d reused", encoded, reused)
		})
	}
}
