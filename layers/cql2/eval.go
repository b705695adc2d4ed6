package cql2

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Type is the type of a queryable property.
type Type int

// The types of queryables, as JSON Schema describes them.
const (
	TypeString    Type = iota + 1 // "type": "string"
	TypeNumber                    // "type": "number"
	TypeBoolean                   // "type": "boolean"
	TypeDate                      // "type": "string", "format": "date"
	TypeTimestamp                 // "type": "string", "format": "date-time"
	TypeGeometry                  // the feature's geometry
)

func (t Type) String() string {
	switch t {
	case TypeString:
		return "text"
	case TypeNumber:
		return "number"
	case TypeBoolean:
		return "boolean"
	case TypeDate:
		return "date"
	case TypeTimestamp:
		return "timestamp"
	case TypeGeometry:
		return "geometry"
	}
	return "unknown"
}

// Queryables are the properties a filter may name, with their types.
type Queryables map[string]Type

// Feature is what a filter is evaluated on.
type Feature interface {
	// Property returns the value of a property as decoded from GeoJSON
	// (string, float64, bool), or nil when it is missing or null.
	Property(name string) any
	// Geometry returns the feature's geometry in CRS84 (nil when it has
	// none) and its bounding box.
	Geometry() (orb.Geometry, orb.Bound)
}

// Filter is a compiled expression.
type Filter struct {
	eval func(Feature) tri
	text string
}

// Match reports whether the filter is true for f.
func (flt *Filter) Match(f Feature) bool { return flt.eval(f) == triTrue }

// String returns the filter in CQL2 text.
func (flt *Filter) String() string { return flt.text }

// tri is a value of three-valued logic.
type tri int8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

func (t tri) not() tri {
	switch t {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	}
	return triUnknown
}

// Compile checks e against the queryables and returns its filter.
func Compile(e Expr, q Queryables) (*Filter, error) {
	c := compiler{q: q}
	f, err := c.expr(e)
	if err != nil {
		return nil, err
	}
	return &Filter{eval: f, text: Text(e)}, nil
}

type compiler struct{ q Queryables }

func (c compiler) names() string {
	var n []string
	for k := range c.q {
		n = append(n, k)
	}
	sort.Strings(n)
	return strings.Join(n, ", ")
}

func typeErr(format string, args ...any) error { return &TypeError{Msg: fmt.Sprintf(format, args...)} }

func (c compiler) expr(e Expr) (func(Feature) tri, error) {
	switch x := e.(type) {
	case Bool:
		v := triOf(bool(x))
		return func(Feature) tri { return v }, nil
	case And:
		return c.logical(x.Args, true)
	case Or:
		return c.logical(x.Args, false)
	case Not:
		f, err := c.expr(x.Arg)
		if err != nil {
			return nil, err
		}
		return func(ft Feature) tri { return f(ft).not() }, nil
	case Comparison:
		return c.comparison(x)
	case Between:
		return c.between(x)
	case In:
		return c.in(x)
	case IsNull:
		get, _, err := c.operand(x.Value)
		if err != nil {
			return nil, err
		}
		not := x.Not
		return func(ft Feature) tri { return triOf((get(ft) == nil) != not) }, nil
	case Like:
		return c.like(x)
	case Spatial:
		return c.spatial(x)
	}
	return nil, typeErr("unsupported expression %T", e)
}

// logical compiles And (isAnd) or Or over args, in three-valued logic.
func (c compiler) logical(args []Expr, isAnd bool) (func(Feature) tri, error) {
	fs := make([]func(Feature) tri, len(args))
	for i, a := range args {
		f, err := c.expr(a)
		if err != nil {
			return nil, err
		}
		fs[i] = f
	}
	// And: a false argument decides, else any unknown one makes it unknown,
	// else it is true. Or is the dual.
	decisive, otherwise := triFalse, triTrue
	if !isAnd {
		decisive, otherwise = triTrue, triFalse
	}
	return func(ft Feature) tri {
		out := otherwise
		for _, f := range fs {
			switch f(ft) {
			case decisive:
				return decisive
			case triUnknown:
				out = triUnknown
			}
		}
		return out
	}, nil
}

