package cql2

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

type feat struct {
	props map[string]any
	geom  orb.Geometry
}

func (f feat) Property(n string) any { return f.props[n] }
func (f feat) Geometry() (orb.Geometry, orb.Bound) {
	if f.geom == nil {
		return nil, orb.Bound{}
	}
	return f.geom, f.geom.Bound()
}

var testQ = Queryables{"kind": TypeString, "killed": TypeNumber, "date": TypeDate, "open": TypeBoolean,
	"name": TypeString, "geometry": TypeGeometry, "at": TypeTimestamp}

// events is a small fixture: what each filter selects is checked by a
// rule written independently in Go (want) over every feature.
var events = []feat{
	{map[string]any{"kind": "airstrike", "killed": 12.0, "date": "2025-10-12", "name": "Kabul strike", "open": true, "at": "2025-10-12T03:00:00Z"}, orb.Point{69.17, 34.53}},
	{map[string]any{"kind": "clash", "killed": 3.0, "date": "2025-10-15", "name": "Spin Boldak clash", "open": false}, orb.Point{66.4, 30.99}},
	{map[string]any{"kind": "talks", "killed": nil, "date": "2025-10-19", "name": "Doha talks"}, orb.Point{51.53, 25.29}},
	{map[string]any{"kind": "airstrike", "killed": 40.0, "date": "2025-10-17", "name": "Paktika strikes", "at": "2025-10-17T22:00:00+04:30"}, orb.Point{69.0, 32.6}},
	{map[string]any{"kind": "closure", "date": "2025-10-12", "name": "Torkham closed"}, orb.LineString{{71.0, 34.1}, {71.2, 34.2}}},
	{map[string]any{"kind": "zone", "name": "100% O'Brien_zone"}, orb.Polygon{{{70, 33}, {71, 33}, {71, 34}, {70, 34}, {70, 33}}}},
	{map[string]any{"kind": "none"}, nil},
}

