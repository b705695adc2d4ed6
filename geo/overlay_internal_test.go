package geo

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func square(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

func mpArea(mp orb.MultiPolygon) float64 {
	var a float64
	for _, p := range mp {
		for _, r := range p {
			a += ringArea(r)
		}
	}
	return a
}

func TestIntersectRegions(t *testing.T) {
	hole := reversed(square(0.4, 0.4, 0.6, 0.6))
	tests := []struct {
		name     string
		a, b     []orb.Ring
		area     float64
		polygons int
		err      error
	}{
		{"overlapping squares", []orb.Ring{square(0, 0, 1, 1)}, []orb.Ring{square(0.5, 0.5, 1.5, 1.5)}, 0.25, 1, nil},
		{"disjoint", []orb.Ring{square(0, 0, 1, 1)}, []orb.Ring{square(2, 2, 3, 3)}, 0, 0, nil},
		{"b inside a", []orb.Ring{square(0, 0, 1, 1)}, []orb.Ring{square(0.25, 0.25, 0.75, 0.75)}, 0.25, 1, nil},
		{"a inside b", []orb.Ring{square(0.25, 0.25, 0.75, 0.75)}, []orb.Ring{square(0, 0, 1, 1)}, 0.25, 1, nil},
		{"hole in a kept", []orb.Ring{square(0, 0, 1, 1), hole}, []orb.Ring{square(0.1, 0.1, 0.9, 0.9)}, 0.64 - 0.04, 1, nil},
		{"hole in a cut", []orb.Ring{square(0, 0, 1, 1), hole}, []orb.Ring{square(0.5, -1, 2, 2)}, 0.5 - 0.02, 1, nil},
		{"band across a comb gives two pieces", []orb.Ring{{{0, 0}, {3, 0}, {3, 2}, {2, 2}, {2, 1}, {1, 1}, {1, 2}, {0, 2}, {0, 0}}},
			[]orb.Ring{square(-1, 1.5, 4, 3)}, 0.5 + 0.5, 2, nil},
		{"shared edge is refused", []orb.Ring{square(0, 0, 1, 1)}, []orb.Ring{square(1, 0, 2, 1)}, 0, 0, ErrGeometry},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mp, err := intersectRegions(tc.a, tc.b)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(mp) != tc.polygons || math.Abs(mpArea(mp)-tc.area) > 1e-12 {
				t.Errorf("%d polygons of area %v, want %d of %v: %v", len(mp), mpArea(mp), tc.polygons, tc.area, mp)
			}
			for _, p := range mp {
				if ringArea(p[0]) <= 0 {
					t.Errorf("exterior ring is clockwise")
				}
				for _, h := range p[1:] {
					if ringArea(h) >= 0 {
						t.Errorf("hole is counter-clockwise")
					}
				}
			}
		})
	}
}

