package geo

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// decodeCollection decodes a GeoJSON FeatureCollection. It gives the same
// result as geojson.UnmarshalFeatureCollection for the geometry types the
// atlas uses, several times faster: a small scanner walks the structure
// (member names matched exactly after unescaping, as RFC 7946 requires),
// encoding/json decodes the properties, ids and skipped members, and the
// coordinate arrays, most of the bytes, are parsed by coordParser in one
// pass with the JSON number grammar, so nothing orb refuses is accepted.
func decodeCollection(data []byte) (*geojson.FeatureCollection, error) {
	sc := &scanner{b: data}
	fc := geojson.NewFeatureCollection()
	typ := ""
	err := sc.object(func(key string) error {
		switch key {
		case "type":
			return sc.stringValue(&typ)
		case "features":
			fc.Features = fc.Features[:0]
			return sc.array(func() error {
				f, err := decodeFeature(sc, len(fc.Features))
				if err == nil {
					fc.Features = append(fc.Features, f)
				}
				return err
			})
		}
		return sc.skip()
	})
	if err != nil {
		return nil, err
	}
	if sc.ws(); sc.i != len(sc.b) {
		return nil, errors.New("trailing data after the FeatureCollection")
	}
	if typ != "FeatureCollection" {
		return nil, fmt.Errorf("type is %q, want FeatureCollection", typ)
	}
	return fc, nil
}

func decodeFeature(sc *scanner, i int) (*geojson.Feature, error) {
	f := &geojson.Feature{Properties: geojson.Properties{}}
	var gtype string
	var coords []byte
	hasGeom := false
	err := sc.object(func(key string) error {
		switch key {
		case "type":
			return sc.stringValue(&f.Type)
		case "id":
			raw, err := sc.value()
			if err != nil {
				return err
			}
			f.ID = nil
			return json.Unmarshal(raw, &f.ID)
		case "properties":
			raw, err := sc.value()
			if err != nil {
				return err
			}
			var p geojson.Properties
			if err := json.Unmarshal(raw, &p); err != nil {
				return err
			}
			if p != nil {
				f.Properties = p
			}
			return nil
		case "geometry":
			gtype, coords, hasGeom = "", nil, false
			if sc.null() {
				return nil
			}
			hasGeom = true
			return sc.object(func(key string) error {
				switch key {
				case "type":
					return sc.stringValue(&gtype)
				case "coordinates":
					var err error
					coords, err = sc.coordinates()
					return err
				}
				return sc.skip()
			})
		}
		return sc.skip()
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

var errSyntax = errors.New("invalid JSON")

// scanner walks a JSON document.
type scanner struct {
	b []byte
	i int
}

// ws skips JSON whitespace.
func (sc *scanner) ws() {
	for sc.i < len(sc.b) {
		switch sc.b[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

func (sc *scanner) errorf(want string) error {
	if sc.i >= len(sc.b) {
		return fmt.Errorf("%w: want %s, got end of input", errSyntax, want)
	}
	return fmt.Errorf("%w: want %s at byte %d, got %q", errSyntax, want, sc.i, sc.b[sc.i])
}

// consume skips whitespace and the byte ch, reporting whether it was there.
func (sc *scanner) consume(ch byte) bool {
	sc.ws()
	if sc.i < len(sc.b) && sc.b[sc.i] == ch {
		sc.i++
		return true
	}
	return false
}

// null consumes a JSON null if one comes next.
func (sc *scanner) null() bool {
	sc.ws()
	if len(sc.b)-sc.i >= 4 && string(sc.b[sc.i:sc.i+4]) == "null" {
		sc.i += 4
		return true
	}
	return false
}

// object reads a JSON object, calling member for each member name with the
// scanner positioned at its value (which member must consume).
func (sc *scanner) object(member func(key string) error) error {
	if !sc.consume('{') {
		return sc.errorf("an object")
	}
	if sc.consume('}') {
		return nil
	}
	for {
		if sc.ws(); sc.i >= len(sc.b) || sc.b[sc.i] != '"' {
			return sc.errorf("a member name")
		}
		var key string
		if err := sc.stringValue(&key); err != nil {
			return err
		}
		if !sc.consume(':') {
			return sc.errorf("':'")
		}
		if err := member(key); err != nil {
			return err
		}
		if sc.consume(',') {
			continue
		}
		if sc.consume('}') {
			return nil
		}
		return sc.errorf("',' or '}'")
	}
}

// array reads a JSON array, calling elem for each element.
func (sc *scanner) array(elem func() error) error {
	if !sc.consume('[') {
		return sc.errorf("an array")
	}
	if sc.consume(']') {
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		if sc.consume(',') {
			continue
		}
		if sc.consume(']') {
			return nil
		}
		return sc.errorf("',' or ']'")
	}
}

// stringEnd returns the index just past the JSON string starting at i (at
// its opening quote) and whether it is plain: printable ASCII without
// escapes, so its bytes are its value.
func stringEnd(b []byte, i int) (end int, plain bool, err error) {
	plain = true
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1, plain, nil
		case c == '\\':
			plain = false
			j++ // the escaped byte; json.Unmarshal checks the escape
		case c < 0x20:
			return 0, false, fmt.Errorf("%w: control character in string at byte %d", errSyntax, j)
		case c >= utf8.RuneSelf:
			plain = false
		}
	}
	return 0, false, fmt.Errorf("%w: unterminated string", errSyntax)
}

// stringValue reads a JSON string into *s. A null leaves *s unchanged, as
// encoding/json does.
func (sc *scanner) stringValue(s *string) error {
	sc.ws()
	if sc.null() {
		return nil
	}
	if sc.i >= len(sc.b) || sc.b[sc.i] != '"' {
		return sc.errorf("a string")
	}
	end, plain, err := stringEnd(sc.b, sc.i)
	if err != nil {
		return err
	}
	raw := sc.b[sc.i:end]
	sc.i = end
	if plain {
		*s = string(raw[1 : len(raw)-1])
		return nil
	}
	return json.Unmarshal(raw, s)
}

// valueEnd returns the index just past the JSON value starting at i,
// matching brackets outside strings; the caller validates the value.
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, fmt.Errorf("%w: want a value, got end of input", errSyntax)
	}
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			end, _, err := stringEnd(b, j)
			if err != nil {
				return 0, err
			}
			if depth == 0 {
				return end, nil
			}
			j = end - 1
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return j, nil // the end of a scalar inside its container
			}
			depth--
			if depth == 0 {
				return j + 1, nil
			}
		case ',', ':', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return j, nil
			}
		}
	}
	if depth != 0 {
		return 0, fmt.Errorf("%w: unterminated value", errSyntax)
	}
	return len(b), nil
}

