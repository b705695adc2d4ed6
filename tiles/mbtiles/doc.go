// Package mbtiles writes MBTiles 1.3 tilesets of Mapbox Vector Tiles: an
// SQLite database (written with the pure-Go driver modernc.org/sqlite)
// that GDAL, QGIS, tileserver-gl, Martin and the PMTiles converter read.
//
// The database has the interface the specification requires:
//
//   - metadata(name, value): name, format ("pbf"), bounds, center,
//     minzoom, maxzoom, attribution, description, type, version, and json,
//     a JSON object whose vector_layers (TileJSON 3.0.0 style) lists every
//     layer with its fields and zoom range, and tilestats with each
//     layer's geometry type (which GDAL reads);
//   - tiles(zoom_level, tile_column, tile_row, tile_data), here a view
//     over map (the tile addresses) and images (each distinct tile stored
//     once, keyed by the SHA-256 of its content), the layout of mbutil and
//     tilelive, which keeps repeated tiles (the inside of a country at high
//     zoom) from taking space again.
//
// Rows are in the TMS scheme, as the specification requires: tile_row
// counts from the south, tile_row = 2^z − 1 − y for the XYZ row y that Put
// takes. Tile data is gzip-compressed, as the specification requires for
// the pbf format. The file carries SQLite's application_id for MBTiles
// (0x4d504258, "MPBX").
//
// Units: bounds and centre are WGS84 longitude/latitude degrees, zooms are
// Web Mercator zoom levels.
package mbtiles
