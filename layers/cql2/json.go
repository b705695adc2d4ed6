package cql2

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// ParseJSON parses a filter in CQL2 JSON.
func ParseJSON(b []byte) (Expr, error) {
	if len(b) > MaxLength {
		return nil, &SyntaxError{Pos: MaxLength, Msg: fmt.Sprintf("the filter is longer than %d bytes", MaxLength)}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		pos := int(dec.InputOffset())
		var se *json.SyntaxError
		if errors.As(err, &se) {
			pos = int(se.Offset)
		}
		return nil, &SyntaxError{Pos: pos, Path: "$", Msg: "malformed JSON: " + err.Error()}
	}
	if dec.More() {
		return nil, &SyntaxError{Pos: int(dec.InputOffset()), Path: "$", Msg: "more than one JSON value"}
	}
	return jsonExpr(v, "$", 0)
}

func jsonErr(path, format string, args ...any) error {
	return &SyntaxError{Pos: -1, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// jsonOp returns the op and args of an operation object.
func jsonOp(v any, path string) (string, []any, bool, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", nil, false, nil
	}
	opv, ok := m["op"]
	if !ok {
		return "", nil, false, nil
	}
	op, ok := opv.(string)
	if !ok {
		return "", nil, true, jsonErr(path+".op", "op must be a string")
	}
	for k := range m {
		if k != "op" && k != "args" {
			return "", nil, true, jsonErr(path, "unexpected member %q in an operation", truncate(k))
		}
	}
	args, ok := m["args"].([]any)
	if !ok {
		return "", nil, true, jsonErr(path+".args", "args must be an array")
	}
	return op, args, true, nil
}

func jsonExpr(v any, path string, d int) (Expr, error) {
	if d > MaxDepth {
		return nil, jsonErr(path, "the filter nests deeper than %d levels", MaxDepth)
	}
	if b, ok := v.(bool); ok {
		return Bool(b), nil
	}
	op, args, isOp, err := jsonOp(v, path)
	if err != nil {
		return nil, err
	}
	if !isOp {
		return nil, jsonErr(path, "expected an operation {\"op\": ..., \"args\": [...]} or true/false")
	}
	c := jsonCall{op: op, args: args, path: path, d: d}
	switch strings.ToLower(op) {
	case "and", "or":
		return c.logical()
	case "not":
		if err := c.nargs(1); err != nil {
			return nil, err
		}
		e, err := jsonExpr(args[0], c.argPath(0), d+1)
		if err != nil {
			return nil, err
		}
		return Not{Arg: e}, nil
	case "=", "<>", "<", ">", "<=", ">=":
		o, err := c.operands(2)
		if err != nil {
			return nil, err
		}
		return Comparison{Op: CompOp(op), Left: o[0], Right: o[1]}, nil
	case "like":
		return c.like()
	case "between":
		o, err := c.operands(3)
		if err != nil {
			return nil, err
		}
		return Between{Value: o[0], Low: o[1], High: o[2]}, nil
	case "in":
		return c.in()
	case "isnull":
		o, err := c.operands(1)
		if err != nil {
			return nil, err
		}
		return IsNull{Value: o[0]}, nil
	case "s_intersects":
		o, err := c.operands(2)
		if err != nil {
			return nil, err
		}
		return Spatial{Op: "S_INTERSECTS", A: o[0], B: o[1]}, nil
	}
	return nil, jsonErr(path+".op", "unknown operation %q (understood: and, or, not, =, <>, <, >, <=, >=, like, between, in, isNull, s_intersects)", truncate(op))
}

// jsonCall is one operation of a CQL2 JSON filter being decoded: its name,
// its arguments, its JSON path and its depth.
type jsonCall struct {
	op   string
	args []any
	path string
	d    int
}

func (c jsonCall) argPath(i int) string { return fmt.Sprintf("%s.args[%d]", c.path, i) }

// nargs checks that the operation has n arguments.
func (c jsonCall) nargs(n int) error {
	if len(c.args) != n {
		return jsonErr(c.path+".args", "%s takes %d arguments, not %d", c.op, n, len(c.args))
	}
	return nil
}

// operands checks that the operation has n arguments and decodes them as
// operands.
func (c jsonCall) operands(n int) ([]Operand, error) {
	if err := c.nargs(n); err != nil {
		return nil, err
	}
	out := make([]Operand, len(c.args))
	for i, a := range c.args {
		o, err := jsonOperand(a, c.argPath(i), c.d+1)
		if err != nil {
			return nil, err
		}
		out[i] = o
	}
	return out, nil
}

// logical decodes and/or: two or more expressions.
func (c jsonCall) logical() (Expr, error) {
	if len(c.args) < 2 {
		return nil, jsonErr(c.path+".args", "%s takes at least 2 arguments, not %d", c.op, len(c.args))
	}
	es := make([]Expr, len(c.args))
	for i, a := range c.args {
		var err error
		if es[i], err = jsonExpr(a, c.argPath(i), c.d+1); err != nil {
			return nil, err
		}
	}
	if strings.EqualFold(c.op, "and") {
		return And{Args: es}, nil
	}
	return Or{Args: es}, nil
}

// like decodes like; CASEI on both sides is how ILIKE is written in CQL2
// JSON.
func (c jsonCall) like() (Expr, error) {
	if err := c.nargs(2); err != nil {
		return nil, err
	}
	a0, ci0 := unwrapCasei(c.args[0])
	a1, ci1 := unwrapCasei(c.args[1])
	ci := ci0 && ci1
	if !ci {
		a0, a1 = c.args[0], c.args[1]
	}
	v, err := jsonOperand(a0, c.argPath(0), c.d+1)
	if err != nil {
		return nil, err
	}
	pat, err := jsonOperand(a1, c.argPath(1), c.d+1)
	if err != nil {
		return nil, err
	}
	return Like{Value: v, Pattern: pat, CaseInsensitive: ci}, nil
}

// in decodes in: an operand and a non-empty array of operands.
func (c jsonCall) in() (Expr, error) {
	if err := c.nargs(2); err != nil {
		return nil, err
	}
	v, err := jsonOperand(c.args[0], c.argPath(0), c.d+1)
	if err != nil {
		return nil, err
	}
	list, ok := c.args[1].([]any)
	if !ok || len(list) == 0 {
		return nil, jsonErr(c.argPath(1), "the second argument of in must be a non-empty array")
	}
	out := make([]Operand, len(list))
	for i, x := range list {
		if out[i], err = jsonOperand(x, fmt.Sprintf("%s[%d]", c.argPath(1), i), c.d+1); err != nil {
			return nil, err
		}
	}
	return In{Value: v, List: out}, nil
}

func unwrapCasei(v any) (any, bool) {
	op, args, isOp, err := jsonOp(v, "")
	if err != nil || !isOp || !strings.EqualFold(op, "casei") || len(args) != 1 {
		return v, false
	}
	return args[0], true
}

func jsonOperand(v any, path string, d int) (Operand, error) {
	if d > MaxDepth {
		return nil, jsonErr(path, "the filter nests deeper than %d levels", MaxDepth)
	}
	switch x := v.(type) {
	case string:
		return String(x), nil
	case bool:
		return Bool(x), nil
	case json.Number:
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) {
			return nil, jsonErr(path, "number %s is out of range", truncate(x.String()))
		}
		return Number(f), nil
	case map[string]any:
		if len(x) == 1 {
			for k, val := range x {
				switch k {
				case "property":
					s, ok := val.(string)
					if !ok || s == "" {
						return nil, jsonErr(path+".property", "property must be a non-empty string")
					}
					return Property{Name: s}, nil
				case "date":
					s, _ := val.(string)
					t, err := parseDate(s)
					if err != nil {
						return nil, jsonErr(path+".date", "not a date YYYY-MM-DD")
					}
					return Date{Time: t}, nil
				case "timestamp":
					s, _ := val.(string)
					t, err := parseTimestamp(s)
					if err != nil {
						return nil, jsonErr(path+".timestamp", "not an RFC 3339 timestamp")
					}
					return Timestamp{Time: t}, nil
				case "bbox":
					arr, _ := val.([]any)
					nums := make([]float64, len(arr))
					for i, a := range arr {
						n, ok := a.(json.Number)
						f, err := n.Float64()
						if !ok || err != nil {
							return nil, jsonErr(path+".bbox", "bbox must be an array of numbers")
						}
						nums[i] = f
					}
					b, err := makeBBox(nums)
					if err != nil {
						return nil, jsonErr(path+".bbox", "%s", err.Error())
					}
					return BBox{Bound: b}, nil
				}
			}
		}
		if _, ok := x["type"]; ok {
			g, err := jsonGeometry(x)
			if err != nil {
				return nil, jsonErr(path, "%s", err.Error())
			}
			return Geometry{Geometry: g}, nil
		}
		if _, ok := x["op"]; ok {
			return nil, jsonErr(path, "a value is expected here, not an operation (functions are not supported)")
		}
	}
	return nil, jsonErr(path, "expected a value: text, number, boolean, {\"property\": ...}, {\"date\": ...}, {\"timestamp\": ...}, {\"bbox\": [...]} or a GeoJSON geometry")
}

