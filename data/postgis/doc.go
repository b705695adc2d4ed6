// Package pgstore keeps the durand atlas in PostgreSQL/PostGIS, the shared
// store of teams (GIS analysts editing in QGIS) and of several durand
// replicas: Load writes the atlas files into one table per layer, Read
// turns the tables back into the same files (an fs.FS for geo.Load),
// Listen reports which layer changed, and Watch does so for a long-running
// server: a full reload on start and after every reconnection (with
// backoff), then the changed tables of each burst of notifications.
//
// # Schema
//
// Everything lives in one PostgreSQL schema (Options.Schema, default
// "durand"), created by Load from the embedded schema.sql (schema version
// SchemaVersion):
//
//	durand_meta      one row: schema_version, data_version (Version of the
//	                 loaded files), provenance (jsonb: provenance.json),
//	                 districts_provenance (jsonb), files (jsonb: loaded file
//	                 name -> CSV header or null), loaded_at
//	border           id, ord, name, properties, geom geometry(LineString, 4326)
//	countries        id, ord, name, iso3, properties, geom geometry(MultiPolygon, 4326)
//	provinces        id, ord, name, country, iso_3166_2, properties, geom MultiPolygon
//	districts        id, ord, name, province, country, source, source_id, properties, geom MultiPolygon
//	crossings        id, ord, name, afg_province, pak_province, chainage_km, method, properties, geom Point
//	events           id, ord, date, end_date, kind, crossing, town, district, properties, geom Point (source coordinate or NULL)
//	crossing_status  ord (identity key), crossing_id, status, valid_from, valid_to (text: partial dates), properties
//	places           id, ord, name, country, properties, geom Point
//	altnames         ord (identity key), layer, name, alt_name
//	zones            id, ord, kind, name, country, severity, valid_from, valid_to, properties, geom MultiPolygon
//	                 (derived by geo.Atlas.Zones at load time; for GIS tools, not read back)
//
// ord is a row's position in its source file and fixes the order Read
// writes rows in (rows added later with a NULL ord come last, by id).
// Properties with a stable meaning are typed columns; every other property
// of a feature or CSV row is kept in properties (jsonb), so a load followed
// by a read loses nothing geo.Load uses. Geometries are WGS84 lon/lat
// (EPSG:4326) with a GiST index; Polygon features of the MultiPolygon layers
// are stored as one-part MultiPolygons. Units: degrees, chainage in km.
//
// Every table has a statement-level trigger that sends
// NOTIFY durand_changed, '<schema>.<table>' on INSERT, UPDATE, DELETE and
// TRUNCATE; PostgreSQL delivers it at commit, once per table and
// transaction. A Load therefore notifies every table and durand_meta.
//
// # Consistency
//
// Load runs in one transaction (DELETE and COPY into the existing tables,
// then the meta row), serialised by an advisory lock: readers keep seeing
// the previous data until it commits, and a load that fails or is killed
// leaves the previous data intact. Read runs in one REPEATABLE READ,
// READ ONLY transaction, so it sees one committed state, and formats
// deterministically (rows in ord order, GeoJSON by ST_AsGeoJSON with 7
// decimals, properties with sorted keys): two replicas reading the same
// database produce byte-identical files.
//
// # The catalogue's layers
//
// WriteLayers writes the layers of the catalogue (package layers: the
// crossings with their status on a day, the events, the zones, the status
// history) into a schema of their own, LayerSchema (default
// "durand_layers"): one table per layer with the columns its schema
// declares, typed (String text, Int bigint, Float double precision, Bool
// boolean, List jsonb, Date date), ord, fid, properties (undeclared ones)
// and geom (any geometry, EPSG:4326); the table layers lists them with
// their attribution, licence and schema. These tables are for GIS clients
// and are not read by Read; ReadLayer reads one back as a layers.Layer.
package postgis
