package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// The border region is where the atlas's maps and extents look: the
// bounding box of the countries layer, that is of Afghanistan and Pakistan
// as the atlas draws them (about 60.5–77.1° E, 23.7–38.5° N with the
// embedded data). Some features lie far outside it, on purpose: the talks
// of the crisis were held in Istanbul, Doha and Riyadh, and installed
// district layers may reach into disputed areas further east. They stay
// in the layers, but they must not stretch a map's initial view or an
// extent into Turkey or India, so every extent, bounds and centre that
// describes the data for display (OGC collection extents, TileJSON bounds
// and centre, the map's first view, `durand tiles --json`) is the data's
// bounding box clipped to the region (ClipToRegion), and the one initial
// centre is the region's (RegionCenter).

// Region returns the border region: the bounding box of the countries
// layer. An atlas without countries (never the case for a loaded atlas)
// gives the bounding box of the border line.
func (a *Atlas) Region() orb.Bound {
	if b, err := a.Bound(LayerCountries); err == nil && b.Max[0] > b.Min[0] {
		return b
	}
	if a.border != nil {
		return a.border.Line.Bound()
	}
	return orb.Bound{}
}

// RegionCenter returns the centre of the region's bounding box, the centre
// of the initial view of every map of the atlas.
func (a *Atlas) RegionCenter() orb.Point {
	return a.Region().Center()
}

// ClipToRegion returns b intersected with the region, for an extent that
// describes where a layer's features are without the few far away. When
// b and the region do not overlap (a layer wholly abroad) b is returned
// unchanged, so the extent still says where the features are.
func (a *Atlas) ClipToRegion(b orb.Bound) orb.Bound {
	return ClipBound(b, a.Region())
}

// ClipBound returns b intersected with region, or b itself when they do
// not overlap or region is empty.
func ClipBound(b, region orb.Bound) orb.Bound {
	if region.Max[0] <= region.Min[0] || region.Max[1] <= region.Min[1] {
		return b
	}
	c := orb.Bound{
		Min: orb.Point{math.Max(b.Min[0], region.Min[0]), math.Max(b.Min[1], region.Min[1])},
		Max: orb.Point{math.Min(b.Max[0], region.Max[0]), math.Min(b.Max[1], region.Max[1])},
	}
	if c.Min[0] > c.Max[0] || c.Min[1] > c.Max[1] {
		return b
	}
	return c
}

// ViewZoom returns the zoom level at which all of the bound b shows in a
// view of 600 × 500 pixels, in the zoom levels of MapLibre GL (Web
// Mercator, a world 512 pixels wide at zoom 0), rounded down to a whole
// level: the zoom of the centre in TileJSON and in the map's style.
func ViewZoom(b orb.Bound) float64 {
	lonSpan := b.Max[0] - b.Min[0]
	y := func(lat float64) float64 { return math.Log(math.Tan(math.Pi/4 + lat*math.Pi/360)) }
	latSpan := (y(b.Max[1]) - y(b.Min[1])) * 180 / math.Pi // in "Mercator degrees"
	if lonSpan <= 0 && latSpan <= 0 {
		return 10
	}
	z := math.Min(math.Log2(600.0/512*360/math.Max(lonSpan, 1e-9)), math.Log2(500.0/512*360/math.Max(latSpan, 1e-9)))
	return math.Max(0, math.Floor(z))
}
