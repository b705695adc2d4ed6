package crs

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// ErrUnknown is returned by Lookup for a CRS that is not offered.
var ErrUnknown = errors.New("crs: unknown or unsupported coordinate reference system")

// URIs of the CRSs offered.
const (
	URICRS84    = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	URIEPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
	URIEPSG3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
)

// CRS is a coordinate reference system that positions in CRS84 are
// converted to.
type CRS struct {
	uri string
	// kind: 0 CRS84, 1 EPSG:4326, 2 Web Mercator, 3 UTM north.
	kind int
	zone int // UTM zone
}

// URI returns the OGC URI of c.
func (c CRS) URI() string { return c.uri }

// IsCRS84 reports whether c is CRS84 (no conversion).
func (c CRS) IsCRS84() bool { return c.kind == 0 }

// String returns the short name, e.g. EPSG:32642.
func (c CRS) String() string {
	if c.kind == 0 {
		return "OGC:CRS84"
	}
	return "EPSG:" + c.uri[strings.LastIndexByte(c.uri, '/')+1:]
}

// UTMZones are the UTM zones offered (north).
var utmZones = []int{41, 42, 43}

// All returns every CRS offered, CRS84 first.
func All() []CRS {
	out := []CRS{{uri: URICRS84}, {uri: URIEPSG4326, kind: 1}, {uri: URIEPSG3857, kind: 2}}
	for _, z := range utmZones {
		out = append(out, CRS{uri: fmt.Sprintf("http://www.opengis.net/def/crs/EPSG/0/326%02d", z), kind: 3, zone: z})
	}
	return out
}

// URIs returns the URIs of All.
func URIs() []string {
	var out []string
	for _, c := range All() {
		out = append(out, c.uri)
	}
	return out
}

// Lookup returns the CRS named by an OGC URI or a short form (EPSG:4326,
// OGC:CRS84; also with https, as some clients write the URI).
func Lookup(name string) (CRS, error) {
	n := strings.TrimSpace(name)
	n = strings.Replace(n, "https://", "http://", 1)
	if strings.HasPrefix(n, "[") && strings.HasSuffix(n, "]") { // safe CURIE [EPSG:4326]
		n = n[1 : len(n)-1]
	}
	for _, c := range All() {
		if strings.EqualFold(n, c.uri) || strings.EqualFold(n, c.String()) {
			return c, nil
		}
	}
	if strings.EqualFold(n, "CRS84") || strings.EqualFold(n, "urn:ogc:def:crs:OGC:1.3:CRS84") {
		return All()[0], nil
	}
	return CRS{}, fmt.Errorf("%w: %q", ErrUnknown, truncate(name))
}

func truncate(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

// Forward converts a CRS84 position (longitude, latitude in degrees) to c,
// in c's axis order.
func (c CRS) Forward(p orb.Point) orb.Point {
	switch c.kind {
	case 1:
		return orb.Point{p[1], p[0]}
	case 2:
		return webMercator(p)
	case 3:
		e, n := utm.forward(p[0]-float64(6*c.zone-183), p[1])
		return orb.Point{e, n}
	}
	return p
}

// Inverse converts a position in c (in c's axis order) to CRS84.
func (c CRS) Inverse(p orb.Point) orb.Point {
	switch c.kind {
	case 1:
		return orb.Point{p[1], p[0]}
	case 2:
		return webMercatorInverse(p)
	case 3:
		lon, lat := utm.inverse(p[0], p[1])
		return orb.Point{lon + float64(6*c.zone-183), lat}
	}
	return p
}

// Geometry returns a copy of g with every position converted to c.
func (c CRS) Geometry(g orb.Geometry) orb.Geometry {
	if g == nil || c.kind == 0 {
		return g
	}
	return convert(orb.Clone(g), c.Forward)
}

// convert applies f to every position of g in place and returns g.
func convert(g orb.Geometry, f func(orb.Point) orb.Point) orb.Geometry {
	pts := func(ps []orb.Point) {
		for i := range ps {
			ps[i] = f(ps[i])
		}
	}
	switch x := g.(type) {
	case orb.Point:
		return f(x)
	case orb.MultiPoint:
		pts(x)
	case orb.LineString:
		pts(x)
	case orb.Ring:
		pts(x)
	case orb.MultiLineString:
		for _, l := range x {
			pts(l)
		}
	case orb.Polygon:
		for _, r := range x {
			pts(r)
		}
	case orb.MultiPolygon:
		for _, pg := range x {
			for _, r := range pg {
				pts(r)
			}
		}
	case orb.Collection:
		for i := range x {
			x[i] = convert(x[i], f)
		}
	case orb.Bound:
		return orb.MultiPoint{f(x.Min), f(x.Max)}.Bound()
	}
	return g
}

// BoundToCRS84 returns the CRS84 box covering a box given in c (corners
// in c's axis order): its edges are sampled (64 points each) and
// converted, as a projected box's edges are curves in longitude and
// latitude.
func (c CRS) BoundToCRS84(b orb.Bound) orb.Bound {
	if c.kind == 0 {
		return b
	}
	const steps = 64
	var out orb.Bound
	first := true
	add := func(x, y float64) {
		p := c.Inverse(orb.Point{x, y})
		if first {
			out, first = orb.Bound{Min: p, Max: p}, false
			return
		}
		out = out.Extend(p)
	}
	for i := 0; i <= steps; i++ {
		t := float64(i) / steps
		x := b.Min[0] + t*(b.Max[0]-b.Min[0])
		y := b.Min[1] + t*(b.Max[1]-b.Min[1])
		add(x, b.Min[1])
		add(x, b.Max[1])
		add(b.Min[0], y)
		add(b.Max[0], y)
	}
	return out
}

const webMercatorR = 6378137.0

func webMercator(p orb.Point) orb.Point {
	lat := math.Max(-85.0511287798066, math.Min(85.0511287798066, p[1]))
	return orb.Point{webMercatorR * p[0] * math.Pi / 180, webMercatorR * math.Log(math.Tan(math.Pi/4+lat*math.Pi/360))}
}

func webMercatorInverse(p orb.Point) orb.Point {
	return orb.Point{p[0] / webMercatorR * 180 / math.Pi, (2*math.Atan(math.Exp(p[1]/webMercatorR)) - math.Pi/2) * 180 / math.Pi}
}
