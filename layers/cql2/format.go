package cql2

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/geojson"
)

// Text writes e in CQL2 text; ParseText reads it back as e.
func Text(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

// writeNegated writes the operand of a predicate, followed by " NOT" when
// the predicate is negated (a NOT LIKE b, a NOT BETWEEN …, a NOT IN …).
func writeNegated(b *strings.Builder, v Operand, not bool) {
	writeOperand(b, v)
	if not {
		b.WriteString(" NOT")
	}
}

func writeExpr(b *strings.Builder, e Expr) {
	switch x := e.(type) {
	case And:
		writeJoined(b, x.Args, " AND ")
	case Or:
		writeJoined(b, x.Args, " OR ")
	case Not:
		b.WriteString("NOT (")
		writeExpr(b, x.Arg)
		b.WriteString(")")
	case Bool:
		b.WriteString(strings.ToUpper(strconv.FormatBool(bool(x))))
	case Comparison:
		writeOperand(b, x.Left)
		b.WriteString(" " + string(x.Op) + " ")
		writeOperand(b, x.Right)
	case Like:
		writeNegated(b, x.Value, x.Not)
		if x.CaseInsensitive {
			b.WriteString(" ILIKE ")
		} else {
			b.WriteString(" LIKE ")
		}
		writeOperand(b, x.Pattern)
	case Between:
		writeNegated(b, x.Value, x.Not)
		b.WriteString(" BETWEEN ")
		writeOperand(b, x.Low)
		b.WriteString(" AND ")
		writeOperand(b, x.High)
	case In:
		writeNegated(b, x.Value, x.Not)
		b.WriteString(" IN (")
		for i, o := range x.List {
			if i > 0 {
				b.WriteString(", ")
			}
			writeOperand(b, o)
		}
		b.WriteString(")")
	case IsNull:
		writeOperand(b, x.Value)
		if x.Not {
			b.WriteString(" IS NOT NULL")
		} else {
			b.WriteString(" IS NULL")
		}
	case Spatial:
		b.WriteString(x.Op + "(")
		writeOperand(b, x.A)
		b.WriteString(", ")
		writeOperand(b, x.B)
		b.WriteString(")")
	}
}

func writeJoined(b *strings.Builder, args []Expr, sep string) {
	for i, a := range args {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString("(")
		writeExpr(b, a)
		b.WriteString(")")
	}
}

func writeOperand(b *strings.Builder, o Operand) {
	switch x := o.(type) {
	case Property:
		b.WriteString(`"` + x.Name + `"`)
	case String:
		b.WriteString("'" + strings.ReplaceAll(string(x), "'", "''") + "'")
	case Number:
		b.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 64))
	case Bool:
		b.WriteString(strings.ToUpper(strconv.FormatBool(bool(x))))
	case Date:
		b.WriteString("DATE('" + x.Time.Format(time.DateOnly) + "')")
	case Timestamp:
		b.WriteString("TIMESTAMP('" + x.Time.UTC().Format(time.RFC3339Nano) + "')")
	case BBox:
		b.WriteString("BBOX(" + strings.Join([]string{fnum(x.Bound.Min[0]), fnum(x.Bound.Min[1]), fnum(x.Bound.Max[0]), fnum(x.Bound.Max[1])}, ", ") + ")")
	case Geometry:
		writeWKT(b, x.Geometry)
	}
}

