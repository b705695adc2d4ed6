package server

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
)

// Size of the maps drawn on HTML pages, in CSS pixels.
const (
	mapWidth     = 720.0
	mapMaxHeight = 560.0
	mapMinHeight = 240.0
	// mapTolerancePx is the distance below which consecutive vertices
	// are merged when drawing.
	mapTolerancePx = 0.6
	// mapMinSpanDeg is the smallest extent drawn, in degrees.
	mapMinSpanDeg = 1.0
)

// projection maps lon/lat to SVG pixels: equirectangular, longitudes
// scaled by the cosine of the middle latitude.
type projection struct {
	minLon, maxLat, k, scale float64
	w, h                     float64
}

func newProjection(b orb.Bound) projection {
	// Pad the box, and show at least mapMinSpanDeg around a point or a
	// short line, for context.
	dx, dy := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	pad := math.Max(dx, dy) * 0.06
	padX, padY := math.Max(pad, (mapMinSpanDeg-dx)/2), math.Max(pad, (mapMinSpanDeg-dy)/2)
	b.Min[0], b.Min[1] = b.Min[0]-padX, b.Min[1]-padY
	b.Max[0], b.Max[1] = b.Max[0]+padX, b.Max[1]+padY
	mid := (b.Min[1] + b.Max[1]) / 2
	k := math.Max(math.Cos(mid*math.Pi/180), 0.05)
	// Never taller than wide on screen.
	if w, h := (b.Max[0]-b.Min[0])*k, b.Max[1]-b.Min[1]; w < h {
		extra := (h/k - (b.Max[0] - b.Min[0])) / 2
		b.Min[0], b.Max[0] = b.Min[0]-extra, b.Max[0]+extra
	}
	wDeg, hDeg := (b.Max[0]-b.Min[0])*k, b.Max[1]-b.Min[1]
	scale := mapWidth / wDeg
	h := hDeg * scale
	if h > mapMaxHeight {
		scale = mapMaxHeight / hDeg
		h = mapMaxHeight
	}
	w := wDeg * scale
	if h < mapMinHeight {
		h = mapMinHeight
	}
	// Centre the box in the drawing.
	minLon := b.Min[0] - (w/scale/k-(b.Max[0]-b.Min[0]))/2
	maxLat := b.Max[1] + (h/scale-hDeg)/2
	return projection{minLon: minLon, maxLat: maxLat, k: k, scale: scale, w: w, h: h}
}

func (p projection) xy(pt orb.Point) (float64, float64) {
	return (pt[0] - p.minLon) * p.k * p.scale, (p.maxLat - pt[1]) * p.scale
}

func num1(x float64) string { return strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64) }

// outcode says where the pixel (x, y) lies with respect to the drawing
// widened by mapClipMarginPx: 0 inside, else one bit per side it is
// beyond (Cohen–Sutherland).
func (p projection) outcode(x, y float64) int {
	c := 0
	switch {
	case x < -mapClipMarginPx:
		c |= 1
	case x > p.w+mapClipMarginPx:
		c |= 2
	}
	switch {
	case y < -mapClipMarginPx:
		c |= 4
	case y > p.h+mapClipMarginPx:
		c |= 8
	}
	return c
}

// mapClipMarginPx is how far outside the drawing vertices still count as
// inside it.
const mapClipMarginPx = 20.0

// path appends the SVG path data of a sequence of points, merging
// vertices closer than mapTolerancePx; closed adds Z. Outside the drawing
// a run of vertices beyond the same sides is drawn as its first and last
// vertex only: the region beyond a set of sides is convex, so the path
// between them stays out of sight, and a province or the border drawn
// for context around a crossing costs a few vertices, not all of them.
func (p projection) path(b *strings.Builder, pts []orb.Point, closed bool) {
	var lx, ly float64
	n := 0
	prevCode := -1
	for i, pt := range pts {
		x, y := p.xy(pt)
		code := p.outcode(x, y)
		if i > 0 && i < len(pts)-1 && code != 0 && code == prevCode {
			nx, ny := p.xy(pts[i+1])
			if p.outcode(nx, ny) == code {
				continue
			}
		}
		prevCode = code
		if i > 0 && i < len(pts)-1 && math.Abs(x-lx) < mapTolerancePx && math.Abs(y-ly) < mapTolerancePx {
			continue
		}
		if n == 0 {
			b.WriteByte('M')
		} else {
			b.WriteByte('L')
		}
		b.WriteString(num1(x))
		b.WriteByte(' ')
		b.WriteString(num1(y))
		lx, ly = x, y
		n++
	}
	if closed && n > 0 {
		b.WriteByte('Z')
	}
}

