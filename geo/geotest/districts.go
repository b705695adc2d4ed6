package geotest

import (
	"os"
	"path/filepath"
)

// DistrictSources returns hand-made district files in the layouts of the
// two upstream sources the district installer reads (package data), by
// file name: three invented Afghan districts (Ayn, Bet, Gimel; one a
// MultiPolygon with a hole) in the geoBoundaries ADM2 layout and three
// invented Pakistani ones (Dalet, He, Vav; Vav without an ADM2 P-code) in
// the OCHA COD-AB layout. They are small squares and triangles near the
// border, with a few coordinates of more than 7 decimals to exercise the
// rounding. No real district data is kept in the repository: tests that
// need it read the shared data directory (SharedData).
func DistrictSources() map[string]string {
	return map[string]string{
		"geoBoundaries-AFG-ADM2.geojson":  afgDistrictSource,
		"districts_simplified_5p.geojson": pakDistrictSource,
	}
}

// WriteDistrictSources writes the files of DistrictSources into dir, which
// must exist, ready for an install from dir.
func WriteDistrictSources(dir string) error {
	for name, text := range DistrictSources() {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

const afgDistrictSource = `{
"type": "FeatureCollection",
"name": "hand-made test fixture in the geoBoundaries ADM2 layout",
"features": [
{ "type": "Feature", "properties": { "shapeName": "Ayn", "shapeISO": null, "shapeID": "TEST0B1", "shapeGroup": "AFG", "shapeType": "ADM2" }, "geometry": { "type": "Polygon", "coordinates": [ [ [ 66.1, 31.2 ], [ 66.1, 31.5 ], [ 66.4000000412, 31.5 ], [ 66.4, 31.2 ], [ 66.1, 31.2 ] ] ] } },
{ "type": "Feature", "properties": { "shapeName": "Bet", "shapeISO": null, "shapeID": "TEST0B2", "shapeGroup": "AFG", "shapeType": "ADM2" }, "geometry": { "type": "Polygon", "coordinates": [ [ [ 66.5, 30.7 ], [ 66.9, 30.7 ], [ 66.9, 31.1 ], [ 66.5, 31.1 ], [ 66.5, 30.7 ] ] ] } },
{ "type": "Feature", "properties": { "shapeName": "Gimel", "shapeISO": null, "shapeID": "TEST0B3", "shapeGroup": "AFG", "shapeType": "ADM2" }, "geometry": { "type": "MultiPolygon", "coordinates": [ [ [ [ 66.1, 30.1 ], [ 66.6, 30.1 ], [ 66.6, 30.6 ], [ 66.1, 30.6 ], [ 66.1, 30.1 ] ], [ [ 66.2, 30.2 ], [ 66.2, 30.3 ], [ 66.3, 30.3 ], [ 66.3, 30.2 ], [ 66.2, 30.2 ] ] ], [ [ [ 66.7, 30.1 ], [ 66.8, 30.1 ], [ 66.8, 30.2 ], [ 66.7, 30.1 ] ] ] ] } }
]
}
`

const pakDistrictSource = `{
"type": "FeatureCollection",
"name": "hand-made test fixture in the OCHA COD-AB ADM2 layout",
"features": [
{ "type": "Feature", "properties": { "ADM2_EN": "Dalet", "ADM2_PCODE": "PK900", "ADM1_EN": "Balochistan", "ADM1_PCODE": "PK2", "ADM0_EN": "Pakistan", "ADM0_PCODE": "PK" }, "geometry": { "type": "Polygon", "coordinates": [ [ [ 67.2, 30.2 ], [ 67.812345678, 30.2 ], [ 67.8, 30.8 ], [ 67.2, 30.8 ], [ 67.2, 30.2 ] ] ] } },
{ "type": "Feature", "properties": { "ADM2_EN": "He", "ADM2_PCODE": "PK901", "ADM1_EN": "Khyber Pakhtunkhwa", "ADM1_PCODE": "PK5", "ADM0_EN": "Pakistan", "ADM0_PCODE": "PK" }, "geometry": { "type": "Polygon", "coordinates": [ [ [ 67.2, 31.2 ], [ 67.8, 31.2 ], [ 67.8, 31.8 ], [ 67.2, 31.2 ] ] ] } },
{ "type": "Feature", "properties": { "ADM2_EN": "Vav", "ADM2_PCODE": null, "ADM1_EN": "Gilgit Baltistan", "ADM1_PCODE": "PK9", "ADM0_EN": "Pakistan", "ADM0_PCODE": "PK" }, "geometry": { "type": "Polygon", "coordinates": [ [ [ 74.0, 36.0 ], [ 74.5, 36.0 ], [ 74.5, 36.5 ], [ 74.0, 36.0 ] ] ] } }
]
}
`