func fnum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// writeWKT writes a geometry in WKT with coordinates that read back
// exactly.
func writeWKT(b *strings.Builder, g orb.Geometry) {
	pts := func(ps []orb.Point) string {
		s := make([]string, len(ps))
		for i, p := range ps {
			s[i] = fnum(p[0]) + " " + fnum(p[1])
		}
		return "(" + strings.Join(s, ", ") + ")"
	}
	poly := func(pg orb.Polygon) string {
		s := make([]string, len(pg))
		for i, r := range pg {
			s[i] = pts(r)
		}
		return "(" + strings.Join(s, ", ") + ")"
	}
	switch x := g.(type) {
	case orb.Point:
		b.WriteString("POINT" + pts([]orb.Point{x}))
	case orb.MultiPoint:
		b.WriteString("MULTIPOINT" + pts(x))
	case orb.LineString:
		b.WriteString("LINESTRING" + pts(x))
	case orb.Polygon:
		b.WriteString("POLYGON" + poly(x))
	case orb.MultiLineString:
		s := make([]string, len(x))
		for i, l := range x {
			s[i] = pts(l)
		}
		b.WriteString("MULTILINESTRING(" + strings.Join(s, ", ") + ")")
	case orb.MultiPolygon:
		s := make([]string, len(x))
		for i, pg := range x {
			s[i] = poly(pg)
		}
		b.WriteString("MULTIPOLYGON(" + strings.Join(s, ", ") + ")")
	default:
		b.WriteString(wkt.MarshalString(g))
	}
}

// JSON writes e in CQL2 JSON; ParseJSON reads it back. NOT LIKE,
// NOT BETWEEN and NOT IN are written as a not operation around the
// predicate, and IS NOT NULL as not around isNull, since CQL2 JSON has
// no negated forms; ILIKE is like with CASEI on both sides.
func JSON(e Expr) ([]byte, error) {
	return json.Marshal(jsonOf(e))
}

type jop struct {
	Op   string `json:"op"`
	Args []any  `json:"args"`
}

func jsonOf(e Expr) any {
	neg := func(not bool, v any) any {
		if not {
			return jop{"not", []any{v}}
		}
		return v
	}
	switch x := e.(type) {
	case And:
		return jop{"and", jsonExprs(x.Args)}
	case Or:
		return jop{"or", jsonExprs(x.Args)}
	case Not:
		return jop{"not", []any{jsonOf(x.Arg)}}
	case Bool:
		return bool(x)
	case Comparison:
		return jop{string(x.Op), []any{jsonOperandOf(x.Left), jsonOperandOf(x.Right)}}
	case Like:
		a, p := jsonOperandOf(x.Value), jsonOperandOf(x.Pattern)
		if x.CaseInsensitive {
			a, p = jop{"casei", []any{a}}, jop{"casei", []any{p}}
		}
		return neg(x.Not, jop{"like", []any{a, p}})
	case Between:
		return neg(x.Not, jop{"between", []any{jsonOperandOf(x.Value), jsonOperandOf(x.Low), jsonOperandOf(x.High)}})
	case In:
		list := make([]any, len(x.List))
		for i, o := range x.List {
			list[i] = jsonOperandOf(o)
		}
		return neg(x.Not, jop{"in", []any{jsonOperandOf(x.Value), list}})
	case IsNull:
		return neg(x.Not, jop{"isNull", []any{jsonOperandOf(x.Value)}})
	case Spatial:
		return jop{strings.ToLower(x.Op), []any{jsonOperandOf(x.A), jsonOperandOf(x.B)}}
	}
	return nil
}

func jsonExprs(es []Expr) []any {
	out := make([]any, len(es))
	for i, e := range es {
		out[i] = jsonOf(e)
	}
	return out
}

func jsonOperandOf(o Operand) any {
	switch x := o.(type) {
	case Property:
		return map[string]string{"property": x.Name}
	case String:
		return string(x)
	case Number:
		return float64(x)
	case Bool:
		return bool(x)
	case Date:
		return map[string]string{"date": x.Time.Format(time.DateOnly)}
	case Timestamp:
		return map[string]string{"timestamp": x.Time.UTC().Format(time.RFC3339Nano)}
	case BBox:
		return map[string][]float64{"bbox": {x.Bound.Min[0], x.Bound.Min[1], x.Bound.Max[0], x.Bound.Max[1]}}
	case Geometry:
		return geojson.NewGeometry(x.Geometry)
	}
	return nil
}
