package server

import (
	"crypto/sha256"
	"math"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"github.com/durandline/durand/layers/crs"
)

// Coordinate reference systems by reference (OGC API – Features Part 2):
// items and a feature in any CRS of crs.All (the crs parameter), bbox in
// any of them (bbox-crs); the data are stored in CRS84.

const confCRS = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"

// outputCRS reads the crs parameter (default CRS84).
func outputCRS(q query) (crs.CRS, error) {
	return crsParam(q, "crs")
}

func crsParam(q query, name string) (crs.CRS, error) {
	s, ok := q[name]
	if !ok {
		return crs.All()[0], nil
	}
	c, err := crs.Lookup(s)
	if err != nil {
		return crs.CRS{}, badRequest("parameter %q: %q is not offered (offered: %s)", name, truncate(s, 100), strings.Join(crs.URIs(), ", "))
	}
	return c, nil
}

// bboxInCRS reads bbox in the CRS of bbox-crs (default CRS84) and returns
// the CRS84 box that covers it.
func bboxInCRS(q query) (orb.Bound, bool, error) {
	c, err := crsParam(q, "bbox-crs")
	if err != nil {
		return orb.Bound{}, false, err
	}
	if _, given := q["bbox-crs"]; given {
		if _, ok := q["bbox"]; !ok {
			return orb.Bound{}, false, badRequest("parameter \"bbox-crs\" needs a \"bbox\"")
		}
	}
	if c.IsCRS84() {
		return q.bbox()
	}
	s := q["bbox"]
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return orb.Bound{}, false, badRequest("parameter \"bbox\" must be 4 numbers in %s, got %d values", c, len(parts))
	}
	v := make([]float64, len(parts))
	for i, p := range parts {
		x, err := parseNumber("bbox", strings.TrimSpace(p))
		if err != nil {
			return orb.Bound{}, false, err
		}
		v[i] = x
	}
	if len(v) == 6 {
		v = []float64{v[0], v[1], v[3], v[4]}
	}
	if v[0] > v[2] || v[1] > v[3] {
		return orb.Bound{}, false, badRequest("parameter \"bbox\": the minimum corner (%v, %v) is beyond the maximum (%v, %v) in %s", v[0], v[1], v[2], v[3], c)
	}
	b := c.BoundToCRS84(orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}})
	for _, x := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return orb.Bound{}, false, badRequest("parameter \"bbox\": the box is outside the area of %s", c)
		}
	}
	b.Min[0], b.Max[0] = math.Max(-180, b.Min[0]), math.Min(180, b.Max[0])
	b.Min[1], b.Max[1] = math.Max(-90, b.Min[1]), math.Min(90, b.Max[1])
	if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
		return orb.Bound{}, false, badRequest("parameter \"bbox\": the box is outside the area of %s", c)
	}
	return b, true, nil
}

// contentCRS is the Content-Crs header value of c.
func contentCRS(c crs.CRS) map[string]string {
	return map[string]string{"Content-Crs": "<" + c.URI() + ">"}
}

// crsEncoding is a collection's features encoded in one CRS, built on the
// first request for it: converting and encoding a page of detailed
// polygons costs about as much as the rest of the request many times over.
type crsEncoding struct {
	once    sync.Once
	encoded [][]byte
	digests [][sha256.Size]byte
	err     error
}

// encodedIn returns feature i of c in the CRS to (not CRS84), from the
// collection's cache for that CRS.
func (c *collection) encodedIn(i int, to crs.CRS) ([]byte, [sha256.Size]byte, error) {
	v, _ := c.crsEnc.LoadOrStore(to.URI(), &crsEncoding{})
	e := v.(*crsEncoding)
	e.once.Do(func() {
		e.encoded = make([][]byte, len(c.features))
		e.digests = make([][sha256.Size]byte, len(c.features))
		for j := range c.features {
			b, err := c.encodeSelected(j, nil, to)
			if err != nil {
				e.err = err
				return
			}
			e.encoded[j], e.digests[j] = b, sha256.Sum256(b)
		}
	})
	if e.err != nil {
		return nil, [sha256.Size]byte{}, e.err
	}
	return e.encoded[i], e.digests[i], nil
}
