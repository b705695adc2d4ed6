package cql2

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// ParseText parses a filter in CQL2 text.
func ParseText(s string) (Expr, error) {
	if len(s) > MaxLength {
		return nil, &SyntaxError{Pos: MaxLength, Msg: fmt.Sprintf("the filter is longer than %d bytes", MaxLength)}
	}
	if !utf8.ValidString(s) {
		pos := 0
		for pos < len(s) {
			r, size := utf8.DecodeRuneInString(s[pos:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			pos += size
		}
		return nil, &SyntaxError{Pos: pos, Msg: "the filter is not valid UTF-8"}
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &textParser{toks: toks}
	e, err := p.orExpr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errAt(t, "expected AND, OR or the end of the filter, found %s", t.describe())
	}
	return e, nil
}

type textParser struct {
	toks []token
	i    int
}

func (p *textParser) peek() token { return p.toks[p.i] }

func (p *textParser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *textParser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *textParser) errAt(t token, format string, args ...any) error {
	return &SyntaxError{Pos: t.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *textParser) expect(s string) (token, error) {
	t := p.next()
	if !t.is(s) {
		return t, p.errAt(t, "expected %q, found %s", s, t.describe())
	}
	return t, nil
}

func (p *textParser) depth(d int) error {
	if d > MaxDepth {
		return p.errAt(p.peek(), "the filter nests deeper than %d levels", MaxDepth)
	}
	return nil
}

func (p *textParser) orExpr(d int) (Expr, error) {
	if err := p.depth(d); err != nil {
		return nil, err
	}
	e, err := p.andExpr(d + 1)
	if err != nil {
		return nil, err
	}
	args := []Expr{e}
	for p.peek().is("OR") {
		p.next()
		e, err := p.andExpr(d + 1)
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	if len(args) == 1 {
		return args[0], nil
	}
	return Or{Args: args}, nil
}

func (p *textParser) andExpr(d int) (Expr, error) {
	e, err := p.notExpr(d + 1)
	if err != nil {
		return nil, err
	}
	args := []Expr{e}
	for p.peek().is("AND") {
		p.next()
		e, err := p.notExpr(d + 1)
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	if len(args) == 1 {
		return args[0], nil
	}
	return And{Args: args}, nil
}

func (p *textParser) notExpr(d int) (Expr, error) {
	if err := p.depth(d); err != nil {
		return nil, err
	}
	if p.peek().is("NOT") {
		p.next()
		e, err := p.notExpr(d + 1)
		if err != nil {
			return nil, err
		}
		return Not{Arg: e}, nil
	}
	return p.primary(d + 1)
}

// spatialFunctions are the spatial functions understood.
var spatialFunctions = []string{"S_INTERSECTS"}

func (p *textParser) primary(d int) (Expr, error) {
	t := p.peek()
	switch {
	case t.is("("):
		p.next()
		e, err := p.orExpr(d + 1)
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		return e, nil
	case (t.is("TRUE") || t.is("FALSE")) && !isPredicateOp(p.peekAt(1)):
		p.next()
		return Bool(t.is("TRUE")), nil
	case t.kind == tokIdent && p.peekAt(1).is("("):
		for _, f := range spatialFunctions {
			if t.is(f) {
				return p.spatial(f)
			}
		}
		if isLiteralKeyword(t) {
			break // a predicate starting with a literal
		}
		return nil, p.errAt(t, "unknown function %s (functions understood: %s)", t.describe(), strings.Join(spatialFunctions, ", "))
	}
	return p.predicate()
}

func isPredicateOp(t token) bool {
	if t.kind == tokPunct && t.text != "(" && t.text != ")" && t.text != "," {
		return true
	}
	for _, k := range []string{"LIKE", "ILIKE", "BETWEEN", "IN", "IS", "NOT"} {
		if t.is(k) {
			return true
		}
	}
	return false
}

func isLiteralKeyword(t token) bool {
	for _, k := range []string{"DATE", "TIMESTAMP", "BBOX", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON"} {
		if t.is(k) {
			return true
		}
	}
	return false
}

func (p *textParser) spatial(name string) (Expr, error) {
	p.next()
	p.next() // (
	a, err := p.operand()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(","); err != nil {
		return nil, err
	}
	b, err := p.operand()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	return Spatial{Op: name, A: a, B: b}, nil
}

func (p *textParser) predicate() (Expr, error) {
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	t := p.next()
	not := false
	if t.is("NOT") {
		not = true
		t = p.next()
		if !t.is("LIKE") && !t.is("ILIKE") && !t.is("BETWEEN") && !t.is("IN") {
			return nil, p.errAt(t, "expected LIKE, BETWEEN or IN after NOT, found %s", t.describe())
		}
	}
	switch {
	case t.kind == tokPunct && (t.text == "=" || t.text == "<>" || t.text == "<" || t.text == ">" || t.text == "<=" || t.text == ">="):
		right, err := p.operand()
		if err != nil {
			return nil, err
		}
		return Comparison{Op: CompOp(t.text), Left: left, Right: right}, nil
	case t.is("LIKE") || t.is("ILIKE"):
		pat, err := p.operand()
		if err != nil {
			return nil, err
		}
		return Like{Value: left, Pattern: pat, Not: not, CaseInsensitive: t.is("ILIKE")}, nil
	case t.is("BETWEEN"):
		lo, err := p.operand()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect("AND"); err != nil {
			return nil, err
		}
		hi, err := p.operand()
		if err != nil {
			return nil, err
		}
		return Between{Value: left, Low: lo, High: hi, Not: not}, nil
	case t.is("IN"):
		if _, err := p.expect("("); err != nil {
			return nil, err
		}
		var list []Operand
		for {
			x, err := p.operand()
			if err != nil {
				return nil, err
			}
			list = append(list, x)
			sep := p.next()
			if sep.is(")") {
				break
			}
			if !sep.is(",") {
				return nil, p.errAt(sep, "expected \",\" or \")\" in the IN list, found %s", sep.describe())
			}
		}
		return In{Value: left, List: list, Not: not}, nil
	case t.is("IS"):
		n := p.next()
		isNot := false
		if n.is("NOT") {
			isNot = true
			n = p.next()
		}
		if !n.is("NULL") {
			return nil, p.errAt(n, "expected NULL after IS, found %s", n.describe())
		}
		return IsNull{Value: left, Not: isNot}, nil
	}
	return nil, p.errAt(t, "expected a comparison (=, <>, <, >, <=, >=), LIKE, BETWEEN, IN or IS NULL, found %s", t.describe())
}

// operand reads a property name or a literal.
func (p *textParser) operand() (Operand, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return String(t.text), nil
	case tokQuoted:
		return Property{Name: t.text}, nil
	case tokNumber:
		x, err := strconv.ParseFloat(t.text, 64)
		if err != nil || math.IsInf(x, 0) {
			return nil, p.errAt(t, "number %s is out of range", t.describe())
		}
		return Number(x), nil
	case tokIdent:
		if p.peek().is("(") {
			switch {
			case t.is("DATE"), t.is("TIMESTAMP"):
				return p.instant(t)
			case t.is("BBOX"):
				return p.bbox()
			case isLiteralKeyword(t):
				g, err := p.geometry(t)
				if err != nil {
					return nil, err
				}
				return Geometry{Geometry: g}, nil
			}
			return nil, p.errAt(t, "unknown function %s", t.describe())
		}
		switch {
		case t.is("TRUE"):
			return Bool(true), nil
		case t.is("FALSE"):
			return Bool(false), nil
		}
		for _, k := range []string{"AND", "OR", "NOT", "LIKE", "ILIKE", "BETWEEN", "IN", "IS", "NULL"} {
			if t.is(k) {
				return nil, p.errAt(t, "expected a property or a value, found the keyword %s (quote a property of that name: \"%s\")", strings.ToUpper(k), t.text)
			}
		}
		return Property{Name: t.text}, nil
	}
	return nil, p.errAt(t, "expected a property or a value, found %s", t.describe())
}

func (p *textParser) instant(kw token) (Operand, error) {
	p.next() // (
	s := p.next()
	if s.kind != tokString {
		return nil, p.errAt(s, "expected a quoted date or time in %s(...), found %s", strings.ToUpper(kw.text), s.describe())
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	if kw.is("DATE") {
		d, err := parseDate(s.text)
		if err != nil {
			return nil, p.errAt(s, "%s is not a date YYYY-MM-DD", s.describe())
		}
		return Date{Time: d}, nil
	}
	ts, err := parseTimestamp(s.text)
	if err != nil {
		return nil, p.errAt(s, "%s is not an RFC 3339 timestamp (e.g. 2025-10-12T06:00:00Z)", s.describe())
	}
	return Timestamp{Time: ts}, nil
}

func parseDate(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }

func parseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

func (p *textParser) number() (float64, error) {
	t := p.next()
	if t.kind != tokNumber {
		return 0, p.errAt(t, "expected a number, found %s", t.describe())
	}
	x, err := strconv.ParseFloat(t.text, 64)
	if err != nil || math.IsInf(x, 0) {
		return 0, p.errAt(t, "number %s is out of range", t.describe())
	}
	return x, nil
}

func (p *textParser) bbox() (Operand, error) {
	open, _ := p.expect("(")
	var v []float64
	for {
		x, err := p.number()
		if err != nil {
			return nil, err
		}
		v = append(v, x)
		sep := p.next()
		if sep.is(")") {
			break
		}
		if !sep.is(",") {
			return nil, p.errAt(sep, "expected \",\" or \")\" in BBOX, found %s", sep.describe())
		}
	}
	b, err := makeBBox(v)
	if err != nil {
		return nil, p.errAt(open, "%s", err.Error())
	}
	return BBox{Bound: b}, nil
}

// makeBBox checks a box of 4 numbers (or 6 with heights, ignored).
func makeBBox(v []float64) (orb.Bound, error) {
	if len(v) == 6 {
		v = []float64{v[0], v[1], v[3], v[4]}
	}
	if len(v) != 4 {
		return orb.Bound{}, fmt.Errorf("BBOX takes 4 numbers (west, south, east, north), not %d", len(v))
	}
	if v[0] > v[2] || v[1] > v[3] {
		return orb.Bound{}, fmt.Errorf("BBOX(%g, %g, %g, %g) has west > east or south > north (boxes across the antimeridian are not supported)", v[0], v[1], v[2], v[3])
	}
	if err := checkLonLat(v[0], v[1]); err != nil {
		return orb.Bound{}, err
	}
	if err := checkLonLat(v[2], v[3]); err != nil {
		return orb.Bound{}, err
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

func checkLonLat(lon, lat float64) error {
	if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return fmt.Errorf("coordinate (%g %g) is outside longitude -180..180, latitude -90..90 (CRS84)", lon, lat)
	}
	return nil
}

// geometry reads WKT after its keyword.
func (p *textParser) geometry(kw token) (orb.Geometry, error) {
	switch {
	case kw.is("POINT"):
		p.next()
		pt, err := p.point()
		if err != nil {
			return nil, err
		}
		_, err = p.expect(")")
		return pt, err
	case kw.is("MULTIPOINT"):
		var mp orb.MultiPoint
		err := p.list(func() error {
			// MULTIPOINT((1 2), (3 4)) or MULTIPOINT(1 2, 3 4)
			if p.peek().is("(") {
				p.next()
				pt, err := p.point()
				if err != nil {
					return err
				}
				mp = append(mp, pt)
				_, err = p.expect(")")
				return err
			}
			pt, err := p.point()
			mp = append(mp, pt)
			return err
		})
		return mp, err
	case kw.is("LINESTRING"):
		ls, err := p.line(2)
		return orb.LineString(ls), err
	case kw.is("POLYGON"):
		return p.polygon()
	case kw.is("MULTILINESTRING"):
		var ml orb.MultiLineString
		err := p.list(func() error {
			ls, err := p.line(2)
			ml = append(ml, orb.LineString(ls))
			return err
		})
		return ml, err
	case kw.is("MULTIPOLYGON"):
		var mp orb.MultiPolygon
		err := p.list(func() error {
			pg, err := p.polygon()
			mp = append(mp, pg)
			return err
		})
		return mp, err
	}
	return nil, p.errAt(kw, "unknown geometry %s", kw.describe())
}

// list reads "(" item {"," item} ")".
func (p *textParser) list(item func() error) error {
	if _, err := p.expect("("); err != nil {
		return err
	}
	for {
		if err := item(); err != nil {
			return err
		}
		sep := p.next()
		if sep.is(")") {
			return nil
		}
		if !sep.is(",") {
			return p.errAt(sep, "expected \",\" or \")\", found %s", sep.describe())
		}
	}
}

func (p *textParser) point() (orb.Point, error) {
	t := p.peek()
	x, err := p.number()
	if err != nil {
		return orb.Point{}, err
	}
	y, err := p.number()
	if err != nil {
		return orb.Point{}, err
	}
	if p.peek().kind == tokNumber {
		return orb.Point{}, p.errAt(p.peek(), "coordinates with a height are not supported")
	}
	if err := checkLonLat(x, y); err != nil {
		return orb.Point{}, p.errAt(t, "%s", err.Error())
	}
	return orb.Point{x, y}, nil
}

// line reads "(" point {"," point} ")" with at least min points.
func (p *textParser) line(min int) ([]orb.Point, error) {
	open := p.peek()
	var pts []orb.Point
	err := p.list(func() error {
		pt, err := p.point()
		pts = append(pts, pt)
		return err
	})
	if err == nil && len(pts) < min {
		err = p.errAt(open, "a line needs at least %d points, not %d", min, len(pts))
	}
	return pts, err
}

func (p *textParser) polygon() (orb.Polygon, error) {
	var pg orb.Polygon
	err := p.list(func() error {
		open := p.peek()
		pts, err := p.line(4)
		if err != nil {
			return err
		}
		if pts[0] != pts[len(pts)-1] {
			return p.errAt(open, "a polygon ring must end where it starts")
		}
		pg = append(pg, orb.Ring(pts))
		return nil
	})
	return pg, err
}
