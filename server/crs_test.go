package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/durandline/durand/geo/geotest"
	"github.com/durandline/durand/layers/crs"
)

// pointsOf returns the positions of a point or multipoint.
func pointsOf(g orb.Geometry) []orb.Point {
	switch x := g.(type) {
	case orb.Point:
		return []orb.Point{x}
	case orb.MultiPoint:
		return x
	}
	return nil
}

// projCS2CS converts CRS84 positions to dst with PROJ's cs2cs (which
// reads EPSG:4326 latitude first and writes dst in its own axis order).
func projCS2CS(t *testing.T, dst string, pts []orb.Point) []orb.Point {
	t.Helper()
	tool := geotest.RequireTool(t, "cs2cs")
	var in bytes.Buffer
	for _, p := range pts {
		fmt.Fprintf(&in, "%.12f %.12f\n", p[1], p[0])
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, "-f", "%.10f", "EPSG:4326", dst)
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var res []orb.Point
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		x, _ := strconv.ParseFloat(f[0], 64)
		y, _ := strconv.ParseFloat(f[1], 64)
		res = append(res, orb.Point{x, y})
	}
	return res
}

// TestCRSItems: items and single features in every offered CRS have the
// positions PROJ's cs2cs gives for the stored CRS84 ones, to 1 cm, with a
// Content-Crs header naming the CRS; collections list the CRSs.
func TestCRSItems(t *testing.T) {
	t.Parallel()
	h, a := embeddedServer(t)
	for _, coll := range []string{"crossings", "events"} {
		fs := layerFeatures(t, a, coll)
		var stored []orb.Point
		var ids []string
		for _, f := range fs {
			for _, p := range pointsOf(f.Geometry) {
				stored = append(stored, p)
				ids = append(ids, geojsonio.FeatureID(f))
			}
		}
		if len(stored) < 10 {
			t.Fatalf("%s: only %d positions", coll, len(stored))
		}
		for _, c := range crs.All() {
			t.Run(coll+" "+c.String(), func(t *testing.T) {
				w := get(t, h, "GET", "/collections/"+coll+"/items?limit=10000&crs="+url.QueryEscape(c.URI()))
				if w.Code != 200 {
					t.Fatalf("%d %s", w.Code, w.Body.String())
				}
				if got := w.Header().Get("Content-Crs"); got != "<"+c.URI()+">" {
					t.Errorf("Content-Crs %q", got)
				}
				fc, err := geojson.UnmarshalFeatureCollection(w.Body.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				var served []orb.Point
				for _, f := range fc.Features {
					served = append(served, pointsOf(f.Geometry)...)
				}
				if len(served) != len(stored) {
					t.Fatalf("%d positions served, %d stored", len(served), len(stored))
				}
				want := stored
				if !c.IsCRS84() {
					want = projCS2CS(t, c.String(), stored)
				}
				for i := range want {
					d := math.Hypot(served[i][0]-want[i][0], served[i][1]-want[i][1])
					if c.String() == "EPSG:4326" || c.IsCRS84() {
						d *= 111000 // degrees to metres, roughly
					}
					if d > 0.01 {
						t.Errorf("%s position %d: served %v, cs2cs %v (%.3f m)", ids[i], i, served[i], want[i], d)
					}
				}
				// One feature, the same.
				one := get(t, h, "GET", "/collections/"+coll+"/items/"+url.PathEscape(ids[0])+"?crs="+url.QueryEscape(c.URI()))
				f, err := geojson.UnmarshalFeature(one.Body.Bytes())
				if err != nil || one.Header().Get("Content-Crs") != "<"+c.URI()+">" {
					t.Fatalf("feature: %v %q", err, one.Header().Get("Content-Crs"))
				}
				if p := pointsOf(f.Geometry)[0]; math.Abs(p[0]-served[0][0]) > 1e-6 || math.Abs(p[1]-served[0][1]) > 1e-6 {
					t.Errorf("feature %s at %v, in items %v", ids[0], p, served[0])
				}
			})
		}
	}
	doc := decode(t, get(t, h, "GET", "/collections/crossings"))
	if fmt.Sprint(doc["crs"]) != fmt.Sprint(crs.URIs()) || doc["storageCrs"] != crs84 {
		t.Errorf("crs %v storageCrs %v", doc["crs"], doc["storageCrs"])
	}
	if !strings.Contains(fmt.Sprint(decode(t, get(t, h, "GET", "/conformance"))["conformsTo"]), confCRS) {
		t.Error("conformance lacks Part 2")
	}
}

// TestBBoxCRS: a bbox given in a CRS selects every crossing whose
// position in that CRS (as the server gives it) lies in the box, and no
// crossing outside the box's CRS84 cover.
func TestBBoxCRS(t *testing.T) {
	h, _ := embeddedServer(t)
	for _, c := range crs.All() {
		w := get(t, h, "GET", "/collections/crossings/items?crs="+url.QueryEscape(c.URI()))
		var fc struct {
			Features []struct {
				ID       string `json:"id"`
				Geometry struct {
					Coordinates [2]float64 `json:"coordinates"`
				} `json:"geometry"`
			} `json:"features"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &fc); err != nil {
			t.Fatal(err)
		}
		// A box around the first half of the crossings, in c.
		var b orb.Bound
		for i, f := range fc.Features[:len(fc.Features)/2] {
			p := orb.Point(f.Geometry.Coordinates)
			if i == 0 {
				b = orb.Bound{Min: p, Max: p}
			}
			b = b.Extend(p)
		}
		// Points on the box's edge stay inside despite rounding.
		pad := 0.01 // 1 cm
		if c.IsCRS84() || c.String() == "EPSG:4326" {
			pad = 1e-7
		}
		b = b.Pad(pad)
		box := fmt.Sprintf("%.10f,%.10f,%.10f,%.10f", b.Min[0], b.Min[1], b.Max[0], b.Max[1])
		got := matchedIDs(t, h, "crossings", url.Values{"bbox": {box}, "bbox-crs": {c.URI()}})
		for _, f := range fc.Features {
			in := b.Contains(orb.Point(f.Geometry.Coordinates))
			sel := strings.Contains(" "+strings.Join(got, " ")+" ", " "+f.ID+" ")
			if in && !sel {
				t.Errorf("%s: %s lies in the box %s but is not selected", c, f.ID, box)
			}
		}
		if len(got) == 0 {
			t.Errorf("%s: nothing selected", c)
		}
	}
	for _, q := range []string{"crs=EPSG:2154", "bbox-crs=EPSG:3857", "bbox=1,2,0,3&bbox-crs=EPSG:3857", "bbox=1e30,1e30,2e30,2e30&bbox-crs=EPSG:32642"} {
		if w := get(t, h, "GET", "/collections/crossings/items?"+q); w.Code != 400 {
			t.Errorf("%s: %d, want 400", q, w.Code)
		}
	}
}
