// Package layers is the catalogue of durand's layers: every layer of an
// atlas — border, countries, provinces, districts (when installed),
// crossings (with their status on a day), the crisis events and zones —
// as one Layer value with its title and description, attribution and
// licence, typed schema (Schema: declared here, where the catalogue
// produces the features, never guessed from their values), features, time
// range and vector tile settings (Spec).
//
// Everything that publishes a layer takes it from here: the server's
// collections, items, downloads and OpenAPI document, `durand export`,
// `durand db load`, and the vector tiles, which have one assembly,
// TileLayers, and one composition, Tiles (the layers available at once
// and the zones, computed later), shared by the server's /tiles, its
// PMTiles download and `durand tiles` — so an archive holds exactly the
// tiles the server serves.
//
//	file (geo.Load) → geo.Atlas → FromAtlas (Layer: features + schema)
//	  → TileLayerOn (the crossings' day, features without geometry dropped)
//	  → Layer.TileLayer / Convert (typed MVT attributes) → tiles.Layer
//	  → TileLayers (catalogue order, at once | deferred) → NewTiles
//	  → Tiles.Tile / Tiles.Walk (base tile ++ deferred tile) → MVT bytes
//
// # Units
//
// Geometries are passed on unchanged: WGS84 longitude/latitude in decimal
// degrees. Zooms are Web Mercator zoom levels. Numbers keep the unit their
// property name states (chainage_km in kilometres, uncertainty_m in
// metres).
//
// # Feature ids
//
// Every feature's MVT id is tiles.StringID of its string id (a 53-bit
// FNV-1a hash, exact in JavaScript); a feature whose GeoJSON id is a
// non-negative integer keeps that number; a feature without an id gets its
// index in the layer plus one. The string id is also written as the "id"
// attribute, which is what clients should use to look a feature up in the
// GeoJSON and OGC API collections.
//
// # Attribute types
//
// Properties become typed MVT attributes (see Kind): strings as string
// values, integers as sint values, other numbers as double values, booleans
// as bool values. Arrays of scalars (alt_names, sources) are joined with
// "|" into one string; objects become JSON text; null values are left out.
// A layer's declared types (its Schema, as Spec.Fields) are checked: a
// value that does not fit is an error naming the layer, feature and
// property. A property a catalogue layer does not declare (an edit in a
// data directory) is written as a string; only layers from outside the
// catalogue (server.Config.ExtraLayers) have their properties typed by
// inference over the whole layer (integral numbers as integers, other
// numbers as doubles).
//
// # Schema of the tile layers
//
// Label layers ("<name>_label") hold one point per polygon feature, placed
// inside it, and carry only the label fields. TileJSON field types are
// those of tiles.LayerInfo: String, Number, Boolean.
//
//	layer            geometry  zooms  attributes
//	border           line      0–     id, name, from, to (String)
//	countries        polygon   0–     id, name, iso3 (String)
//	countries_label  point     0–     id, name, iso3
//	provinces        polygon   2–     id, name, country, iso_3166_2 (String), alt_names (String, "|"-joined)
//	provinces_label  point     2–     id, name, country
//	districts        polygon   6–     id, name, province, country, source, source_id (String)
//	districts_label  point     6–     id, name, province, country
//	crossings        point     0–     id, name, afg_province, afg_district, pak_province,
//	                                  pak_district, method, description (String);
//	                                  alt_names, sources (String, "|"-joined);
//	                                  chainage_km, source_lon, source_lat (Number, double);
//	                                  uncertainty_m (Number, integer)
//
// The provinces' long prose properties note and history are left out of the
// tiles (they are in the GeoJSON and OGC API collections). Districts appear
// only when they are installed. Every layer's maximum zoom is the tileset's.
// The crisis layers events (points) and zones (polygons, with a
// zones_label layer of id and name) are visible from zoom 0 with the
// properties of their Schema. Features without a geometry are left out.
package layers
