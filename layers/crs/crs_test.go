package crs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/durandline/durand/geo/geotest"
)

// grid is a dense grid over the border region and around it: every 0.25°
// from 59° to 77° E and 23° to 39.5° N (about 4,800 points).
func grid() []orb.Point {
	var out []orb.Point
	for lon := 59.0; lon <= 77; lon += 0.25 {
		for lat := 23.0; lat <= 39.5; lat += 0.25 {
			out = append(out, orb.Point{lon, lat})
		}
	}
	return out
}

// cs2cs converts points with PROJ's cs2cs from src to dst; input and
// output are in the CRSs' own axis orders, as PROJ takes them.
func cs2cs(t *testing.T, src, dst string, in []orb.Point) []orb.Point {
	t.Helper()
	tool := geotest.RequireTool(t, "cs2cs")
	var buf bytes.Buffer
	for _, p := range in {
		fmt.Fprintf(&buf, "%.12f %.12f\n", p[0], p[1])
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, "-f", "%.10f", src, dst)
	cmd.Stdin = &buf
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cs2cs %s %s: %v", src, dst, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(in) {
		t.Fatalf("cs2cs gave %d lines for %d points", len(lines), len(in))
	}
	res := make([]orb.Point, len(lines))
	for i, l := range lines {
		f := strings.Fields(l)
		x, err1 := strconv.ParseFloat(f[0], 64)
		y, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("cs2cs line %q", l)
		}
		res[i] = orb.Point{x, y}
	}
	return res
}

// metresPerDegree turns a difference in degrees at latitude lat into
// metres (roughly; for tolerances).
func degToMetres(d orb.Point, lat float64) float64 {
	return math.Hypot(d[0]*111320*math.Cos(lat*math.Pi/180), d[1]*110574)
}

// TestAgainstPROJ: every CRS converts every grid point as cs2cs does, to
// 1 cm (forward), and back (inverse) to 1 cm on the ground.
func TestAgainstPROJ(t *testing.T) {
	pts := grid()
	latlon := make([]orb.Point, len(pts))
	for i, p := range pts {
		latlon[i] = orb.Point{p[1], p[0]} // EPSG:4326 in PROJ is latitude, longitude
	}
	for _, c := range All()[1:] {
		t.Run(c.String(), func(t *testing.T) {
			want := cs2cs(t, "EPSG:4326", c.String(), latlon)
			worst := 0.0
			for i, p := range pts {
				got := c.Forward(p)
				var d float64
				if c.kind == 1 {
					d = degToMetres(orb.Point{got[1] - want[i][1], got[0] - want[i][0]}, p[1])
				} else {
					d = math.Hypot(got[0]-want[i][0], got[1]-want[i][1])
				}
				worst = math.Max(worst, d)
				if d > 0.01 {
					t.Fatalf("%v: got %v, cs2cs %v (%.4f m apart)", p, got, want[i], d)
				}
			}
			// The inverse: PROJ's positions back to CRS84.
			back := cs2cs(t, c.String(), "EPSG:4326", want)
			worstInv := 0.0
			for i := range want {
				got := c.Inverse(want[i])
				d := degToMetres(orb.Point{got[0] - back[i][1], got[1] - back[i][0]}, back[i][0])
				worstInv = math.Max(worstInv, d)
				if d > 0.01 {
					t.Fatalf("inverse of %v: got %v, cs2cs %v (%.4f m apart)", want[i], got, back[i], d)
				}
			}
			t.Logf("%s: %d points, worst %.2g m forward, %.2g m inverse", c, len(pts), worst, worstInv)
		})
	}
}

// TestRoundTrip: Inverse(Forward(p)) is p to 1e-9 degrees (0.1 mm) on
// the grid, for every CRS.
func TestRoundTrip(t *testing.T) {
	for _, c := range All() {
		for _, p := range grid() {
			q := c.Inverse(c.Forward(p))
			if math.Abs(q[0]-p[0]) > 1e-9 || math.Abs(q[1]-p[1]) > 1e-9 {
				t.Fatalf("%s: %v -> %v -> %v", c, p, c.Forward(p), q)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", URICRS84},
		{"OGC:CRS84", URICRS84},
		{"EPSG:4326", URIEPSG4326},
		{"https://www.opengis.net/def/crs/EPSG/0/3857", URIEPSG3857},
		{"[EPSG:32642]", "http://www.opengis.net/def/crs/EPSG/0/32642"},
		{"epsg:32643", "http://www.opengis.net/def/crs/EPSG/0/32643"},
	} {
		c, err := Lookup(tc.in)
		if err != nil || c.URI() != tc.want {
			t.Errorf("%s: %v %v", tc.in, c.URI(), err)
		}
	}
	for _, bad := range []string{"EPSG:32644", "EPSG:2154", "", "http://www.opengis.net/def/crs/EPSG/0/"} {
		if _, err := Lookup(bad); !errors.Is(err, ErrUnknown) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestBoundToCRS84 covers the converted box's edges: every grid point
// inside the projected box is inside the CRS84 box.
func TestBoundToCRS84(t *testing.T) {
	c, _ := Lookup("EPSG:32642")
	b := orb.Bound{Min: orb.Point{300000, 3300000}, Max: orb.Point{800000, 4000000}}
	cb := c.BoundToCRS84(b)
	for _, p := range grid() {
		q := c.Forward(p)
		if b.Contains(q) && !cb.Contains(p) {
			t.Fatalf("%v is in the UTM box but not in %v", p, cb)
		}
	}
}
