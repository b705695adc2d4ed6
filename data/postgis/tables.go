package postgis

import "github.com/durandline/durand/geo"

// kind is the SQL type of a typed column.
type kind int

const (
	kText  kind = iota // text
	kFloat             // double precision
	kDate              // date (YYYY-MM-DD)
)

// column maps a property (GeoJSON) or CSV column to a typed SQL column.
type column struct {
	prop, sql string
	kind      kind
}

// table describes how one file is stored.
type table struct {
	name    string // SQL table
	file    string
	geojson bool     // a FeatureCollection: id, ord, cols, properties, geom
	cols    []column // typed columns (CSV: in this order before properties)
	point   bool     // CSV: lon/lat columns stored as geom
	props   bool     // CSV: has a properties column
	multi   bool     // GeoJSON: Polygons stored as MultiPolygons
	idOrder bool     // CSV: ord is an identity key, order by ord only
	sortBy  string   // CSV: tie-break for rows with NULL ord
}

func text(name string) column { return column{name, name, kText} }

var tables = []table{
	{name: "border", file: geo.FileBorder, geojson: true, cols: []column{text("name")}},
	{name: "countries", file: geo.FileCountries, geojson: true, multi: true, cols: []column{text("name"), text("iso3")}},
	{name: "provinces", file: geo.FileProvinces, geojson: true, multi: true,
		cols: []column{text("name"), text("country"), text("iso_3166_2")}},
	{name: "districts", file: geo.FileDistricts, geojson: true, multi: true,
		cols: []column{text("name"), text("province"), text("country"), text("source"), text("source_id")}},
	{name: "crossings", file: geo.FileCrossings, geojson: true,
		cols: []column{text("name"), text("afg_province"), text("pak_province"), {"chainage_km", "chainage_km", kFloat}, text("method")}},
	{name: "events", file: geo.FileEvents, point: true, props: true, sortBy: "id",
		cols: []column{text("id"), {"date", "date", kDate}, {"end_date", "end_date", kDate}, text("kind"),
			text("crossing"), text("town"), text("district")}},
	{name: "crossing_status", file: geo.FileCrossingStatus, props: true, idOrder: true,
		cols: []column{text("crossing_id"), text("status"), {"from", "valid_from", kText}, {"to", "valid_to", kText}}},
	{name: "places", file: geo.FilePlaces, point: true, props: true, sortBy: "id",
		cols: []column{text("id"), text("name"), text("country")}},
	{name: "altnames", file: geo.FileAltNames, idOrder: true,
		cols: []column{text("layer"), text("name"), text("alt_name")}},
}

// Tables returns the names of the layer tables Load fills, in load order
// (zones last).
func Tables() []string {
	out := make([]string, 0, len(tables)+1)
	for _, t := range tables {
		out = append(out, t.name)
	}
	return append(out, "zones")
}
