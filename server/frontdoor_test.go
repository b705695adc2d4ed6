package server

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/durandline/durand/layers"

	"github.com/durandline/durand/geo"
)

// maxItemPage is the most an item's HTML page may weigh: a page is read
// on phones and slow links, and its inline map is a sketch.
const maxItemPage = 200 << 10

// TestItemPagesSize: the HTML page of every feature of every collection
// of the embedded atlas, computed layers included, is at most 200 KB (a
// crossing's page weighed 782 KB when its map drew every province in
// full around it).
func TestItemPagesSize(t *testing.T) {
	t.Parallel()
	a := embeddedAtlas(t)
	h := newTest(t, Config{Atlas: a})
	pages := 0
	for _, name := range layers.Layers(a) {
		l, err := layers.FromAtlas(a, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range l.Features {
			id := geojsonio.FeatureID(f)
			w := get(t, h, "GET", "/collections/"+name+"/items/"+url.PathEscape(id)+"?f=html")
			pages++
			if w.Code != 200 || !strings.Contains(w.Body.String(), "<svg") {
				t.Errorf("%s/%s: %d, no map", name, id, w.Code)
			}
			if w.Body.Len() > maxItemPage {
				t.Errorf("%s/%s: page of %d bytes, over %d", name, id, w.Body.Len(), maxItemPage)
			}
		}
	}
	if pages < 100 {
		t.Errorf("only %d pages checked", pages)
	}
}

// TestLandingPage: the HTML landing page links to the map, and its "Where
// is a point?" form asks for an HTML answer.
func TestLandingPage(t *testing.T) {
	h := newTest(t, Config{})
	w := get(t, h, "GET", "/?f=html")
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `href="http://example.com/map"`) {
		t.Errorf("the landing page does not link to /map:\n%s", body)
	}
	if !strings.Contains(body, `<input type="hidden" name="f" value="html">`) {
		t.Errorf("the point form does not ask for HTML")
	}
}

// TestLocateHTML: /locate answers an HTML page for a browser (the form,
// f=html or an Accept header preferring HTML) with the answer in words and
// the JSON a link away, and JSON otherwise, unchanged.
func TestLocateHTML(t *testing.T) {
	a := embeddedAtlas(t)
	h := newTest(t, Config{Atlas: a})
	want, err := a.Locate([2]float64{66.45, 30.92})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, target, accept string }{
		{"form", "/locate?f=html&lon=66.45&lat=30.92", ""},
		{"browser", "/locate?lon=66.45&lat=30.92", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
	} {
		w := get(t, h, "GET", tc.target, "Accept", tc.accept)
		body := w.Body.String()
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", tc.name, w.Code, w.Header().Get("Content-Type"))
		}
		for _, s := range []string{want.CountryName, want.Province, want.NearestCrossing.Name, "/collections/crossings/items/" + want.NearestCrossing.ID,
			`href="http://example.com/locate?lon=66.45&amp;lat=30.92"`, "/map#9/30.92/66.45"} {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the page lacks %q", tc.name, s)
			}
		}
	}
	w := get(t, h, "GET", "/locate?lon=66.45&lat=30.92")
	var got geo.Location
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &got) != nil || got.Province != want.Province {
		t.Errorf("plain /locate: %d %.200s", w.Code, w.Body.String())
	}
	if w := get(t, h, "GET", "/locate?f=html&lon=66.45&lat=95"); w.Code != 400 {
		t.Errorf("f=html with a latitude of 95: %d", w.Code)
	}
}

// TestRegionExtents: the venues of talks abroad (Istanbul, Doha, Riyadh)
// are events of the atlas, but no extent, bounds or centre reaches them:
// every collection's spatial extent, the TileJSON bounds and centre of
// every tileset, the style's centre and the map page's first view lie in
// the border region, and the whole atlas's centre is the region's.
func TestRegionExtents(t *testing.T) {
	t.Parallel()
	a := embeddedAtlas(t)
	region := a.Region()
	in := func(lon, lat float64) bool { return region.Contains([2]float64{lon, lat}) }
	h := newTest(t, Config{Atlas: a})
	colls := decode(t, get(t, h, "GET", "/collections"))["collections"].([]any)
	for _, c := range colls {
		c := c.(map[string]any)
		bbox := c["extent"].(map[string]any)["spatial"].(map[string]any)["bbox"].([]any)[0].([]any)
		if !in(bbox[0].(float64), bbox[1].(float64)) || !in(bbox[2].(float64), bbox[3].(float64)) {
			t.Errorf("collection %s: extent %v outside the region %v", c["id"], bbox, region)
		}
		id := c["id"].(string)
		if id != layers.LayerEvents && id != geo.LayerCrossings {
			continue // tiling every collection takes seconds; the events reach abroad
		}
		tj := decode(t, get(t, h, "GET", "/tiles/"+id+".json"))
		b, ce := tj["bounds"].([]any), tj["center"].([]any)
		if !in(b[0].(float64), b[1].(float64)) || !in(b[2].(float64), b[3].(float64)) || !in(ce[0].(float64), ce[1].(float64)) {
			t.Errorf("tiles of %s: bounds %v centre %v outside the region", id, b, ce)
		}
	}
	centre := a.RegionCenter()
	tj := decode(t, get(t, h, "GET", "/tiles/durand.json"))
	ce := tj["center"].([]any)
	if ce[0].(float64) != centre[0] || ce[1].(float64) != centre[1] {
		t.Errorf("TileJSON centre %v, want the region's %v", ce, centre)
	}
	st := decode(t, get(t, h, "GET", "/styles/durand.json"))["center"].([]any)
	if st[0].(float64) != centre[0] || st[1].(float64) != centre[1] {
		t.Errorf("style centre %v, want the region's %v", st, centre)
	}
	page := get(t, h, "GET", "/map").Body.String()
	if !strings.Contains(page, `"bounds":[`) {
		t.Errorf("the map page has no first view")
	}
	// The events do reach Istanbul: the check above is not empty.
	evs, _ := layers.FromAtlas(a, layers.LayerEvents)
	far := 0
	for _, f := range evs.Features {
		if f.Geometry != nil && f.Geometry.Bound().Min[0] < 50 {
			far++
		}
	}
	if far == 0 {
		t.Error("no event west of 50° E: the test no longer checks what it is for")
	}
}
