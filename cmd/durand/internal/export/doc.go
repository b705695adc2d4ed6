// Package export writes one atlas layer as a file that GIS software opens:
// GeoJSON (RFC 7946), GeoPackage 1.3 (written with a pure-Go SQLite
// driver, with an R-tree spatial index), KML 2.2 (through go-geom's KML
// encoder) and CSV with a WKT geometry column.
//
// Every format carries the layer's attribution: a foreign member of the
// GeoJSON FeatureCollection, the description of the GeoPackage table in
// gpkg_contents, the KML Document's description, and an attribution column
// in CSV.
//
// Units: coordinates are WGS84 longitude/latitude in decimal degrees
// (EPSG:4326 in the GeoPackage, stored x = longitude, y = latitude), as in
// package geo. Property values are written as they are in the atlas files;
// array and object values become JSON text in the tabular formats.
package export