// TestLevelRingsOfASegment: the band around one short segment is a
// stadium of radius N, whose every vertex is N from the segment.
func TestLevelRingsOfASegment(t *testing.T) {
	b, err := newBorder("s", "segment", orb.LineString{{69, 33}, {69.2, 33.1}})
	if err != nil {
		t.Fatal(err)
	}
	const N = 10000
	rings, err := b.levelRings(N)
	if err != nil {
		t.Fatal(err)
	}
	if len(rings) != 1 || ringArea(rings[0]) <= 0 {
		t.Fatalf("%d rings, want one counter-clockwise", len(rings))
	}
	for _, p := range rings[0] {
		if d := b.nearest(p).Metres; math.Abs(d-N) > 0.001*N {
			t.Errorf("vertex %v at %.1f m", p, d)
		}
	}
	// Area: π N² + 2 L N, in square degrees at this latitude.
	L := Distance(b.Line[0], b.Line[1])
	want := (math.Pi*N*N + 2*L*N) / (110900 * 111320 * math.Cos(33.05*math.Pi/180))
	if got := ringArea(rings[0]); math.Abs(got-want)/want > 0.01 {
		t.Errorf("area %.6f deg², want about %.6f", got, want)
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in       string
		end      bool
		want     string
		prec     DatePrecision
		wantFail bool
	}{
		{"2025-10-11", false, "2025-10-11", DateDay, false},
		{"2025-10-11", true, "2025-10-11", DateDay, false},
		{"2025-08", false, "2025-08-01", DateMonth, false},
		{"2025-08", true, "2025-08-31", DateMonth, false},
		{"2024-02", true, "2024-02-29", DateMonth, false},
		{"2007", false, "2007-01-01", DateYear, false},
		{"2007", true, "2007-12-31", DateYear, false},
		{"2025-13", false, "", "", true},
		{"2025-02-30", false, "", "", true},
		{"25-10-11", false, "", "", true},
		{"2025-1-1", false, "", "", true},
		{"", false, "", "", true},
		{"2025-10-11T00:00", false, "", "", true},
	}
	for _, tc := range tests {
		got, p, err := parseDate(tc.in, tc.end)
		if tc.wantFail {
			if err == nil {
				t.Errorf("parseDate(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got.Format("2006-01-02") != tc.want || p != tc.prec || got.Location() != time.UTC {
			t.Errorf("parseDate(%q, %v) = %v %s %v, want %s %s", tc.in, tc.end, got, p, err, tc.want, tc.prec)
		}
	}
}

func TestUnionLength(t *testing.T) {
	tests := []struct {
		name string
		iv   []interval
		want float64
	}{
		{"none", nil, 0},
		{"one", []interval{{0, 10}}, 10},
		{"overlap", []interval{{5, 15}, {0, 10}}, 15},
		{"apart", []interval{{0, 1}, {2, 3}}, 2},
		{"nested", []interval{{0, 10}, {2, 3}}, 10},
	}
	for _, tc := range tests {
		if got := unionLength(tc.iv); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2025-10-11", "2025-08", "2007", "", "2025-13-01", "9999-12", "0000"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, end bool) {
		d, p, err := parseDate(s, end)
		if err != nil {
			return
		}
		if d.Hour() != 0 || d.Location() != time.UTC || p == "" {
			t.Fatalf("parseDate(%q) = %v, %q", s, d, p)
		}
		if first, _, _ := parseDate(s, false); d.Before(first) {
			t.Fatalf("parseDate(%q, end) = %v before its start %v", s, d, first)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add("crossing_id,status,from,to,note,source_publisher,source_url,source_date\ntorkham,closed,2025-10-11,2025-10-31,n,Dawn,https://x,\n")
	f.Add("crossing_id,status,from,to,note,source_publisher,source_url,source_date\nx,open,,2025-08,,P,u,\n")
	f.Add("crossing_id,status\n")
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := parseStatus(strings.NewReader(s))
		if err != nil {
			if !errors.Is(err, ErrInvalidData) {
				t.Fatalf("error %v is not an ErrInvalidData", err)
			}
			return
		}
		for _, p := range ps {
			if !p.Status.valid() || (!p.From.IsZero() && !p.To.IsZero() && p.To.Before(p.From)) {
				t.Fatalf("accepted %+v", p)
			}
		}
	})
}

func FuzzParseEvents(f *testing.F) {
	head := strings.Join(eventColumns, ",") + "\n"
	f.Add(head + "e1,2025-10-11,2025-10-12,clash,P,,,D,,source,,Kunar,AFG,,,district,,1,,0,2,,,n,,S,Pub,https://x,\n")
	f.Add(head + "e1,2025-10-11,,talks,P,,,,,,,,TUR,28.9,41,town,,,,,,,,,,S,Pub,https://x,\n")
	f.Add(head + "e1,2025-10-11,2025-10-10,clash,P,,,,,,,,AFG,,,town,,,,,,,,,,S,Pub,https://x,\n")
	f.Add("id,date\n")
	f.Fuzz(func(t *testing.T, s string) {
		es, err := parseEvents(bytes.NewReader([]byte(s)))
		if err != nil {
			if !errors.Is(err, ErrInvalidData) {
				t.Fatalf("error %v is not an ErrInvalidData", err)
			}
			return
		}
		for _, e := range es {
			if e.End.Before(e.Date) || len(e.Countries) == 0 || e.Severity < 0 || e.Severity > 5 {
				t.Fatalf("accepted %+v", e)
			}
			c := e.Casualties
			if _, lo, hi := c.killedRange(); lo > hi {
				t.Fatalf("accepted killed range %d-%d", lo, hi)
			}
		}
	})
}
