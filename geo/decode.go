package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// decodeCollection decodes a GeoJSON FeatureCollection. It gives the same
// result as geojson.UnmarshalFeatureCollection for the geometry types the
// atlas uses, several times faster: a json.Decoder walks the structure
// (member names matched exactly, as RFC 7946 requires) and decodes the
// properties, while coordinate arrays, most of the bytes, are parsed by
// coordParser in one pass.
func decodeCollection(data []byte) (*geojson.FeatureCollection, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	fc := geojson.NewFeatureCollection()
	typ := ""
	err := decodeObject(dec, func(key string) error {
		switch key {
		case "type":
			return dec.Decode(&typ)
		case "features":
			fc.Features = fc.Features[:0]
			return decodeArray(dec, func() error {
				f, err := decodeFeature(dec, len(fc.Features))
				if err == nil {
					fc.Features = append(fc.Features, f)
				}
				return err
			})
		}
		return skipValue(dec)
	})
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the FeatureCollection")
	}
	if typ != "FeatureCollection" {
		return nil, fmt.Errorf("type is %q, want FeatureCollection", typ)
	}
	return fc, nil
}

func decodeFeature(dec *json.Decoder, i int) (*geojson.Feature, error) {
	f := &geojson.Feature{Properties: geojson.Properties{}}
	var gtype string
	var coords json.RawMessage
	hasGeom := false
	err := decodeObject(dec, func(key string) error {
		switch key {
		case "type":
			return dec.Decode(&f.Type)
		case "id":
			return dec.Decode(&f.ID)
		case "properties":
			var p geojson.Properties
			if err := dec.Decode(&p); err != nil {
				return err
			}
			if p != nil {
				f.Properties = p
			}
			return nil
		case "geometry":
			gtype, coords, hasGeom = "", nil, false
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			if tok == nil {
				return nil
			}
			if tok != json.Delim('{') {
				return fmt.Errorf("geometry is not an object")
			}
			hasGeom = true
			return decodeMembers(dec, func(key string) error {
				switch key {
				case "type":
					return dec.Decode(&gtype)
				case "coordinates":
					return dec.Decode(&coords)
				}
				return skipValue(dec)
			})
		}
		return skipValue(dec)
	})
	if err != nil {
		return nil, fmt.Errorf("feature %d: %w", i, err)
	}
	if f.Type != "Feature" {
		return nil, fmt.Errorf("feature %d: type is %q, want Feature", i, f.Type)
	}
	if hasGeom {
		g, err := decodeGeometry(gtype, coords)
		if err != nil {
			return nil, fmt.Errorf("feature %d: %w", i, err)
		}
		f.Geometry = g
	}
	return f, nil
}

// decodeObject reads a JSON object, calling member for each key with the
// decoder positioned at its value (which member must consume).
func decodeObject(dec *json.Decoder, member func(key string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("want a JSON object, got %v", tok)
	}
	return decodeMembers(dec, member)
}

// decodeMembers reads the members of an object whose '{' has been read.
func decodeMembers(dec *json.Decoder, member func(key string) error) error {
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("want a member name, got %v", tok)
		}
		if err := member(key); err != nil {
			return err
		}
	}
	_, err := dec.Token() // '}'
	return err
}

func decodeArray(dec *json.Decoder, elem func() error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("want a JSON array, got %v", tok)
	}
	for dec.More() {
		if err := elem(); err != nil {
			return err
		}
	}
	_, err = dec.Token() // ']'
	return err
}

func skipValue(dec *json.Decoder) error {
	var raw json.RawMessage
	return dec.Decode(&raw)
}

var errCoords = errors.New("malformed coordinates")

func decodeGeometry(typ string, raw []byte) (orb.Geometry, error) {
	c := &coordParser{b: raw}
	var g orb.Geometry
	var err error
	switch typ {
	case "Point":
		var p orb.Point
		p, err = c.point()
		g = p
	case "MultiPoint":
		var ps []orb.Point
		ps, err = c.points()
		g = orb.MultiPoint(ps)
	case "LineString":
		var ps []orb.Point
		ps, err = c.points()
		g = orb.LineString(ps)
	case "MultiLineString":
		var ls [][]orb.Point
		ls, err = c.pointLists()
		mls := make(orb.MultiLineString, len(ls))
		for i, l := range ls {
			mls[i] = l
		}
		g = mls
	case "Polygon":
		var rs [][]orb.Point
		rs, err = c.pointLists()
		g = toPolygon(rs)
	case "MultiPolygon":
		var mp orb.MultiPolygon
		err = c.array(func() error {
			rs, err := c.pointLists()
			mp = append(mp, toPolygon(rs))
			return err
		})
		if mp == nil {
			mp = orb.MultiPolygon{}
		}
		g = mp
	default:
		return nil, fmt.Errorf("unsupported geometry type %q", typ)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", typ, err)
	}
	if c.skipSpace(); c.i != len(c.b) {
		return nil, fmt.Errorf("%s: %w: trailing data", typ, errCoords)
	}
	return g, nil
}

