package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/durandline/durand/geo/geotest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// The pipeline is run once per test binary and shared by the tests.
var pipelineRun struct {
	once sync.Once
	res  buildResult
	err  error
}

// pipeline runs the build in-process on the real inputs. It skips the test
// (fails it under CI) when node_modules or the shared data are missing.
func pipeline(t *testing.T) buildResult {
	t.Helper()
	geotest.Long(t, "runs the whole data pipeline over the registry and shared inputs, about 15 s of CPU; CI also runs `go run ./data/build -check`")
	root := geotest.RepoRoot(t)
	nm := filepath.Join(root, "node_modules")
	for _, p := range []string{
		filepath.Join(nm, "@geo-maps", "countries-land-10m", countriesInput),
		filepath.Join(nm, placesPackage, filepath.FromSlash(placesInput)),
	} {
		if _, err := os.Stat(p); err != nil {
			geotest.Missing(t, "registry input "+filepath.Base(p), "run `npm ci --ignore-scripts` at the repository root")
		}
	}
	shared := geotest.SharedData(t)
	pipelineRun.once.Do(func() {
		cfg := config{
			NodeModules: nm,
			Shared:      shared,
			Out:         filepath.Join(root, "data"),
			Crossings:   filepath.Join(root, "data", "crossings.csv"),
		}
		pipelineRun.res, pipelineRun.err = build(cfg, func(string, ...any) {})
	})
	if pipelineRun.err != nil {
		t.Fatalf("build: %v", pipelineRun.err)
	}
	return pipelineRun.res
}

// committed reads a committed data file as a FeatureCollection.
func committed(t *testing.T, name string) *geojson.FeatureCollection {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(geotest.RepoRoot(t), "data", name))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return fc
}

func asMultiPolygon(t *testing.T, g orb.Geometry) orb.MultiPolygon {
	t.Helper()
	switch g := g.(type) {
	case orb.MultiPolygon:
		return g
	case orb.Polygon:
		return orb.MultiPolygon{g}
	}
	t.Fatalf("geometry is %T, want MultiPolygon", g)
	return nil
}

func edgeSet(mp orb.MultiPolygon) map[edgeKey]bool {
	s := map[edgeKey]bool{}
	ringEdges(mp, func(a, b orb.Point) { s[undirected(a, b)] = true })
	return s
}

func TestReproducible(t *testing.T) {
	res := pipeline(t)
	dir := filepath.Join(geotest.RepoRoot(t), "data")
	differ, err := compareFiles(dir, res.Files)
	if err != nil {
		t.Fatal(err)
	}
	if len(differ) > 0 {
		t.Errorf("committed files differ from a fresh build: %s (run `go run ./data/build`)", strings.Join(differ, ", "))
	}
	want := []string{"border.geojson", "countries.geojson", "provinces.geojson", "crossings.geojson", "provenance.json", "README.md"}
	var got []string
	for _, f := range res.Files {
		got = append(got, f.Name)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("files = %v, want %v", got, want)
	}
}

