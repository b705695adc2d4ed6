package tiles

import (
	"errors"
	"fmt"
	"math"

	sf "github.com/peterstace/simplefeatures/geom"
)

// This file is an independent, strict reader of Mapbox Vector Tiles used by
// the tests: it parses the protobuf by hand and checks the MVT 2.1 rules
// that orb's decoder silently tolerates, then validates polygons with
// simplefeatures (OGC validity).

type rawTile struct {
	layers []rawLayer
}

type rawLayer struct {
	name     string
	version  uint64
	extent   uint64
	first    int // field number of the first field
	keys     []string
	values   []rawValue
	features []rawFeature
}

type rawValue struct {
	fields int // number of fields present (must be 1)
	field  uint64
	v      any
}

type rawFeature struct {
	id    uint64
	hasID bool
	tags  []uint64
	typ   uint64
	geom  []uint64
}

type pbReader struct {
	b   []byte
	err error
}

func (r *pbReader) varint() uint64 {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if len(r.b) == 0 || shift > 63 {
			r.err = errors.New("truncated varint")
			return 0
		}
		c := r.b[0]
		r.b = r.b[1:]
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
}

func (r *pbReader) bytes() []byte {
	n := r.varint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.err = errors.New("truncated bytes")
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *pbReader) fixed(n int) []byte {
	if len(r.b) < n {
		r.err = errors.New("truncated fixed")
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *pbReader) skip(wire uint64) {
	switch wire {
	case 0:
		r.varint()
	case 1:
		r.fixed(8)
	case 2:
		r.bytes()
	case 5:
		r.fixed(4)
	default:
		r.err = fmt.Errorf("bad wire type %d", wire)
	}
}

func packed(b []byte) ([]uint64, error) {
	r := &pbReader{b: b}
	var out []uint64
	for len(r.b) > 0 && r.err == nil {
		out = append(out, r.varint())
	}
	return out, r.err
}

func parseRawTile(b []byte) (*rawTile, error) {
	t := &rawTile{}
	r := &pbReader{b: b}
	for len(r.b) > 0 && r.err == nil {
		key := r.varint()
		if key>>3 == 3 && key&7 == 2 {
			l, err := parseRawLayer(r.bytes())
			if err != nil {
				return nil, err
			}
			t.layers = append(t.layers, l)
			continue
		}
		r.skip(key & 7)
	}
	return t, r.err
}

func parseRawLayer(b []byte) (rawLayer, error) {
	l := rawLayer{extent: 4096, version: 1}
	r := &pbReader{b: b}
	for len(r.b) > 0 && r.err == nil {
		key := r.varint()
		field, wire := key>>3, key&7
		if l.first == 0 {
			l.first = int(field)
		}
		switch {
		case field == 15 && wire == 0:
			l.version = r.varint()
		case field == 1 && wire == 2:
			l.name = string(r.bytes())
		case field == 2 && wire == 2:
			f, err := parseRawFeature(r.bytes())
			if err != nil {
				return l, err
			}
			l.features = append(l.features, f)
		case field == 3 && wire == 2:
			l.keys = append(l.keys, string(r.bytes()))
		case field == 4 && wire == 2:
			l.values = append(l.values, parseRawValue(r.bytes()))
		case field == 5 && wire == 0:
			l.extent = r.varint()
		default:
			r.skip(wire)
		}
	}
	return l, r.err
}

func parseRawFeature(b []byte) (rawFeature, error) {
	var f rawFeature
	r := &pbReader{b: b}
	for len(r.b) > 0 && r.err == nil {
		key := r.varint()
		field, wire := key>>3, key&7
		var err error
		switch {
		case field == 1 && wire == 0:
			f.id, f.hasID = r.varint(), true
		case field == 2 && wire == 2:
			f.tags, err = packed(r.bytes())
		case field == 3 && wire == 0:
			f.typ = r.varint()
		case field == 4 && wire == 2:
			f.geom, err = packed(r.bytes())
		default:
			r.skip(wire)
		}
		if err != nil {
			return f, err
		}
	}
	return f, r.err
}

func parseRawValue(b []byte) rawValue {
	var v rawValue
	r := &pbReader{b: b}
	for len(r.b) > 0 && r.err == nil {
		key := r.varint()
		field, wire := key>>3, key&7
		v.fields++
		v.field = field
		switch {
		case field == 1 && wire == 2:
			v.v = string(r.bytes())
		case field == 2 && wire == 5:
			p := r.fixed(4)
			v.v = float64(math.Float32frombits(uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16 | uint32(p[3])<<24))
		case field == 3 && wire == 1:
			p := r.fixed(8)
			var u uint64
			for i := 7; i >= 0; i-- {
				u = u<<8 | uint64(p[i])
			}
			v.v = math.Float64frombits(u)
		case field == 4 && wire == 0:
			v.v = float64(int64(r.varint()))
		case field == 5 && wire == 0:
			v.v = float64(r.varint())
		case field == 6 && wire == 0:
			u := r.varint()
			v.v = float64(int64(u>>1) ^ -int64(u&1))
		case field == 7 && wire == 0:
			v.v = r.varint() != 0
		default:
			r.skip(wire)
		}
	}
	return v
}

// ipoint is a decoded tile coordinate.
type ipoint [2]int64

// decodedGeom is a geometry decoded under the strict rules.
type decodedGeom struct {
	points []ipoint
	lines  [][]ipoint
	polys  [][][]ipoint // polygons -> rings (open) ; first ring exterior
}

func unzig(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

func ringArea2i(r []ipoint) int64 {
	var s int64
	for i := range r {
		a, b := r[i], r[(i+1)%len(r)]
		s += a[0]*b[1] - b[0]*a[1]
	}
	return s
}

// decodeStrict decodes a feature geometry and enforces the MVT 2.1
// encoding rules for its type.
func decodeStrict(typ uint64, g []uint64) (decodedGeom, error) {
	var d decodedGeom
	var cx, cy int64
	i := 0
	cmd := func() (uint64, uint64, error) {
		if i >= len(g) {
			return 0, 0, errors.New("missing command")
		}
		c := g[i]
		i++
		return c & 7, c >> 3, nil
	}
	params := func(n uint64, noZero bool) ([]ipoint, error) {
		if uint64(len(g)-i) < 2*n {
			return nil, errors.New("truncated parameters")
		}
		var pts []ipoint
		for range n {
			dx, dy := unzig(g[i]), unzig(g[i+1])
			i += 2
			if noZero && dx == 0 && dy == 0 {
				return nil, errors.New("zero-length LineTo segment")
			}
			cx += dx
			cy += dy
			pts = append(pts, ipoint{cx, cy})
		}
		return pts, nil
	}
	switch typ {
	case 1: // POINT
		id, n, err := cmd()
		if err != nil || id != cmdMoveTo || n == 0 {
			return d, fmt.Errorf("point: want one MoveTo with count > 0, got id %d count %d (%v)", id, n, err)
		}
		if d.points, err = params(n, false); err != nil {
			return d, err
		}
		if i != len(g) {
			return d, errors.New("point: trailing commands")
		}
	case 2: // LINESTRING
		for i < len(g) {
			id, n, err := cmd()
			if err != nil || id != cmdMoveTo || n != 1 {
				return d, fmt.Errorf("line: want MoveTo(1), got id %d count %d", id, n)
			}
			start, err := params(1, false)
			if err != nil {
				return d, err
			}
			id, n, err = cmd()
			if err != nil || id != cmdLineTo || n == 0 {
				return d, fmt.Errorf("line: want LineTo(n>0), got id %d count %d", id, n)
			}
			rest, err := params(n, true)
			if err != nil {
				return d, err
			}
			d.lines = append(d.lines, append(start, rest...))
		}
		if len(d.lines) == 0 {
			return d, errors.New("line: empty geometry")
		}
	case 3: // POLYGON
		for i < len(g) {
			id, n, err := cmd()
			if err != nil || id != cmdMoveTo || n != 1 {
				return d, fmt.Errorf("polygon: want MoveTo(1), got id %d count %d", id, n)
			}
			start, err := params(1, false)
			if err != nil {
				return d, err
			}
			id, n, err = cmd()
			if err != nil || id != cmdLineTo || n < 2 {
				return d, fmt.Errorf("polygon: want LineTo(n>1), got id %d count %d", id, n)
			}
			rest, err := params(n, true)
			if err != nil {
				return d, err
			}
			id, n, err = cmd()
			if err != nil || id != cmdClosePath || n != 1 {
				return d, fmt.Errorf("polygon: want ClosePath(1), got id %d count %d", id, n)
			}
			ring := append(start, rest...)
			if ring[len(ring)-1] == ring[0] {
				return d, errors.New("polygon: ring repeats its first point before ClosePath")
			}
			seen := map[ipoint]bool{}
			for _, p := range ring {
				if seen[p] {
					return d, fmt.Errorf("polygon: ring visits %v twice", p)
				}
				seen[p] = true
			}
			a := ringArea2i(ring)
			switch {
			case a == 0:
				return d, errors.New("polygon: ring with zero area")
			case a > 0:
				d.polys = append(d.polys, [][]ipoint{ring})
			case len(d.polys) == 0:
				return d, errors.New("polygon: first ring is not exterior (negative area)")
			default:
				d.polys[len(d.polys)-1] = append(d.polys[len(d.polys)-1], ring)
			}
		}
		if len(d.polys) == 0 {
			return d, errors.New("polygon: empty geometry")
		}
	default:
		return d, fmt.Errorf("unknown geometry type %d", typ)
	}
	return d, nil
}

// toSF converts decoded polygons to a simplefeatures MultiPolygon.
func toSF(polys [][][]ipoint) sf.MultiPolygon {
	var ps []sf.Polygon
	for _, poly := range polys {
		var rs []sf.LineString
		for _, r := range poly {
			c := make([]float64, 0, 2*len(r)+2)
			for _, p := range r {
				c = append(c, float64(p[0]), float64(p[1]))
			}
			c = append(c, float64(r[0][0]), float64(r[0][1]))
			rs = append(rs, sf.NewLineString(sf.NewSequence(c, sf.DimXY)))
		}
		ps = append(ps, sf.NewPolygon(rs))
	}
	return sf.NewMultiPolygon(ps)
}

// checkedFeature is a feature that passed the strict checks.
type checkedFeature struct {
	id    uint64
	hasID bool
	props map[string]any
	typ   uint64
	geom  decodedGeom
}

type checkedLayer struct {
	name     string
	extent   int64
	features []checkedFeature
}

// checkTile parses a tile and checks it against MVT 2.1 and OGC polygon
// validity, returning the decoded layers.
func checkTile(b []byte) (map[string]checkedLayer, error) {
	t, err := parseRawTile(b)
	if err != nil {
		return nil, err
	}
	out := map[string]checkedLayer{}
	for _, l := range t.layers {
		if l.version != 2 {
			return nil, fmt.Errorf("layer %q: version %d, want 2", l.name, l.version)
		}
		if l.first != 15 {
			return nil, fmt.Errorf("layer %q: first field %d, want version (15)", l.name, l.first)
		}
		if l.name == "" {
			return nil, errors.New("layer without name")
		}
		if _, dup := out[l.name]; dup {
			return nil, fmt.Errorf("duplicate layer %q", l.name)
		}
		if len(l.features) == 0 {
			return nil, fmt.Errorf("layer %q has no features", l.name)
		}
		seenKey := map[string]bool{}
		for _, k := range l.keys {
			if seenKey[k] {
				return nil, fmt.Errorf("layer %q: duplicate key %q", l.name, k)
			}
			seenKey[k] = true
		}
		for i, v := range l.values {
			if v.fields != 1 {
				return nil, fmt.Errorf("layer %q: value %d has %d fields", l.name, i, v.fields)
			}
		}
		cl := checkedLayer{name: l.name, extent: int64(l.extent)}
		for fi, f := range l.features {
			if len(f.tags)%2 != 0 {
				return nil, fmt.Errorf("layer %q feature %d: odd tag count", l.name, fi)
			}
			props := map[string]any{}
			for k := 0; k < len(f.tags); k += 2 {
				ki, vi := f.tags[k], f.tags[k+1]
				if ki >= uint64(len(l.keys)) || vi >= uint64(len(l.values)) {
					return nil, fmt.Errorf("layer %q feature %d: tag index out of range", l.name, fi)
				}
				if _, dup := props[l.keys[ki]]; dup {
					return nil, fmt.Errorf("layer %q feature %d: key %q twice", l.name, fi, l.keys[ki])
				}
				props[l.keys[ki]] = l.values[vi].v
			}
			g, err := decodeStrict(f.typ, f.geom)
			if err != nil {
				return nil, fmt.Errorf("layer %q feature %d (id %d): %w", l.name, fi, f.id, err)
			}
			if f.typ == 3 {
				if err := toSF(g.polys).Validate(); err != nil {
					return nil, fmt.Errorf("layer %q feature %d (id %d): OGC-invalid: %w", l.name, fi, f.id, err)
				}
			}
			cl.features = append(cl.features, checkedFeature{id: f.id, hasID: f.hasID, props: props, typ: f.typ, geom: g})
		}
		out[l.name] = cl
	}
	return out, nil
}