func toPolygon(rs [][]orb.Point) orb.Polygon {
	p := make(orb.Polygon, len(rs))
	for i, r := range rs {
		p[i] = r
	}
	return p
}

// coordParser reads nested JSON arrays of numbers.
type coordParser struct {
	b []byte
	i int
}

func (c *coordParser) skipSpace() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

func (c *coordParser) expect(ch byte) error {
	c.skipSpace()
	if c.i >= len(c.b) || c.b[c.i] != ch {
		return fmt.Errorf("%w: want %q at byte %d", errCoords, ch, c.i)
	}
	c.i++
	return nil
}

// array calls elem for each element of a JSON array.
func (c *coordParser) array(elem func() error) error {
	if err := c.expect('['); err != nil {
		return err
	}
	c.skipSpace()
	if c.i < len(c.b) && c.b[c.i] == ']' {
		c.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		c.skipSpace()
		if c.i >= len(c.b) {
			return fmt.Errorf("%w: unterminated array", errCoords)
		}
		switch c.b[c.i] {
		case ',':
			c.i++
		case ']':
			c.i++
			return nil
		default:
			return fmt.Errorf("%w: unexpected %q at byte %d", errCoords, c.b[c.i], c.i)
		}
	}
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// number reads a JSON number. Plain decimals with at most 15 significant
// digits take the exact fast path (an integer mantissa below 2^53 divided by
// an exactly representable power of ten is correctly rounded); anything
// else goes to strconv.ParseFloat.
func (c *coordParser) number() (float64, error) {
	c.skipSpace()
	start := c.i
	neg := false
	if c.i < len(c.b) && c.b[c.i] == '-' {
		neg = true
		c.i++
	}
	var mant uint64
	digits, frac := 0, 0
	dot, simple := false, true
	for c.i < len(c.b) {
		ch := c.b[c.i]
		switch {
		case ch >= '0' && ch <= '9':
			if digits < 19 {
				mant = mant*10 + uint64(ch-'0')
			}
			if mant != 0 || ch != '0' {
				digits++
			}
			if dot {
				frac++
			}
		case ch == '.' && !dot:
			dot = true
		case ch == 'e' || ch == 'E' || ch == '+' || ch == '-' || ch == '.':
			simple = false
		default:
			goto done
		}
		c.i++
	}
done:
	if c.i == start || (neg && c.i == start+1) {
		return 0, fmt.Errorf("%w: want a number at byte %d", errCoords, start)
	}
	if simple && digits <= 15 && frac <= 22 && !(dot && frac == 0) && c.b[c.i-1] != '.' {
		f := float64(mant) / pow10[frac]
		if neg {
			f = -f
		}
		return f, nil
	}
	f, err := strconv.ParseFloat(string(c.b[start:c.i]), 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errCoords, err)
	}
	return f, nil
}

// point reads [x, y] or [x, y, z...]; extra dimensions are dropped as orb does.
func (c *coordParser) point() (orb.Point, error) {
	var p orb.Point
	n := 0
	err := c.array(func() error {
		f, err := c.number()
		if n < 2 {
			p[n] = f
		}
		n++
		return err
	})
	if err == nil && n < 2 {
		err = fmt.Errorf("%w: a position needs at least 2 numbers", errCoords)
	}
	return p, err
}

func (c *coordParser) points() ([]orb.Point, error) {
	ps := []orb.Point{}
	err := c.array(func() error {
		p, err := c.point()
		ps = append(ps, p)
		return err
	})
	return ps, err
}

func (c *coordParser) pointLists() ([][]orb.Point, error) {
	var out [][]orb.Point
	err := c.array(func() error {
		ps, err := c.points()
		out = append(out, ps)
		return err
	})
	return out, err
}
