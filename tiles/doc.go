// Package tiles builds Mapbox Vector Tiles (MVT, specification 2.1) from
// generic layers of features: orb geometries with typed properties. It does
// not depend on the atlas types of package geo; callers convert their data
// to []Layer.
//
// # Units and conventions
//
//   - Input coordinates are WGS84 longitude/latitude in decimal degrees, in
//     that order (orb.Point{lon, lat}). Latitudes beyond ±85.0511° (the
//     Web Mercator limit, MaxLatitude) are clamped; longitudes must lie in
//     [-180, 180] (features crossing the antimeridian are not split).
//   - Tiles are Web Mercator (EPSG:3857) tiles in the XYZ scheme: tile
//     z/x/y covers 1/2^z of the world's width, x counted eastwards from the
//     antimeridian, y southwards from latitude +85.0511°. Zooms run from 0
//     to Options.MaxZoom (default 14, the highest zoom of the project's
//     tiles).
//   - Tile coordinates are integers in tile units: Options.Extent units
//     (default 4096) across a tile, origin at the top-left corner, x to the
//     right, y down. Geometries extend Options.Buffer units (default 64)
//     beyond every edge.
//   - Simplification tolerance (Options.Tolerance) is in tile units of the
//     zoom being simplified; the size budget (Options.MaxTileBytes) in bytes
//     of the uncompressed tile.
//
// Tiles are returned uncompressed; servers and archives gzip them.
//
// # Encoding
//
// Every layer is written with version 2, its name and extent. Properties
// keep their Go types: strings as string values, signed integers as sint,
// unsigned integers as uint, float32 as float, float64 as double, bools as
// bool; slices and maps are written as JSON text; nil values are left out.
// Feature ids are uint64 (0: no id); StringID derives one from a string.
// Every polygon ring obeys MVT 2.1 after clipping and quantisation:
// exterior rings have positive shoelace area in tile coordinates
// (clockwise on screen, y down), holes negative; each ring is one MoveTo,
// one LineTo of at least two points and exactly one ClosePath; there are
// no zero-length segments, no repeated points and no rings of zero area.
// Each polygon is valid in the OGC sense (simple rings, holes inside their
// exterior, rings meeting at single points at most, connected interior).
// After clipping, the rings of all polygon features of a layer in a tile
// are rounded to the integer grid together with hot-pixel snap rounding (a
// segment passing through the unit pixel of another vertex is routed
// through that vertex), then noded with iterated snap rounding until no
// two segments cross. Each feature is rebuilt as the region of positive
// winding number of its rings (exteriors count +1, holes -1, so
// overlapping parts merge and stray holes vanish); rings that would touch
// themselves are split into an exterior and a hole, and slivers that
// collapse on the grid disappear. Because a layer is snapped and noded as
// a whole, neighbouring features share their common boundary vertex for
// vertex in every tile, even where the input only nearly agrees (within
// half a tile unit).
//
// # Simplification and topology
//
// NewTileset builds a topology over all line and polygon layers, as
// TopoJSON does: runs of exactly equal vertices shared by several rings or
// lines (neighbouring provinces, a province and its country, the border
// line and the country edges it follows) become one arc. Each arc is
// simplified once per zoom with Douglas-Peucker at Options.Tolerance tile
// units, its end points (junctions) always kept, and features are rebuilt
// from the simplified arcs, so shared boundaries stay identical at every
// zoom and no gaps or overlaps open along them. Rings that collapse to
// fewer than three points at a zoom are left out at that zoom.
//
// # Labels
//
// A polygon layer with Layer.Labels gets a companion point layer named
// "<name>_label" with one point per feature at its pole of inaccessibility
// (the interior point farthest from the boundary, computed on the
// full-resolution shape in Web Mercator). A label point is written only to
// the tile whose extent contains it (after rounding to tile units), never
// to the buffers of neighbouring tiles, so each label appears in exactly
// one tile per zoom.
//
// # Size budget
//
// When an encoded tile exceeds Options.MaxTileBytes (default 500 KiB):
//
//  1. the line and polygon geometry of the next lower zooms is used
//     instead (tolerance doubled, then ×4, then ×8; still topology-aware);
//  2. if that is not enough, line and polygon features are dropped
//     smallest first (polygons by area in the tile, lines by length), a
//     quarter of the remaining ones at a time, each dropped polygon taking
//     its label with it;
//  3. points are dropped last, from the end of their layer.
//
// Only low zooms of large datasets ever reach step 2.
//
// # Performance
//
// Features are selected per tile through an R-tree per layer, and long
// rings and lines carry an index of bounding boxes over runs of 32
// segments, so a tile only touches the vertices near it. Tile is safe for
// concurrent use; Tileset.Walk generates a pyramid (or part of it) with a
// worker pool and hands tiles to its callback in zoom, x, y order, ready
// for an archive writer. Tileset.TileAt gives the tile of a point.
//
// # TileJSON
//
// Tileset.TileJSON builds a TileJSON 3.0.0 document: tile endpoints,
// vector_layers with each layer's zoom range and fields (described by
// their type, String, Number or Boolean, unless a description is given),
// the zoom range, and the bounds and center of the data.
package tiles