// between compiles Between as two comparisons, in three-valued logic.
func (c compiler) between(x Between) (func(Feature) tri, error) {
	lo, err := c.comparison(Comparison{Op: Ge, Left: x.Value, Right: x.Low})
	if err != nil {
		return nil, err
	}
	hi, err := c.comparison(Comparison{Op: Le, Left: x.Value, Right: x.High})
	if err != nil {
		return nil, err
	}
	not := x.Not
	return func(ft Feature) tri {
		a := lo(ft)
		if a == triFalse {
			return triOf(not)
		}
		b := hi(ft)
		out := triUnknown
		switch {
		case b == triFalse:
			out = triFalse
		case a == triTrue && b == triTrue:
			out = triTrue
		}
		if not {
			return out.not()
		}
		return out
	}, nil
}

// in compiles In as one equality per list item, in three-valued logic.
func (c compiler) in(x In) (func(Feature) tri, error) {
	fs := make([]func(Feature) tri, len(x.List))
	for i, o := range x.List {
		f, err := c.comparison(Comparison{Op: Eq, Left: x.Value, Right: o})
		if err != nil {
			return nil, err
		}
		fs[i] = f
	}
	not := x.Not
	return func(ft Feature) tri {
		out := triFalse
		for _, f := range fs {
			r := f(ft)
			if r == triTrue {
				out = triTrue
				break
			}
			if r == triUnknown {
				out = triUnknown
			}
		}
		if not {
			return out.not()
		}
		return out
	}, nil
}

// value is a scalar at evaluation: string, float64, bool or time.Time;
// nil is null.
type value = any

// operand returns a getter of the operand's value and its type.
func (c compiler) operand(o Operand) (func(Feature) value, Type, error) {
	switch x := o.(type) {
	case Property:
		t, ok := c.q[x.Name]
		if !ok {
			return nil, 0, typeErr("%q is not a queryable of this collection (queryables: %s)", truncate(x.Name), c.names())
		}
		name := x.Name
		switch t {
		case TypeDate, TypeTimestamp:
			return func(f Feature) value {
				s, ok := f.Property(name).(string)
				if !ok {
					return nil
				}
				tm, ok := parseInstant(s)
				if !ok {
					return nil
				}
				return tm
			}, t, nil
		case TypeGeometry:
			return nil, t, nil
		}
		return func(f Feature) value { return f.Property(name) }, t, nil
	case String:
		v := string(x)
		return func(Feature) value { return v }, TypeString, nil
	case Number:
		v := float64(x)
		return func(Feature) value { return v }, TypeNumber, nil
	case Bool:
		v := bool(x)
		return func(Feature) value { return v }, TypeBoolean, nil
	case Date:
		v := x.Time
		return func(Feature) value { return v }, TypeDate, nil
	case Timestamp:
		v := x.Time
		return func(Feature) value { return v }, TypeTimestamp, nil
	case Geometry, BBox:
		return nil, TypeGeometry, nil
	}
	return nil, 0, typeErr("unsupported operand %T", o)
}

