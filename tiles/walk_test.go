package tiles

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

func smallTileset(t *testing.T) *Tileset {
	t.Helper()
	ts, err := NewTileset([]Layer{
		{Name: "provinces", Features: loadFeatures(t, projectFile(t, "provinces.geojson"), "id", nil), Labels: true},
		{Name: "crossings", Features: loadFeatures(t, projectFile(t, "crossings.geojson"), "id", nil)},
	}, Options{MaxZoom: 8})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestWalk checks that Walk visits tiles in zoom, x, y order, returns the
// same bytes as Tile, skips nothing that Tile would return, and gives the
// same result with one worker and with several.
func TestWalk(t *testing.T) {
	ts := smallTileset(t)
	walk := func(workers int) ([]TileID, [][]byte, WalkStats) {
		var ids []TileID
		var data [][]byte
		st, err := ts.Walk(context.Background(), WalkOptions{Zooms: ZoomRange(0, 6), Workers: workers}, func(id TileID, b []byte) error {
			ids = append(ids, id)
			data = append(data, b)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids, data, st
	}
	ids1, data1, st1 := walk(1)
	ids4, data4, st4 := walk(4)
	if !slices.Equal(ids1, ids4) || st1 != st4 {
		t.Fatalf("walks differ: %d/%d tiles, %+v / %+v", len(ids1), len(ids4), st1, st4)
	}
	less := func(a, b TileID) bool {
		if a.Z != b.Z {
			return a.Z < b.Z
		}
		if a.X != b.X {
			return a.X < b.X
		}
		return a.Y < b.Y
	}
	for i := range ids1 {
		if !bytes.Equal(data1[i], data4[i]) {
			t.Errorf("%s: different bytes", ids1[i])
		}
		if i > 0 && !less(ids1[i-1], ids1[i]) {
			t.Errorf("order: %s after %s", ids1[i], ids1[i-1])
		}
		b, err := ts.Tile(ids1[i].Z, ids1[i].X, ids1[i].Y)
		if err != nil || !bytes.Equal(b, data1[i]) {
			t.Errorf("%s: Tile differs from Walk (%v)", ids1[i], err)
		}
	}
	if st1.Tiles != len(ids1) || st1.Tiles == 0 {
		t.Errorf("stats %+v for %d tiles", st1, len(ids1))
	}
	// Every non-empty tile of z5 over the data is visited.
	seen := map[TileID]bool{}
	for _, id := range ids1 {
		seen[id] = true
	}
	a, b := ts.TileAt(ts.Bound().Min[0], ts.Bound().Max[1], 5), ts.TileAt(ts.Bound().Max[0], ts.Bound().Min[1], 5)
	for x := a.X - 1; x <= b.X+1; x++ {
		for y := a.Y - 1; y <= b.Y+1; y++ {
			if _, err := ts.Tile(5, x, y); err == nil && !seen[TileID{5, x, y}] {
				t.Errorf("5/%d/%d has data but was not walked", x, y)
			}
		}
	}
}

func TestWalkBoundAndErrors(t *testing.T) {
	ts := smallTileset(t)
	// Bound: only tiles around Torkham.
	box := orb.Bound{Min: orb.Point{71, 34}, Max: orb.Point{71.2, 34.2}}
	n := 0
	_, err := ts.Walk(context.Background(), WalkOptions{Zooms: []int{8}, Bound: box}, func(id TileID, _ []byte) error {
		n++
		if !id.Bound().Intersects(orb.Bound{Min: orb.Point{70.9, 33.9}, Max: orb.Point{71.3, 34.3}}) {
			t.Errorf("%s outside the requested bound", id)
		}
		return nil
	})
	if err != nil || n == 0 || n > 4 {
		t.Errorf("bounded walk: %d tiles, %v", n, err)
	}
	// The callback's error stops the walk and is returned.
	stop := errors.New("stop")
	calls := 0
	_, err = ts.Walk(context.Background(), WalkOptions{}, func(TileID, []byte) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Errorf("err %v after %d calls", err, calls)
	}
	// Cancellation.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ts.Walk(ctx, WalkOptions{}, func(TileID, []byte) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled walk: %v", err)
	}
	// Bad zooms.
	if _, err := ts.Walk(context.Background(), WalkOptions{Zooms: []int{9}}, nil); !errors.Is(err, ErrOptions) {
		t.Errorf("zoom 9 of 8: %v", err)
	}
}

// TestBudget forces a tiny size budget and checks the documented dropping:
// coarser geometry first, then the smallest features, labels going with
// their polygons, and the tile fitting the budget.
func TestBudget(t *testing.T) {
	layers := []Layer{{Name: "provinces", Features: loadFeatures(t, projectFile(t, "provinces.geojson"), "id", []string{"name"}), Labels: true}}
	full, err := NewTileset(layers, Options{MaxTileBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	id := full.TileAt(69, 33, 6)
	ref, st := full.build(id)
	if st.dropped != 0 || st.coarsened != 0 {
		t.Fatalf("unlimited budget changed the tile: %+v", st)
	}
	for _, budget := range []int{len(ref) - 1, len(ref) / 2, len(ref) / 5} {
		ts, err := NewTileset(layers, Options{MaxTileBytes: budget})
		if err != nil {
			t.Fatal(err)
		}
		b, st := ts.build(id)
		if len(b) > budget {
			t.Errorf("budget %d: tile has %d bytes", budget, len(b))
		}
		if st.coarsened == 0 {
			t.Errorf("budget %d: no coarsening before dropping (%+v)", budget, st)
		}
		ls, err := checkTile(b)
		if err != nil {
			t.Fatalf("budget %d: %v", budget, err)
		}
		polys := map[uint64]bool{}
		for _, f := range ls["provinces"].features {
			polys[f.id] = true
		}
		for _, f := range ls["provinces_label"].features {
			if !polys[f.id] && st.dropped > 0 {
				// a label may only stay if its polygon stayed (or the
				// polygon lies outside this tile)
				inTile := false
				refLs, _ := checkTile(ref)
				for _, rf := range refLs["provinces"].features {
					inTile = inTile || rf.id == f.id
				}
				if inTile {
					t.Errorf("budget %d: label %d kept without its polygon", budget, f.id)
				}
			}
		}
		t.Logf("budget %d: %d bytes, %+v, %d polygons", budget, len(b), st, len(polys))
	}
}