// jsonGeometry decodes a GeoJSON geometry and checks its coordinates.
func jsonGeometry(m map[string]any) (orb.Geometry, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	g, err := geojson.UnmarshalGeometry(b)
	if err != nil {
		return nil, fmt.Errorf("not a GeoJSON geometry: %v", err)
	}
	switch g.Coordinates.(type) {
	case orb.Point, orb.MultiPoint, orb.LineString, orb.MultiLineString, orb.Polygon, orb.MultiPolygon:
	default:
		return nil, fmt.Errorf("geometry type %s is not supported", g.Type)
	}
	if err := checkGeometry(g.Coordinates); err != nil {
		return nil, err
	}
	return g.Coordinates, nil
}

// checkGeometry checks coordinates and the shape of lines and rings.
func checkGeometry(g orb.Geometry) error {
	var err error
	check := func(pts []orb.Point, min int, ring bool) {
		if err != nil {
			return
		}
		if len(pts) < min {
			err = fmt.Errorf("a line needs at least %d points, not %d", min, len(pts))
			return
		}
		if ring && pts[0] != pts[len(pts)-1] {
			err = errors.New("a polygon ring must end where it starts")
			return
		}
		for _, p := range pts {
			if math.IsNaN(p[0]) || math.IsNaN(p[1]) {
				err = errors.New("coordinate is not a number")
				return
			}
			if e := checkLonLat(p[0], p[1]); e != nil {
				err = e
				return
			}
		}
	}
	switch x := g.(type) {
	case orb.Point:
		check([]orb.Point{x}, 1, false)
	case orb.MultiPoint:
		check(x, 1, false)
	case orb.LineString:
		check(x, 2, false)
	case orb.MultiLineString:
		if len(x) == 0 {
			return errors.New("empty MultiLineString")
		}
		for _, l := range x {
			check(l, 2, false)
		}
	case orb.Polygon:
		if len(x) == 0 {
			return errors.New("empty Polygon")
		}
		for _, r := range x {
			check(r, 4, true)
		}
	case orb.MultiPolygon:
		if len(x) == 0 {
			return errors.New("empty MultiPolygon")
		}
		for _, pg := range x {
			if len(pg) == 0 {
				return errors.New("empty Polygon")
			}
			for _, r := range pg {
				check(r, 4, true)
			}
		}
	}
	return err
}