func num(f feat, k string) (float64, bool) { x, ok := f.props[k].(float64); return x, ok }
func date(f feat) (time.Time, bool) {
	s, ok := f.props["date"].(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}
func d(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }

func TestFilters(t *testing.T) {
	cases := []struct {
		name, text string
		want       func(f feat) bool
	}{
		{"equality", "kind = 'airstrike'", func(f feat) bool { return f.props["kind"] == "airstrike" }},
		{"not equal skips nulls", "kind <> 'airstrike'", func(f feat) bool { k, ok := f.props["kind"].(string); return ok && k != "airstrike" }},
		{"number", "killed > 5", func(f feat) bool { k, ok := num(f, "killed"); return ok && k > 5 }},
		{"and/or precedence", "kind = 'clash' OR kind = 'airstrike' AND killed > 20", func(f feat) bool {
			k, ok := num(f, "killed")
			return f.props["kind"] == "clash" || (f.props["kind"] == "airstrike" && ok && k > 20)
		}},
		{"parentheses", "(kind = 'clash' OR kind = 'airstrike') AND killed > 5", func(f feat) bool {
			k, ok := num(f, "killed")
			return (f.props["kind"] == "clash" || f.props["kind"] == "airstrike") && ok && k > 5
		}},
		{"not of unknown is unknown", "NOT (killed > 5)", func(f feat) bool { k, ok := num(f, "killed"); return ok && !(k > 5) }},
		{"like", "name LIKE '%strike%'", func(f feat) bool { s, _ := f.props["name"].(string); return strings.Contains(s, "strike") }},
		{"like is case-sensitive", "name LIKE 'kabul%'", func(f feat) bool { return false }},
		{"ilike", "name ILIKE 'kabul%'", func(f feat) bool { return f.props["name"] == "Kabul strike" }},
		{"like escapes", `name LIKE '100\% O''Brien\_%'`, func(f feat) bool { return f.props["name"] == "100% O'Brien_zone" }},
		{"not like", "name NOT LIKE '%a%'", func(f feat) bool { s, ok := f.props["name"].(string); return ok && !strings.Contains(s, "a") }},
		{"between", "killed BETWEEN 3 AND 12", func(f feat) bool { k, ok := num(f, "killed"); return ok && k >= 3 && k <= 12 }},
		{"not between", "killed NOT BETWEEN 3 AND 12", func(f feat) bool { k, ok := num(f, "killed"); return ok && !(k >= 3 && k <= 12) }},
		{"in", "kind IN ('talks', 'closure')", func(f feat) bool { return f.props["kind"] == "talks" || f.props["kind"] == "closure" }},
		{"not in", "kind NOT IN ('talks', 'closure')", func(f feat) bool {
			k, ok := f.props["kind"].(string)
			return ok && k != "talks" && k != "closure"
		}},
		{"is null", "killed IS NULL", func(f feat) bool { return f.props["killed"] == nil }},
		{"is not null", "killed IS NOT NULL", func(f feat) bool { return f.props["killed"] != nil }},
		{"boolean", "open = TRUE", func(f feat) bool { return f.props["open"] == true }},
		{"date", "date >= DATE('2025-10-15')", func(f feat) bool { t, ok := date(f); return ok && !t.Before(d("2025-10-15")) }},
		{"date interval", "date BETWEEN DATE('2025-10-10') AND DATE('2025-10-16') AND kind = 'airstrike'", func(f feat) bool {
			t, ok := date(f)
			return ok && !t.Before(d("2025-10-10")) && !t.After(d("2025-10-16")) && f.props["kind"] == "airstrike"
		}},
		{"date as text (GDAL)", "date = '2025-10-12'", func(f feat) bool { return f.props["date"] == "2025-10-12" }},
		{"date as GDAL 3.6 writes it", "date >= '2025-10-17T'", func(f feat) bool { t, ok := date(f); return ok && !t.Before(d("2025-10-17")) }},
		{"timestamp", "at < TIMESTAMP('2025-10-17T17:30:00Z')", func(f feat) bool { return f.props["name"] == "Kabul strike" }},
		{"timestamp offset", "at > TIMESTAMP('2025-10-17T17:29:59Z')", func(f feat) bool { return f.props["name"] == "Paktika strikes" }},
		{"true", "TRUE", func(f feat) bool { return true }},
		{"false", "FALSE", func(f feat) bool { return false }},
		{"point in polygon", "S_INTERSECTS(geometry, POINT(70.5 33.5))", func(f feat) bool { return f.props["kind"] == "zone" }},
		{"bbox", "S_INTERSECTS(geometry, BBOX(68, 32, 72, 35))", func(f feat) bool {
			return f.props["kind"] == "airstrike" || f.props["kind"] == "closure" || f.props["kind"] == "zone"
		}},
		{"polygon", "s_intersects(geometry, POLYGON((65 29, 67 29, 67 32, 65 32, 65 29)))", func(f feat) bool { return f.props["kind"] == "clash" }},
		{"line crossing polygon", "S_INTERSECTS(LINESTRING(69.5 33.5, 70.5 33.5), geometry)", func(f feat) bool { return f.props["kind"] == "zone" }},
		{"quoted property", `"kind" = 'talks'`, func(f feat) bool { return f.props["kind"] == "talks" }},
		{"keywords ignore case", "kind in ('talks') or killed between 39 and 41", func(f feat) bool {
			return f.props["kind"] == "talks" || f.props["killed"] == 40.0
		}},
		{"negative and exponent", "killed > -1e1 AND killed < 1.2E1", func(f feat) bool { k, ok := num(f, "killed"); return ok && k < 12 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseText(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			// The same filter through both writers and parsers.
			e2, err := ParseText(Text(e))
			if err != nil || !reflect.DeepEqual(e, e2) {
				t.Fatalf("text round trip: %q -> %#v, %v", Text(e), e2, err)
			}
			js, err := JSON(e)
			if err != nil {
				t.Fatal(err)
			}
			e3, err := ParseJSON(js)
			if err != nil {
				t.Fatalf("%s: %v", js, err)
			}
			for _, ex := range []Expr{e, e3} {
				flt, err := Compile(ex, testQ)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for i, f := range events {
					if got := flt.Match(f); got != tc.want(f) {
						t.Errorf("%s: feature %d (%v): got %v", Text(ex), i, f.props, got)
					}
					if tc.want(f) {
						n++
					}
				}
				if n == 0 && tc.name != "false" && tc.name != "like is case-sensitive" {
					t.Errorf("the rule selects nothing: a weak case")
				}
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		text string
		pos  int
		msg  string
	}{
		{"kind = ", 7, "expected a property or a value"},
		{"kind == 'a'", 6, "expected a property or a value"},
		{"kind != 'a'", 5, "<>"},
		{"kind = 'a", 7, "not closed"},
		{"killed > 5 AND", 14, "expected a property"},
		{"(kind = 'a'", 11, `expected ")"`},
		{"kind = 'a' kind", 11, "expected AND, OR"},
		{"S_CROSSES(geometry, POINT(1 2))", 0, "unknown function"},
		{"S_INTERSECTS(geometry, POINT(1 2 3))", 33, "height"},
		{"S_INTERSECTS(geometry, POINT(200 2))", 29, "outside"},
		{"S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 0.5)))", 31, "end where it starts"},
		{"S_INTERSECTS(geometry, BBOX(1, 2, 0, 3))", 27, "west > east"},
		{"date > DATE('2025-13-01')", 12, "not a date"},
		{"kind IS 'a'", 8, "expected NULL"},
		{"kind NOT = 'a'", 9, "expected LIKE, BETWEEN or IN"},
		{"kind = 'a' AND AND", 15, "keyword AND"},
		{"kind IN ('a' 'b')", 13, "IN list"},
		{"kind = 'a' ; DROP", 11, "unexpected character"},
		{strings.Repeat("(", 100) + "TRUE" + strings.Repeat(")", 100), 0, "deeper"},
		{"kind = 'a\xffb'", 9, "not valid UTF-8"},
	}
	for _, tc := range cases {
		_, err := ParseText(tc.text)
		var se *SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: got %v, want a syntax error", tc.text, err)
			continue
		}
		if (tc.pos > 0 && se.Pos != tc.pos) || !strings.Contains(se.Msg, tc.msg) {
			t.Errorf("%q: got position %d %q, want %d containing %q", tc.text, se.Pos, se.Msg, tc.pos, tc.msg)
		}
	}
}

func TestJSON(t *testing.T) {
	ok := []struct{ js, text string }{
		{`{"op":"=","args":[{"property":"kind"},"airstrike"]}`, `"kind" = 'airstrike'`},
		{`{"op":"and","args":[{"op":">","args":[{"property":"killed"},5]},{"op":"<=","args":[{"property":"date"},{"date":"2025-10-20"}]}]}`,
			`("killed" > 5) AND ("date" <= DATE('2025-10-20'))`},
		{`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[70.5,33.5]}]}`, `S_INTERSECTS("geometry", POINT(70.5 33.5))`},
		{`{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[68,32,72,35]}]}`, `S_INTERSECTS("geometry", BBOX(68, 32, 72, 35))`},
		{`{"op":"in","args":[{"property":"kind"},["a","b"]]}`, `"kind" IN ('a', 'b')`},
		{`{"op":"not","args":[{"op":"isNull","args":[{"property":"killed"}]}]}`, `NOT ("killed" IS NULL)`},
		{`{"op":"like","args":[{"op":"casei","args":[{"property":"name"}]},{"op":"casei","args":["kabul%"]}]}`, `"name" ILIKE 'kabul%'`},
		{`{"op":"between","args":[{"property":"killed"},1,{"timestamp":"2025-10-12T06:00:00Z"}]}`, `"killed" BETWEEN 1 AND TIMESTAMP('2025-10-12T06:00:00Z')`},
		{`true`, `TRUE`},
	}
	for _, tc := range ok {
		e, err := ParseJSON([]byte(tc.js))
		if err != nil {
			t.Errorf("%s: %v", tc.js, err)
			continue
		}
		if got := Text(e); got != tc.text {
			t.Errorf("%s: got %s, want %s", tc.js, got, tc.text)
		}
	}
	bad := []struct{ js, path string }{
		{`{"op":"=","args":[{"property":"kind"}]}`, "$.args"},
		{`{"op":"and","args":[true,{"op":"x","args":[]}]}`, "$.args[1].op"},
		{`{"op":"=","args":[{"property":"kind"},{"foo":1}]}`, "$.args[1]"},
		{`{"op":"=","args":[{"property":"kind"},"a"],"x":1}`, "$"},
		{`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[200,1]}]}`, "$.args[1]"},
		{`{"op":"=","args":[1,2]`, "$"},
		{`{"op":"in","args":[{"property":"kind"},[]]}`, "$.args[1]"},
		{`"text"`, "$"},
		{`true false`, "$"},
	}
	for _, tc := range bad {
		_, err := ParseJSON([]byte(tc.js))
		var se *SyntaxError
		if !errors.As(err, &se) || se.Path != tc.path {
			t.Errorf("%s: got %v, want an error at %s", tc.js, err, tc.path)
		}
	}
}

func TestTypeErrors(t *testing.T) {
	for _, text := range []string{
		"nope = 1",
		"kind = 1",
		"killed = 'x'",
		"open > TRUE",
		"date = 'yesterday'",
		"name LIKE 5",
		"killed LIKE '5'",
		"geometry = 'x'",
		"S_INTERSECTS(kind, POINT(1 2))",
		"S_INTERSECTS(geometry, 'x')",
		"kind IN ('a', 2)",
	} {
		e, err := ParseText(text)
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		_, err = Compile(e, testQ)
		var te *TypeError
		if !errors.As(err, &te) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: got %v, want a type error", text, err)
		}
	}
}

// TestLikeMatch checks likeMatch against Go's regexp on every pattern
// over a small alphabet.
func TestLikeMatch(t *testing.T) {
	alphabet := []string{"a", "b", "%", "_", `\%`, "é"}
	texts := []string{"", "a", "b", "ab", "ba", "aab", "%", "a%b", "_", "é", "aéb", "abab"}
	var pats []string
	var gen func(prefix string, n int)
	gen = func(prefix string, n int) {
		pats = append(pats, prefix)
		if n == 0 {
			return
		}
		for _, a := range alphabet {
			gen(prefix+a, n-1)
		}
	}
	gen("", 4)
	for _, p := range pats {
		var re strings.Builder
		re.WriteString("^")
		rs := []rune(p)
		for i := 0; i < len(rs); i++ {
			switch {
			case rs[i] == '\\' && i+1 < len(rs):
				re.WriteString(regexp.QuoteMeta(string(rs[i+1])))
				i++
			case rs[i] == '%':
				re.WriteString("(?s:.*)")
			case rs[i] == '_':
				re.WriteString("(?s:.)")
			default:
				re.WriteString(regexp.QuoteMeta(string(rs[i])))
			}
		}
		re.WriteString("$")
		rx := regexp.MustCompile(re.String())
		for _, s := range texts {
			if got, want := likeMatch(s, p), rx.MatchString(s); got != want {
				t.Errorf("%q LIKE %q: got %v, want %v", s, p, got, want)
			}
		}
	}
}

func TestLimits(t *testing.T) {
	if _, err := ParseText(strings.Repeat(" ", MaxLength+1)); !errors.Is(err, ErrInvalid) {
		t.Errorf("over-long filter: %v", err)
	}
	deep := strings.Repeat(`{"op":"not","args":[`, 100) + "true" + strings.Repeat("]}", 100)
	if _, err := ParseJSON([]byte(deep)); !errors.Is(err, ErrInvalid) {
		t.Errorf("deep JSON: %v", err)
	}
	// A long pattern against long text stays quadratic at worst.
	long := strings.Repeat("a", 5000)
	if likeMatch(long, strings.Repeat("%a", 2000)+"%b") {
		t.Error("matched")
	}
}
