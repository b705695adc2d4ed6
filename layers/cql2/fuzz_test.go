package cql2

import (
	"reflect"
	"testing"
)

// FuzzParseText: any input parses or fails with an error, never a panic;
// what parses is written back to text that parses to the same filter and
// to JSON that parses to a filter with the same text, and compiles or
// fails with a TypeError.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{
		"kind = 'airstrike' AND killed > 5",
		"date BETWEEN DATE('2025-10-10') AND DATE('2025-10-20')",
		"S_INTERSECTS(geometry, POLYGON((65 29, 67 29, 67 32, 65 32, 65 29)))",
		"name NOT LIKE '%a\\%' OR kind IN ('x','y') OR killed IS NOT NULL",
		"NOT (open = TRUE) AND at < TIMESTAMP('2025-10-12T06:00:00Z')",
		"S_INTERSECTS(geometry, MULTIPOINT((1 2), (3 4)))",
		"S_INTERSECTS(geometry, BBOX(1,2,3,4))",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseText(s)
		if err != nil {
			return
		}
		txt := Text(e)
		e2, err := ParseText(txt)
		if err != nil || !reflect.DeepEqual(e, e2) {
			t.Fatalf("%q -> %q -> %v", s, txt, err)
		}
		js, err := JSON(e)
		if err != nil {
			t.Fatal(err)
		}
		if len(js) > MaxLength {
			// JSON escapes (\u0001 for a control character) can make the
			// JSON of a filter within MaxLength longer than MaxLength, which
			// ParseJSON refuses as it should.
			return
		}
		e3, err := ParseJSON(js)
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if flt, err := Compile(e3, testQ); err == nil {
			for _, ft := range events {
				flt.Match(ft)
			}
		}
	})
}

// FuzzParseJSON: any input parses or fails with an error, never a panic;
// what parses is written back to JSON that parses to the same filter.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`{"op":"and","args":[{"op":"=","args":[{"property":"kind"},"a"]},{"op":"in","args":[{"property":"killed"},[1,2]]}]}`,
		`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}]}`,
		`{"op":"like","args":[{"op":"casei","args":[{"property":"name"}]},{"op":"casei","args":["a%"]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseJSON(b)
		if err != nil {
			return
		}
		js, err := JSON(e)
		if err != nil {
			t.Fatal(err)
		}
		e2, err := ParseJSON(js)
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		js2, _ := JSON(e2)
		if string(js) != string(js2) {
			t.Fatalf("%s != %s", js, js2)
		}
		if flt, err := Compile(e2, testQ); err == nil {
			for _, ft := range events {
				flt.Match(ft)
			}
		}
	})
}