// shape appends the SVG elements drawing g.
func (p projection) shape(b *strings.Builder, g orb.Geometry, class string) {
	switch g := g.(type) {
	case orb.Point:
		x, y := p.xy(g)
		fmt.Fprintf(b, `<circle class="%s" cx="%s" cy="%s" r="5"/>`, class, num1(x), num1(y))
	case orb.MultiPoint:
		for _, pt := range g {
			p.shape(b, pt, class)
		}
	case orb.LineString:
		b.WriteString(`<path class="` + class + `" d="`)
		p.path(b, g, false)
		b.WriteString(`"/>`)
	case orb.MultiLineString:
		b.WriteString(`<path class="` + class + `" d="`)
		for _, l := range g {
			p.path(b, l, false)
		}
		b.WriteString(`"/>`)
	case orb.Polygon:
		p.shape(b, orb.MultiPolygon{g}, class)
	case orb.MultiPolygon:
		b.WriteString(`<path class="` + class + `" fill-rule="evenodd" d="`)
		for _, poly := range g {
			for _, r := range poly {
				p.path(b, r, true)
			}
		}
		b.WriteString(`"/>`)
	case orb.Collection:
		for _, x := range g {
			p.shape(b, x, class)
		}
	}
}

// overviewMap draws the provinces, the border and the crossings, each
// linking to its page.
func (s *server) overviewMap(base string) template.HTML {
	prov, ok := s.colls.byID["provinces"]
	if !ok || len(prov.features) == 0 {
		return ""
	}
	p := newProjection(prov.bbox)
	var b strings.Builder
	p.open(&b, "map of the provinces, the border and its crossings")
	p.features(&b, base, prov, nil, "")
	p.shape(&b, s.atlas.Border().Line, "border")
	if c, ok := s.colls.byID["crossings"]; ok {
		p.features(&b, base, c, nil, "")
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// open starts the SVG element.
func (p projection) open(b *strings.Builder, label string) {
	fmt.Fprintf(b, `<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="%s">`,
		num1(p.w), num1(p.h), num1(p.w), num1(p.h), html.EscapeString(label))
	b.WriteString(`<rect class="sea" width="100%" height="100%"/>`)
}

// features draws the features idx of c (all when nil), each linking to
// its page; highlight names one drawn emphasised.
func (p projection) features(b *strings.Builder, base string, c *collection, idx []int, highlight string) {
	draw := func(i int) {
		f := c.features[i]
		id := geojsonio.FeatureID(f)
		name, _ := f.Properties["name"].(string)
		if name == "" {
			name = id
		}
		class := "feature"
		if id == highlight {
			class = "feature highlight"
		}
		fmt.Fprintf(b, `<a href="%s"><title>%s</title>`,
			html.EscapeString(base+"/collections/"+url.PathEscape(c.id)+"/items/"+url.PathEscape(id)+"?f=html"), html.EscapeString(name))
		p.shape(b, f.Geometry, class)
		b.WriteString(`</a>`)
	}
	if idx == nil {
		for i := range c.features {
			draw(i)
		}
		return
	}
	for _, i := range idx {
		draw(i)
	}
}

// mapOf draws the features idx of c (all when idx is nil) on an SVG map
// with the border line for context; each feature links to its page.
// highlight names a feature drawn emphasised.
func (s *server) mapOf(base string, c *collection, idx []int, highlight string) template.HTML {
	if idx == nil {
		idx = make([]int, len(c.features))
		for i := range idx {
			idx[i] = i
		}
	}
	if len(idx) == 0 {
		return ""
	}
	bound := c.features[idx[0]].Geometry.Bound()
	for _, i := range idx[1:] {
		bound = bound.Union(c.features[i].Geometry.Bound())
	}
	p := newProjection(bound)
	var b strings.Builder
	p.open(&b, "map of "+c.title)
	if prov, ok := s.colls.byID["provinces"]; ok && c.geomType != "Polygon" && c.geomType != "MultiPolygon" {
		// Points and lines are drawn over the provinces, for context.
		for _, f := range prov.features {
			p.shape(&b, f.Geometry, "context")
		}
	}
	p.features(&b, base, c, idx, highlight)
	if c.id != "border" {
		p.shape(&b, s.atlas.Border().Line, "border")
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
