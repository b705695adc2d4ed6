// Package export writes one catalogue layer (layers.Layer) as a file that
// GIS software opens:
// GeoJSON (RFC 7946), GeoPackage 1.3 (written with a pure-Go SQLite
// driver, with an R-tree spatial index), KML 2.2 (through go-geom's KML
// encoder) and CSV with a WKT geometry column.
//
// Every format carries the layer's attribution: a foreign member of the
// GeoJSON FeatureCollection, the description of the GeoPackage table in
// gpkg_contents, the KML Document's description, and an attribution column
// in CSV.
//
// Besides the atlas's layers, layers.FromAtlas builds the layers of the border
// crisis, events and zones (see Layers), whose start_date and end_date are
// calendar days: the tabular formats type a column of days (YYYY-MM-DD,
// empty or null when unknown) as a date (DATE in the GeoPackage). A feature
// without geometry (an event nothing places) has a null geometry, a NULL
// geom, a Placemark without geometry or an empty WKT.
//
// Units: coordinates are WGS84 longitude/latitude in decimal degrees
// (EPSG:4326 in the GeoPackage, stored x = longitude, y = latitude), as in
// package geo. Property values are written as they are in the atlas files;
// array and object values become JSON text in the tabular formats.
package export