// parseInstant reads a date (its start, UTC) or an RFC 3339 timestamp.
func parseInstant(s string) (time.Time, bool) {
	if t, err := parseDate(s); err == nil {
		return t, true
	}
	if t, err := parseTimestamp(s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

func temporal(t Type) bool { return t == TypeDate || t == TypeTimestamp }

func (c compiler) comparison(x Comparison) (func(Feature) tri, error) {
	// A text literal compared with a date or timestamp property is read
	// as an instant (GDAL's cql-text writes dates so).
	var err error
	if x.Left, err = c.asInstant(x.Left, x.Right); err != nil {
		return nil, err
	}
	if x.Right, err = c.asInstant(x.Right, x.Left); err != nil {
		return nil, err
	}
	l, lt, err := c.operand(x.Left)
	if err != nil {
		return nil, err
	}
	r, rt, err := c.operand(x.Right)
	if err != nil {
		return nil, err
	}
	if lt == TypeGeometry || rt == TypeGeometry {
		return nil, typeErr("geometries are compared with spatial functions (S_INTERSECTS), not %s", x.Op)
	}
	if lt != rt && !(temporal(lt) && temporal(rt)) {
		return nil, typeErr("cannot compare %s with %s in %s", lt, rt, Text(x))
	}
	if lt == TypeBoolean && x.Op != Eq && x.Op != Ne {
		return nil, typeErr("booleans are compared with = or <> only, not %s", x.Op)
	}
	op := x.Op
	return func(f Feature) tri {
		a, b := l(f), r(f)
		if a == nil || b == nil {
			return triUnknown
		}
		k, ok := cmp(a, b)
		if !ok {
			return triUnknown
		}
		switch op {
		case Eq:
			return triOf(k == 0)
		case Ne:
			return triOf(k != 0)
		case Lt:
			return triOf(k < 0)
		case Gt:
			return triOf(k > 0)
		case Le:
			return triOf(k <= 0)
		}
		return triOf(k >= 0)
	}, nil
}

// asInstant returns o as a Timestamp when it is a text literal and other
// is a date or timestamp property; otherwise o.
func (c compiler) asInstant(o, other Operand) (Operand, error) {
	s, ok := o.(String)
	p, isProp := other.(Property)
	if !ok || !isProp || !temporal(c.q[p.Name]) {
		return o, nil
	}
	// GDAL 3.6 writes a date as "2025-10-15T" (its SerializeDateTime
	// ends a date of three components with T); read that as the date.
	txt := strings.TrimSuffix(string(s), "T")
	if len(txt) != len(time.DateOnly) {
		txt = string(s)
	}
	t, ok := parseInstant(txt)
	if !ok {
		return nil, typeErr("'%s' is compared with the date %q but is not a date or timestamp", truncate(string(s)), p.Name)
	}
	return Timestamp{Time: t}, nil
}

// cmp compares two values of one type; ok is false when their dynamic
// types differ (a property holding a value of another type).
func cmp(a, b value) (int, bool) {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return strings.Compare(x, y), ok
	case float64:
		y, ok := b.(float64)
		if !ok || math.IsNaN(x) || math.IsNaN(y) {
			return 0, false
		}
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	case bool:
		y, ok := b.(bool)
		if !ok {
			return 0, false
		}
		if x == y {
			return 0, true
		}
		return 1, true
	case time.Time:
		y, ok := b.(time.Time)
		return x.Compare(y), ok
	}
	return 0, false
}

func (c compiler) like(x Like) (func(Feature) tri, error) {
	v, vt, err := c.operand(x.Value)
	if err != nil {
		return nil, err
	}
	p, pt, err := c.operand(x.Pattern)
	if err != nil {
		return nil, err
	}
	if vt != TypeString || pt != TypeString {
		return nil, typeErr("LIKE compares text, not %s with %s", vt, pt)
	}
	not, ci := x.Not, x.CaseInsensitive
	return func(f Feature) tri {
		s, ok1 := v(f).(string)
		pat, ok2 := p(f).(string)
		if !ok1 || !ok2 {
			return triUnknown
		}
		if ci {
			s, pat = strings.ToLower(s), strings.ToLower(pat)
		}
		return triOf(likeMatch(s, pat) != not)
	}, nil
}

// likeMatch matches s against a LIKE pattern: % any text, _ one
// character, \ escapes the next character. It runs in O(len(s) ×
// len(pattern)) at worst.
func likeMatch(s, pattern string) bool {
	type elem struct {
		r    rune
		kind byte // 'c' a character, '%' any text, '_' one character
	}
	var pat []elem
	for i := 0; i < len(pattern); {
		r, n := utf8.DecodeRuneInString(pattern[i:])
		i += n
		switch r {
		case '\\':
			if i < len(pattern) {
				r, n = utf8.DecodeRuneInString(pattern[i:])
				i += n
			}
			pat = append(pat, elem{r, 'c'})
		case '%':
			if len(pat) == 0 || pat[len(pat)-1].kind != '%' {
				pat = append(pat, elem{0, '%'})
			}
		case '_':
			pat = append(pat, elem{0, '_'})
		default:
			pat = append(pat, elem{r, 'c'})
		}
	}
	text := []rune(s)
	// Greedy matching with backtracking to the last %.
	ti, pi := 0, 0
	star, mark := -1, 0
	for ti < len(text) {
		switch {
		case pi < len(pat) && (pat[pi].kind == '_' || (pat[pi].kind == 'c' && pat[pi].r == text[ti])):
			ti++
			pi++
		case pi < len(pat) && pat[pi].kind == '%':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi].kind == '%' {
		pi++
	}
	return pi == len(pat)
}