func TestBorder(t *testing.T) {
	res := pipeline(t)
	fc := committed(t, "border.geojson")
	if len(fc.Features) != 1 {
		t.Fatalf("border.geojson has %d features, want 1", len(fc.Features))
	}
	line, ok := fc.Features[0].Geometry.(orb.LineString)
	if !ok {
		t.Fatalf("border geometry is %T, want LineString", fc.Features[0].Geometry)
	}
	afg, pak := res.Raw["AFG"], res.Raw["PAK"]
	afgV, pakV := vertexSetOf(afg), vertexSetOf(pak)
	afgE, pakE := edgeSet(afg), edgeSet(pak)
	var maxShared float64
	for e := range afgE {
		if pakE[e] {
			maxShared = math.Max(maxShared, distance(e.a, e.b))
		}
	}
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"properties", func(t *testing.T) {
			f := fc.Features[0]
			for k, want := range map[string]string{"id": "durand_line", "from": "IRN-AFG-PAK", "to": "CHN-AFG-PAK"} {
				if got := f.Properties.MustString(k, ""); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if f.ID != "durand_line" {
				t.Errorf("feature id = %v", f.ID)
			}
		}},
		{"starts on the Iranian polygon", func(t *testing.T) {
			if d := distToMultiPolygonBoundary(line[0], res.Raw["IRN"]); d > 1 {
				t.Errorf("first vertex %v is %.1f m from IRN", line[0], d)
			}
		}},
		{"ends on the Chinese polygon", func(t *testing.T) {
			if d := distToMultiPolygonBoundary(line[len(line)-1], res.Raw["CHN"]); d > 1 {
				t.Errorf("last vertex %v is %.1f m from CHN", line[len(line)-1], d)
			}
		}},
		{"every vertex is a vertex of AFG and PAK", func(t *testing.T) {
			for i, p := range line {
				if !afgV[p] || !pakV[p] {
					t.Fatalf("vertex %d %v: in AFG %v, in PAK %v", i, p, afgV[p], pakV[p])
				}
			}
		}},
		{"no repeated vertex", func(t *testing.T) {
			seen := map[orb.Point]int{}
			for i, p := range line {
				if j, ok := seen[p]; ok {
					t.Fatalf("vertex %v at %d and %d", p, j, i)
				}
				seen[p] = i
			}
		}},
		{"no gap longer than the longest shared segment", func(t *testing.T) {
			gaps := 0
			for i := 1; i < len(line); i++ {
				if afgE[undirected(line[i-1], line[i])] && pakE[undirected(line[i-1], line[i])] {
					continue
				}
				gaps++
				if d := distance(line[i-1], line[i]); d > maxShared {
					t.Errorf("gap of %.0f m after vertex %d, longest shared segment %.0f m", d, i-1, maxShared)
				}
			}
			if gaps != len(res.Border.Runs)-1 {
				t.Errorf("%d joins between runs, want %d", gaps, len(res.Border.Runs)-1)
			}
		}},
		{"uses every shared edge", func(t *testing.T) {
			on := edgeSet(orb.MultiPolygon{{orb.Ring(line)}})
			for e := range afgE {
				if pakE[e] && !on[e] {
					t.Fatalf("shared edge %v–%v is not on the line", e.a, e.b)
				}
			}
		}},
		{"about 17,000 vertices", func(t *testing.T) {
			if n := len(line); n < 16900 || n > 17100 {
				t.Errorf("%d vertices", n)
			}
		}},
		{"about 2,757 km long", func(t *testing.T) {
			if l := lineLength(line) / 1000; l < 2740 || l > 2780 {
				t.Errorf("length %.1f km", l)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}

func TestCountries(t *testing.T) {
	res := pipeline(t)
	fc := committed(t, "countries.geojson")
	border := committed(t, "border.geojson").Features[0].Geometry.(orb.LineString)
	if len(fc.Features) != 2 {
		t.Fatalf("%d features, want 2", len(fc.Features))
	}
	for _, f := range fc.Features {
		id := f.Properties.MustString("id", "")
		mp := asMultiPolygon(t, f.Geometry)
		raw := res.Raw[id]
		t.Run(id, func(t *testing.T) {
			tests := []struct {
				name  string
				check func(t *testing.T)
			}{
				{"valid", func(t *testing.T) {
					if err := validate(mp); err != nil {
						t.Error(err)
					}
				}},
				{"input was invalid", func(t *testing.T) {
					if validate(raw) == nil {
						t.Error("the published polygon is valid; the repair may be unnecessary")
					}
				}},
				{"border vertices unchanged", func(t *testing.T) {
					v := vertexSetOf(mp)
					for _, p := range border {
						if !v[p] {
							t.Fatalf("border vertex %v is not a vertex of %s", p, id)
						}
					}
				}},
				{"same vertices as published", func(t *testing.T) {
					count := func(mp orb.MultiPolygon) map[orb.Point]int {
						c := map[orb.Point]int{}
						for _, p := range mp {
							for _, r := range p {
								for _, q := range r[:len(r)-1] {
									c[q]++
								}
							}
						}
						return c
					}
					a, b := count(raw), count(mp)
					if len(a) != len(b) {
						t.Errorf("%d distinct vertices, published %d", len(b), len(a))
					}
					for q, n := range a {
						if b[q] != n {
							t.Fatalf("vertex %v occurs %d times, published %d", q, b[q], n)
						}
					}
				}},
				{"holes kept and rings oriented", func(t *testing.T) {
					_, rawHoles, _ := countVertices(raw)
					_, holes, _ := countVertices(mp)
					if holes < rawHoles {
						t.Errorf("%d holes, published %d", holes, rawHoles)
					}
					for _, p := range mp {
						for i, r := range p {
							if (r.Orientation() == orb.CCW) != (i == 0) {
								t.Fatalf("ring %d of a polygon has the wrong orientation", i)
							}
						}
					}
				}},
			}
			for _, tc := range tests {
				t.Run(tc.name, tc.check)
			}
		})
	}
}

// pipIndex answers point-in-multipolygon queries (even-odd over all rings)
// with the edges bucketed by latitude band.
type pipIndex struct {
	band  float64
	edges map[int][][2]orb.Point
	box   orb.Bound
}

func newPIPIndex(mp orb.MultiPolygon) *pipIndex {
	idx := &pipIndex{band: 0.01, edges: map[int][][2]orb.Point{}, box: mp.Bound()}
	ringEdges(mp, func(a, b orb.Point) {
		lo, hi := math.Min(a[1], b[1]), math.Max(a[1], b[1])
		for k := int(math.Floor(lo / idx.band)); k <= int(math.Floor(hi/idx.band)); k++ {
			idx.edges[k] = append(idx.edges[k], [2]orb.Point{a, b})
		}
	})
	return idx
}

func (idx *pipIndex) contains(p orb.Point) bool {
	if !idx.box.Contains(p) {
		return false
	}
	in := false
	for _, e := range idx.edges[int(math.Floor(p[1]/idx.band))] {
		a, b := e[0], e[1]
		if (a[1] > p[1]) != (b[1] > p[1]) {
			if x := a[0] + (p[1]-a[1])/(b[1]-a[1])*(b[0]-a[0]); p[0] < x {
				in = !in
			}
		}
	}
	return in
}

func TestProvinces(t *testing.T) {
	pipeline(t)
	fc := committed(t, "provinces.geojson")
	countries := committed(t, "countries.geojson")
	border := committed(t, "border.geojson").Features[0].Geometry.(orb.LineString)
	type prov struct {
		id, name, country string
		mp                orb.MultiPolygon
		idx               *pipIndex
	}
	var provs []prov
	byName := map[string]prov{}
	for _, f := range fc.Features {
		p := prov{
			id: f.Properties.MustString("id", ""), name: f.Properties.MustString("name", ""),
			country: f.Properties.MustString("country", ""), mp: asMultiPolygon(t, f.Geometry),
		}
		p.idx = newPIPIndex(p.mp)
		provs = append(provs, p)
		byName[p.name] = p
	}
	sovereign := map[string]*pipIndex{}
	outline := map[string]orb.MultiPolygon{}
	for _, f := range countries.Features {
		id := f.Properties.MustString("id", "")
		sov, err := sovereignArea(asMultiPolygon(t, f.Geometry))
		if err != nil {
			t.Fatal(err)
		}
		outline[id] = sov
		sovereign[id] = newPIPIndex(outline[id])
	}
	// locate returns the provinces of each country containing p.
	locate := func(p orb.Point) map[string][]string {
		out := map[string][]string{}
		for _, pr := range provs {
			if pr.idx.contains(p) {
				out[pr.country] = append(out[pr.country], pr.name)
			}
		}
		return out
	}
	inside := map[string]int{}
	checkPoint := func(t *testing.T, p orb.Point) {
		t.Helper()
		got := locate(p)
		for _, c := range []string{"AFG", "PAK"} {
			in := sovereign[c].contains(p)
			if in {
				inside[c]++
			}
			switch {
			case in && len(got[c]) != 1:
				t.Errorf("%v is in %s and in %d of its provinces %v", p, c, len(got[c]), got[c])
			case !in && len(got[c]) != 0:
				t.Errorf("%v is outside %s but in its provinces %v", p, c, got[c])
			}
		}
	}
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"41 features with corrected names", func(t *testing.T) {
			if len(provs) != 41 {
				t.Errorf("%d provinces, want 41", len(provs))
			}
			if len(byName) != len(provs) {
				t.Errorf("province names are not unique")
			}
			for _, want := range []struct{ id, name string }{
				{"AFG-1753", "Daykundi"}, {"AFG-1769", "Panjshir"}, {"AFG-1750", "Helmand"}, {"AFG-3413", "Paktia"},
				{"PAK-1123", "Khyber Pakhtunkhwa"}, {"PAK-1108", "Balochistan"}, {"PAK-1111", "Gilgit-Baltistan"}, {"PAK-1109", "Azad Kashmir"},
			} {
				found := false
				for _, p := range provs {
					if p.id == want.id {
						found = true
						if p.name != want.name {
							t.Errorf("%s is %q, want %q", want.id, p.name, want.name)
						}
					}
					if p.id == "PAK-1112" {
						t.Errorf("F.A.T.A. (PAK-1112) is still a separate feature")
					}
				}
				if !found {
					t.Errorf("no feature %s", want.id)
				}
			}
		}},
		{"F.A.T.A. merged into Khyber Pakhtunkhwa as one polygon", func(t *testing.T) {
			kp := byName["Khyber Pakhtunkhwa"]
			if n := len(kp.mp); n != 1 {
				t.Errorf("Khyber Pakhtunkhwa has %d polygons, want 1", n)
			}
			// Miranshah (North Waziristan, ex-F.A.T.A.) and Peshawar.
			for _, p := range []orb.Point{{70.07, 33.00}, {71.58, 34.01}} {
				if !kp.idx.contains(p) {
					t.Errorf("%v is not in Khyber Pakhtunkhwa", p)
				}
			}
		}},
		{"valid", func(t *testing.T) {
			for _, p := range provs {
				if err := validate(p.mp); err != nil {
					t.Errorf("%s: %v", p.name, err)
				}
			}
		}},
		{"tile their country on a 0.1 degree grid", func(t *testing.T) {
			inside = map[string]int{}
			for lat := 23.55; lat < 38.6; lat += 0.1 {
				for lon := 60.45; lon < 78.0; lon += 0.1 {
					checkPoint(t, orb.Point{lon, lat})
				}
			}
			// About 650,000 and 880,000 km², at roughly 100 km² a point.
			if inside["AFG"] < 5000 || inside["PAK"] < 7000 {
				t.Errorf("only %d points in AFG and %d in PAK: the test is not sampling the countries", inside["AFG"], inside["PAK"])
			}
		}},
		{"tile their country beside the border", func(t *testing.T) {
			for i := 5; i < len(border)-1; i += 10 {
				a, b := border[i], border[i+1]
				m := orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
				k := math.Cos(m[1] * math.Pi / 180)
				dx, dy := (b[0]-a[0])*k, b[1]-a[1]
				l := math.Hypot(dx, dy)
				if l == 0 {
					continue
				}
				for _, off := range []float64{-0.01, -0.001, 0.001, 0.01} { // about 1 km and 100 m
					checkPoint(t, orb.Point{m[0] - dy/l*off/k, m[1] + dx/l*off})
				}
			}
		}},
		{"no point both in Pakistan and in Kandahar", func(t *testing.T) {
			kandahar := byName["Kandahar"]
			for lat := kandahar.idx.box.Min[1]; lat < kandahar.idx.box.Max[1]; lat += 0.02 {
				for lon := kandahar.idx.box.Min[0]; lon < kandahar.idx.box.Max[0]; lon += 0.02 {
					p := orb.Point{lon, lat}
					if kandahar.idx.contains(p) && sovereign["PAK"].contains(p) {
						t.Fatalf("%v is in Pakistan and in Kandahar", p)
					}
				}
			}
		}},
		{"shared edges stay shared", func(t *testing.T) {
			for _, c := range []string{"AFG", "PAK"} {
				count := map[edgeKey]int{}
				for _, p := range provs {
					if p.country == c {
						for e := range edgeSet(p.mp) {
							count[e]++
						}
					}
				}
				idx := newSegIndex([]orb.MultiPolygon{outline[c]}, 0.02)
				bad := 0
				for e, n := range count {
					if n > 2 {
						t.Errorf("%s: edge %v–%v in %d provinces", c, e.a, e.b, n)
					}
					if n != 1 {
						continue
					}
					m := orb.Point{(e.a[0] + e.b[0]) / 2, (e.a[1] + e.b[1]) / 2}
					onOutline := false
					for _, s := range idx.cells[[2]int{idx.key(m[0]), idx.key(m[1])}] {
						if planarDist(m, s.a, s.b) < 1e-6 {
							onOutline = true
							break
						}
					}
					if !onOutline {
						bad++
						if bad <= 5 {
							t.Errorf("%s: edge %v–%v belongs to one province but is not on the country outline", c, e.a, e.b)
						}
					}
				}
				if bad > 0 {
					t.Errorf("%s: %d inner edges not shared", c, bad)
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}

func TestCrossings(t *testing.T) {
	res := pipeline(t)
	fc := committed(t, "crossings.geojson")
	provs := committed(t, "provinces.geojson")
	line := committed(t, "border.geojson").Features[0].Geometry.(orb.LineString)
	chain := newChainLine(line)
	// sideProvince returns the province of country c whose boundary is
	// nearest p.
	sideProvince := func(p orb.Point, c string) string {
		best, name := math.Inf(1), ""
		for _, f := range provs.Features {
			if f.Properties.MustString("country", "") != c {
				continue
			}
			ringEdges(asMultiPolygon(t, f.Geometry), func(a, b orb.Point) {
				if d := planarDist(p, a, b); d < best {
					best, name = d, f.Properties.MustString("name", "")
				}
			})
		}
		return name
	}
	byID := map[string]*geojson.Feature{}
	for _, f := range fc.Features {
		byID[f.Properties.MustString("id", "")] = f
	}
	tests := []struct {
		id, method  string
		afg, pak    string
		nearLon     float64 // a point the crossing must lie near (0: none)
		nearLat     float64
		withinKm    float64
		maxUncertKm float64
	}{
		{"torkham", methodSourced, "Nangarhar", "Khyber Pakhtunkhwa", 71.08, 34.11, 1, 1},
		{"chaman", methodSourced, "Kandahar", "Balochistan", 66.44, 30.92, 5, 5},
		{"ghulam_khan", methodCorrected, "Khost", "Khyber Pakhtunkhwa", 70.0458, 33.1333, 5, 5},
		{"angoor_adda", methodSourced, "Paktika", "Khyber Pakhtunkhwa", 69.2825, 32.51556, 2, 2},
		{"kharlachi", methodSourced, "Paktia", "Khyber Pakhtunkhwa", 69.92222, 33.82361, 3, 3},
		{"badini", methodDerived, "Zabul", "Balochistan", 0, 0, 0, 50},
		{"arandu", methodSourced, "Kunar", "Khyber Pakhtunkhwa", 71.54861, 35.31028, 1, 1},
		{"bin_shahi", methodDerived, "Kunar", "Khyber Pakhtunkhwa", 0, 0, 0, 150},
		{"nawa_pass", methodDerived, "Kunar", "Khyber Pakhtunkhwa", 0, 0, 0, 50},
		{"gursal", methodDerived, "", "Khyber Pakhtunkhwa", 0, 0, 0, 50},
	}
	if len(fc.Features) != len(tests) {
		t.Errorf("%d crossings, want %d", len(fc.Features), len(tests))
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			f := byID[tc.id]
			if f == nil {
				t.Fatalf("no crossing %q", tc.id)
			}
			pt, ok := f.Geometry.(orb.Point)
			if !ok {
				t.Fatalf("geometry is %T", f.Geometry)
			}
			q, ch, d := chain.snap(pt)
			if d > 0.05 {
				t.Errorf("point %v is %.3f m from the border line (nearest %v)", pt, d, q)
			}
			if got := f.Properties.MustFloat64("chainage_km", -1); math.Abs(got*1000-ch) > 1 {
				t.Errorf("chainage_km %.3f, the point is at %.3f", got, ch/1000)
			}
			if m := f.Properties.MustString("method", ""); m != tc.method {
				t.Errorf("method %q, want %q", m, tc.method)
			}
			unc := f.Properties.MustFloat64("uncertainty_m", -1)
			if unc < minUncertaintyM || unc > tc.maxUncertKm*1000 {
				t.Errorf("uncertainty %.0f m, want between %d and %.0f", unc, minUncertaintyM, tc.maxUncertKm*1000)
			}
			if tc.nearLon != 0 {
				near := orb.Point{tc.nearLon, tc.nearLat}
				if dd := distance(near, pt); dd > tc.withinKm*1000 {
					t.Errorf("point %v is %.0f m from %v", pt, dd, near)
				}
			}
			if row := findRow(t, res, tc.id); tc.method == methodSourced {
				_, _, ds := chain.snap(orb.Point{*row.SourceLon, *row.SourceLat})
				if want := math.Max(minUncertaintyM, ds); math.Abs(unc-want) > 1.5 {
					t.Errorf("uncertainty %.0f m, want %.0f", unc, want)
				}
			}
			if tc.afg != "" && tc.method != methodDerived {
				if got := sideProvince(pt, "AFG"); got != tc.afg {
					t.Errorf("Afghan province beside the point is %s, want %s", got, tc.afg)
				}
			}
			if tc.afg != "" && tc.method == methodDerived {
				// Derived positions come from the district layers, whose
				// province boundaries differ from Natural Earth's: the
				// province must border the line within the uncertainty.
				ch := f.Properties.MustFloat64("chainage_km", -1) * 1000
				found := false
				for i, p := range chain.Pts {
					if math.Abs(chain.Cum[i]-ch) <= unc && i%5 == 0 && sideProvince(p, "AFG") == tc.afg {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("%s does not border the line within %.0f m of the point", tc.afg, unc)
				}
			}
			if tc.afg != "" {
				if got := f.Properties.MustString("afg_province", ""); got != tc.afg {
					t.Errorf("afg_province %q, want %q", got, tc.afg)
				}
			}
			if got := sideProvince(pt, "PAK"); got != tc.pak {
				t.Errorf("Pakistani province beside the point is %s, want %s", got, tc.pak)
			}
			for _, k := range []string{"name", "description"} {
				if f.Properties.MustString(k, "") == "" {
					t.Errorf("empty %s", k)
				}
			}
		})
	}
	t.Run("torkham chainage", func(t *testing.T) {
		_, want, _ := chain.snap(orb.Point{71.08, 34.11})
		got := byID["torkham"].Properties.MustFloat64("chainage_km", -1) * 1000
		if math.Abs(got-want) > 2000 {
			t.Errorf("Torkham at %.3f km, 71.08 E 34.11 N snaps to %.3f km", got/1000, want/1000)
		}
	})
	t.Run("derived at the middle of their stretch", func(t *testing.T) {
		for _, p := range res.Crossings {
			if p.Row.Method != methodDerived {
				continue
			}
			mid := (p.StretchM[0] + p.StretchM[1]) / 2
			if math.Abs(p.ChainageM-mid) > 0.01 || p.StretchM[1] <= p.StretchM[0] {
				t.Errorf("%s: chainage %.3f, stretch %v", p.Row.ID, p.ChainageM, p.StretchM)
			}
		}
	})
}

func findRow(t *testing.T, res buildResult, id string) crossingRow {
	t.Helper()
	for _, p := range res.Crossings {
		if p.Row.ID == id {
			return p.Row
		}
	}
	t.Fatalf("no crossing %s", id)
	return crossingRow{}
}

func TestProvenance(t *testing.T) {
	pipeline(t)
	b, err := os.ReadFile(filepath.Join(geotest.RepoRoot(t), "data", "provenance.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Layers []provenanceEntry `json:"layers"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	want := []string{"border", "countries", "provinces", "crossings", "districts"}
	if len(p.Layers) != len(want) {
		t.Fatalf("%d layers, want %d", len(p.Layers), len(want))
	}
	for i, l := range p.Layers {
		if l.Layer != want[i] {
			t.Errorf("layer %d is %q, want %q", i, l.Layer, want[i])
		}
		if l.Source == "" || l.Package == "" || l.Licence == "" || l.Attribution == "" || l.Transformation == "" {
			t.Errorf("%s: empty member", l.Layer)
		}
		if l.Layer != "districts" && len(l.InputSHA256) != 64 {
			t.Errorf("%s: input_sha256 %q", l.Layer, l.InputSHA256)
		}
	}
	if !bytes.Contains(b, []byte("© OpenStreetMap contributors, ODbL")) {
		t.Error("no OpenStreetMap attribution")
	}
	// Machine paths (spelled in pieces so that this test is not itself one).
	for _, bad := range []string{"/" + "work/", "/" + "root/", "/" + "home/"} {
		if bytes.Contains(b, []byte(bad)) {
			t.Errorf("machine path %q in provenance.json", bad)
		}
	}
}

func TestCompareFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "same.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "changed.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := compareFiles(dir, []outFile{{"same.txt", []byte("a")}, {"changed.txt", []byte("b")}, {"missing.txt", []byte("c")}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "changed.txt,missing.txt" {
		t.Errorf("differ = %v", got)
	}
}

func TestRunFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"unknown flag", []string{"-nope"}, 2},
		{"missing node_modules", []string{"-node-modules", t.TempDir(), "-check"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if got := run(tc.args, &out, &errb); got != tc.want {
				t.Errorf("exit %d, want %d (stderr %q)", got, tc.want, errb.String())
			}
		})
	}
}

func TestParseCrossings(t *testing.T) {
	header := strings.Join(crossingColumns(), ",") + "\n"
	good := "x,X,,71,34,Kunar,,Khyber Pakhtunkhwa,,sourced,http://a,desc\n"
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"good", header + good, true},
		{"empty", "", false},
		{"wrong header", "id,name\n", false},
		{"short row", header + "x,X\n", false},
		{"duplicate id", header + good + good, false},
		{"half a coordinate", header + "x,X,,71,,Kunar,,KP,,sourced,http://a,d\n", false},
		{"bad latitude", header + "x,X,,71,95,Kunar,,KP,,sourced,http://a,d\n", false},
		{"not a number", header + "x,X,,abc,34,Kunar,,KP,,sourced,http://a,d\n", false},
		{"sourced without coordinate", header + "x,X,,,,Kunar,,KP,,sourced,http://a,d\n", false},
		{"derived with coordinate", header + "x,X,,71,34,Kunar,,KP,,derived,http://a,d\n", false},
		{"derived with nothing to place it", header + "x,X,,,,,,KP,,derived,http://a,d\n", false},
		{"unknown method", header + "x,X,,71,34,Kunar,,KP,,guessed,http://a,d\n", false},
		{"no description", header + "x,X,,71,34,Kunar,,KP,,sourced,http://a,\n", false},
		{"no sources", header + "x,X,,71,34,Kunar,,KP,,sourced,,d\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := parseCrossings(strings.NewReader(tc.in))
			if tc.ok {
				if err != nil || len(rows) != 1 {
					t.Fatalf("rows %v, err %v", rows, err)
				}
				return
			}
			if !errors.Is(err, ErrBadCrossings) {
				t.Errorf("err = %v, want ErrBadCrossings", err)
			}
		})
	}
}

func FuzzParseCrossings(f *testing.F) {
	header := strings.Join(crossingColumns(), ",") + "\n"
	f.Add(header + "x,X,a|b,71,34,Kunar,,Khyber Pakhtunkhwa,,sourced,http://a,desc\n")
	f.Add(header + "x,X,,,,Kunar,,,,derived,s,d\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := parseCrossings(strings.NewReader(in))
		if err != nil && !errors.Is(err, ErrBadCrossings) {
			t.Errorf("error %v does not match ErrBadCrossings", err)
		}
		for _, r := range rows {
			if r.ID == "" || (r.Method != methodDerived && r.SourceLon == nil) {
				t.Errorf("accepted bad row %+v", r)
			}
		}
	})
}

func TestSplitLoops(t *testing.T) {
	tests := []struct {
		name  string
		ring  orb.Ring
		loops int
	}{
		{"simple square", orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}, 1},
		{"bow-tie", orb.Ring{{0, 0}, {1, 1}, {2, 0}, {2, 2}, {1, 1}, {0, 2}, {0, 0}}, 2},
		{"pinched inner loop", orb.Ring{{0, 0}, {4, 0}, {4, 4}, {2, 4}, {1, 3}, {3, 3}, {2, 4}, {0, 4}, {0, 0}}, 2},
		{"spike dropped", orb.Ring{{0, 0}, {1, 0}, {2, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loops := splitLoops(tc.ring)
			if len(loops) != tc.loops {
				t.Fatalf("%d loops, want %d: %v", len(loops), tc.loops, loops)
			}
			for _, l := range loops {
				if l[0] != l[len(l)-1] {
					t.Errorf("loop %v not closed", l)
				}
				seen := map[orb.Point]bool{}
				for _, p := range l[:len(l)-1] {
					if seen[p] {
						t.Errorf("loop %v repeats %v", l, p)
					}
					seen[p] = true
				}
			}
		})
	}
}

func TestRepairMultiPolygon(t *testing.T) {
	tests := []struct {
		name         string
		in           orb.MultiPolygon
		polys, holes int
		inputInvalid bool
	}{
		{"bow-tie shell becomes two polygons", orb.MultiPolygon{{{{0, 0}, {1, 1}, {2, 0}, {2, 2}, {1, 1}, {0, 2}, {0, 0}}}}, 2, 0, true},
		{"pinched loop becomes a hole", orb.MultiPolygon{{{{0, 0}, {4, 0}, {4, 4}, {2, 4}, {1, 3}, {3, 3}, {2, 4}, {0, 4}, {0, 0}}}}, 1, 1, true},
		{"bow-tie hole becomes two holes", orb.MultiPolygon{{
			{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
			{{2, 2}, {4, 4}, {6, 2}, {6, 6}, {4, 4}, {2, 6}, {2, 2}},
		}}, 1, 2, true},
		{"valid input unchanged", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}, 1, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := validate(tc.in) != nil; got != tc.inputInvalid {
				t.Errorf("input invalid = %v, want %v", got, tc.inputInvalid)
			}
			out, _, err := repairMultiPolygon(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(out); err != nil {
				t.Errorf("still invalid: %v (%v)", err, out)
			}
			p, h, _ := countVertices(out)
			if p != tc.polys || h != tc.holes {
				t.Errorf("%d polygons %d holes, want %d and %d: %v", p, h, tc.polys, tc.holes, out)
			}
		})
	}
}

func TestStretch(t *testing.T) {
	c := newChainLine(orb.LineString{{70, 30}, {70.01, 30}, {70.02, 30}, {70.03, 30}, {70.04, 30}, {70.05, 30}})
	tests := []struct {
		name  string
		match []bool
		from  int // vertex indices of the expected stretch
		to    int
		found bool
	}{
		{"none", []bool{false, false, false, false, false, false}, 0, 0, false},
		{"single run", []bool{false, true, true, true, false, false}, 1, 3, true},
		{"longest of two", []bool{true, true, false, true, true, true}, 3, 5, true},
		{"first of equal runs", []bool{true, true, false, false, true, true}, 0, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := stretch(c, func(i int) bool { return tc.match[i] })
			if ok != tc.found {
				t.Fatalf("found = %v", ok)
			}
			if ok && (got[0] != c.Cum[tc.from] || got[1] != c.Cum[tc.to]) {
				t.Errorf("stretch %v, want %v–%v", got, c.Cum[tc.from], c.Cum[tc.to])
			}
		})
	}
	t.Run("at interpolates on the line", func(t *testing.T) {
		p := c.at((c.Cum[2] + c.Cum[3]) / 2)
		if math.Abs(p[0]-70.025) > 1e-9 || p[1] != 30 {
			t.Errorf("midpoint %v", p)
		}
	})
}