// value returns the bytes of the next JSON value; the caller decodes them
// with encoding/json, which validates them.
func (sc *scanner) value() ([]byte, error) {
	sc.ws()
	end, err := valueEnd(sc.b, sc.i)
	if err != nil {
		return nil, err
	}
	raw := sc.b[sc.i:end]
	sc.i = end
	return raw, nil
}

// skip consumes the next JSON value. It is decoded, as orb decodes foreign
// members, so that what orb refuses there (a number beyond float64, say)
// is refused here too.
func (sc *scanner) skip() error {
	raw, err := sc.value()
	if err != nil {
		return err
	}
	var v any
	return json.Unmarshal(raw, &v)
}

// coordinates returns the bytes of a coordinates value. They are not
// validated here: coordParser reads them with the JSON grammar.
func (sc *scanner) coordinates() ([]byte, error) {
	sc.ws()
	start := sc.i
	if start < len(sc.b) && sc.b[start] == '[' {
		depth := 0
		for j := start; j < len(sc.b); j++ {
			switch sc.b[j] {
			case '[':
				depth++
			case ']':
				depth--
				if depth == 0 {
					sc.i = j + 1
					return sc.b[start:sc.i], nil
				}
			case '"', '{', '}':
				// Not coordinates; let value find (and validate) the end.
				return sc.value()
			}
		}
		return nil, fmt.Errorf("%w: unterminated array", errSyntax)
	}
	return sc.value()
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
	if !validNumber(c.b[start:c.i]) {
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

// validNumber reports whether b is a JSON number:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}
