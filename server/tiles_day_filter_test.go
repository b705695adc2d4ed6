package server

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/paulmach/orb/encoding/mvt"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/layers"
)

// TestDayTilesFilter checks the rule of the tiles of a day over every day
// of the day slider (every fifth outside long runs) and every non-empty
// tile of zooms 0 to 4: a dated
// layer (events, zones and their labels) of the tile of a day holds
// exactly the features of the tile without datetime that
// /collections/{id}/items?datetime=day returns, with the same geometry;
// the crossings carry the status the items give that day; every other
// layer is the one without datetime, byte for byte.
func TestDayTilesFilter(t *testing.T) {
	t.Parallel()
	s, h := sharedZonedServer(t)
	ts, err := s.tiles.tileset()
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for z := uint32(0); z <= 4; z++ {
		for x := uint32(0); x < 1<<z; x++ {
			for y := uint32(0); y < 1<<z; y++ {
				if _, err := ts.Tile(z, x, y); err == nil {
					addrs = append(addrs, fmt.Sprintf("%d/%d/%d", z, x, y))
				}
			}
		}
	}
	if len(addrs) < 5 {
		t.Fatalf("only %d non-empty tiles at zooms 0-4", len(addrs))
	}
	idsOn := func(coll, day string) map[string]bool {
		w := get(t, h, "GET", "/collections/"+coll+"/items?limit=10000&datetime="+url.QueryEscape(day))
		if w.Code != 200 {
			t.Fatalf("%s items on %s: %d", coll, day, w.Code)
		}
		out := map[string]bool{}
		for _, f := range decode(t, w)["features"].([]any) {
			out[fmt.Sprint(f.(map[string]any)["id"])] = true
		}
		return out
	}
	statusOn := func(day string) map[string]string {
		w := get(t, h, "GET", "/collections/crossings/items?limit=10000&datetime="+day)
		out := map[string]string{}
		for _, f := range decode(t, w)["features"].([]any) {
			fm := f.(map[string]any)
			out[fmt.Sprint(fm["id"])] = fmt.Sprint(fm["properties"].(map[string]any)["status"])
		}
		return out
	}
	tileOf := func(path string) map[string]*mvt.Layer {
		w := get(t, h, "GET", path)
		switch w.Code {
		case 204:
			return map[string]*mvt.Layer{}
		case 200:
			return decodeTile(t, w.Body.Bytes())
		}
		t.Fatalf("%s: %d", path, w.Code)
		return nil
	}
	days := timelineDays(t, s)
	if !geotest.InCI() && os.Getenv(geotest.LongEnv) == "" {
		// Every day under CI (and DURAND_LONG_TESTS); every fifth
		// otherwise: each day decodes the zones' items (MBs of JSON).
		days = slices.DeleteFunc(slices.Clone(days), func(d string) bool { return slices.Index(days, d)%5 != 0 })
	}
	checked := map[string]int{}
	for _, day := range days {
		active := map[string]map[string]bool{"events": idsOn("events", day), "zones": idsOn("zones", day),
			"crossing_status": idsOn("crossing_status", day)}
		status := statusOn(day)
		for _, a := range addrs {
			all := tileOf("/tiles/durand/" + a + ".mvt")
			dated := tileOf("/tiles/durand/" + a + ".mvt?datetime=" + day)
			for name, l := range all {
				coll := name
				if n := len(name) - len("_label"); n > 0 && name[n:] == "_label" {
					coll = name[:n]
				}
				if slices.Contains(layers.KindNames("events"), coll) {
					coll = "events" // tiled one layer per kind of geometry
				}
				got := dated[name]
				switch coll {
				case "events", "zones", "crossing_status": // the dated layers
					want := map[string]string{}
					for _, f := range l.Features {
						if id := fmt.Sprint(f.Properties["id"]); active[coll][id] {
							want[id] = fmt.Sprint(f.Geometry)
						}
					}
					have := map[string]string{}
					if got != nil {
						for _, f := range got.Features {
							have[fmt.Sprint(f.Properties["id"])] = fmt.Sprint(f.Geometry)
						}
					}
					if fmt.Sprint(sorted(have)) != fmt.Sprint(sorted(want)) {
						t.Errorf("%s on %s, layer %s: features %v, want %v", a, day, name, keys(have), keys(want))
					}
					for id, g := range want {
						if have[id] != g {
							t.Errorf("%s on %s, layer %s: %s has another geometry than without datetime", a, day, name, id)
						}
					}
					checked[name] += len(want)
				case geo.LayerCrossings:
					if name != coll {
						continue
					}
					if got == nil {
						t.Errorf("%s on %s: no crossings layer", a, day)
						continue
					}
					for _, f := range got.Features {
						id := fmt.Sprint(f.Properties["id"])
						if st, ok := status[id]; ok && fmt.Sprint(f.Properties["status"]) != st && !(st == "<nil>" && f.Properties["status"] == nil) {
							t.Errorf("%s on %s: crossing %s status %v, items say %s", a, day, id, f.Properties["status"], st)
						}
					}
					checked[name] += len(got.Features)
				default:
					if got == nil || len(got.Features) != len(l.Features) {
						t.Errorf("%s on %s: layer %s differs from the tile without datetime", a, day, name)
					}
				}
			}
		}
	}
	t.Logf("%d days x %d tiles; features checked by layer: %v", len(days), len(addrs), checked)
	if checked["zones"] == 0 || checked["events"] == 0 || checked[geo.LayerCrossings] == 0 {
		t.Errorf("the check saw no zones, events or crossings: %v", checked)
	}
}

// TestDayTilesLRU: the days kept are bounded, the least recently used
// goes first, and one more day never clears the others.
func TestDayTilesLRU(t *testing.T) {
	var d dayTiles
	for n := uint32(1); n <= maxDayTilesets; n++ {
		d.get(n, 7)
	}
	d.get(1, 7) // day 1 is now the most recently used
	d.get(maxDayTilesets+1, 7)
	if got := d.len(); got != maxDayTilesets {
		t.Fatalf("%d days kept, want %d", got, maxDayTilesets)
	}
	d.mu.Lock()
	_, has1 := d.sets[1]
	_, has2 := d.sets[2]
	d.mu.Unlock()
	if !has1 || has2 {
		t.Errorf("after one day too many: day 1 (recently used) kept %v, day 2 (least recently used) kept %v; want true, false", has1, has2)
	}
	// A new data version replaces the day's entry.
	a := d.get(5, 7)
	if b := d.get(5, 8); a == b || d.len() != maxDayTilesets {
		t.Errorf("a new data version did not replace the day's entry")
	}
}

func sorted(m map[string]string) []string { return keys(m) }

// sharedZoned is one zonedTileServer for the tests that only read from it
// (TestTilesOfADay, TestDayTilesFilter): its zones take seconds to compute.
var sharedZoned struct {
	once sync.Once
	s    *server
	h    http.Handler
}

// sharedZonedServer returns the shared zoned tile server.
func sharedZonedServer(t *testing.T) (*server, http.Handler) {
	t.Helper()
	sharedZoned.once.Do(func() { sharedZoned.s, sharedZoned.h = zonedTileServer(t) })
	if sharedZoned.s == nil {
		t.Fatal("the shared zoned server could not be built")
	}
	return sharedZoned.s, sharedZoned.h
}
