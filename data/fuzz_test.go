package data

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
)

// checkNormalised checks the invariants of a decoded geometry: closed rings
// of at least 4 positions, exterior counter-clockwise, holes clockwise,
// coordinates on the 7-decimal grid and inside the region.
func checkNormalised(t *testing.T, mp orb.MultiPolygon) {
	t.Helper()
	if len(mp) == 0 {
		t.Fatal("empty geometry without error")
	}
	for _, poly := range mp {
		for i, r := range poly {
			if len(r) < 4 || r[0] != r[len(r)-1] {
				t.Fatalf("ring %d: %d positions, closed %v", i, len(r), r[0] == r[len(r)-1])
			}
			if o := r.Orientation(); (i == 0) != (o == orb.CCW) {
				t.Fatalf("ring %d: orientation %v, wrong winding", i, o)
			}
			for _, p := range r {
				if geojsonio.Round7(p[0]) != p[0] || geojsonio.Round7(p[1]) != p[1] || checkPoint(p, true) != nil {
					t.Fatalf("position %v not rounded or out of region", p)
				}
			}
		}
	}
}

func FuzzDistrictGeoJSON(f *testing.F) {
	for _, name := range []string{afgGeoJSONName, pakGeoJSONName} {
		b, err := readSource(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(afgFeature(okProps, okGeom))
	// Seeds in the source layouts (kept here rather than in testdata/fuzz).
	// clockwise-3d
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"shapeName":"X","shapeID":"1","shapeGroup":"AFG"},"geometry":{"type":"Polygon","coordinates":[[[66,31,5],[66,31.1,5],[66.1,31.1,5],[66.1,31,5],[66,31,5]]]}}]}`))
	// multipolygon-hole
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ADM2_EN":"Y","ADM2_PCODE":"PK1","ADM1_EN":"Sindh","ADM0_PCODE":"PK"},"geometry":{"type":"MultiPolygon","coordinates":[[[[67,25],[68,25],[68,26],[67,26],[67,25]],[[67.2,25.2],[67.4,25.2],[67.4,25.4],[67.2,25.4],[67.2,25.2]]],[[[68.5,25],[68.6,25],[68.6,25.1],[68.5,25]]]]}}]}`))
	// point
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"shapeName":"X","shapeID":"1","shapeGroup":"AFG"},"geometry":{"type":"Point","coordinates":[66,31]}}]}`))
	// polygon
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"shapeName":"X","shapeID":"1","shapeGroup":"AFG"},"geometry":{"type":"Polygon","coordinates":[[[66,31],[66.1,31],[66.1,31.1],[66,31]]]}}]}`))
	// tiny-ring
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"shapeName":"X","shapeID":"1","shapeGroup":"AFG"},"geometry":{"type":"Polygon","coordinates":[[[66,31],[66.00000001,31],[66.00000001,31.00000001],[66,31]]]}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		feats, err := decodeGeoJSON("fuzz.geojson", b, true)
		if err != nil {
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("error %v does not match ErrInvalidInput", err)
			}
			return
		}
		for _, f := range feats {
			checkNormalised(t, f.geom)
		}
		ocha := func(file string, feats []feature) ([]*district, error) {
			ds, _, err := ochaDistricts(file, feats)
			return ds, err
		}
		for _, conv := range []func(string, []feature) ([]*district, error){geoBoundariesDistricts, ocha} {
			ds, err := conv("fuzz.geojson", feats)
			if err != nil {
				if !errors.Is(err, ErrInvalidInput) {
					t.Fatalf("error %v does not match ErrInvalidInput", err)
				}
				continue
			}
			if !json.Valid(encodeDistricts(ds)) {
				t.Fatal("encoded districts are not valid JSON")
			}
		}
	})
}

func FuzzShapefile(f *testing.F) {
	dir := f.TempDir()
	writeFixtureShapefile(f, dir)
	shpData, err := os.ReadFile(filepath.Join(dir, afgShpName))
	if err != nil {
		f.Fatal(err)
	}
	dbfData, err := os.ReadFile(filepath.Join(dir, afgDbfName))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(shpData, dbfData)
	f.Fuzz(func(t *testing.T, shpData, dbfData []byte) {
		checkShapefileDecode(t, shpData, dbfData)
		// Most mutations break the file length in the header, which is
		// checked first; fix it up to reach the record checks too.
		if len(shpData) >= 100 && len(shpData)%2 == 0 {
			fixed := bytes.Clone(shpData)
			binary.BigEndian.PutUint32(fixed[24:28], uint32(len(fixed)/2))
			checkShapefileDecode(t, fixed, dbfData)
		}
	})
}

func checkShapefileDecode(t *testing.T, shpData, dbfData []byte) {
	t.Helper()
	feats, err := decodeShapefile("fuzz.shp", shpData, "fuzz.dbf", dbfData)
	if err != nil {
		if !errors.Is(err, ErrInvalidInput) {
			t.Fatalf("error %v does not match ErrInvalidInput", err)
		}
		return
	}
	for _, f := range feats {
		checkNormalised(t, f.geom)
	}
	if _, err := geoBoundariesDistricts("fuzz.shp", feats); err != nil && !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("error %v does not match ErrInvalidInput", err)
	}
}
