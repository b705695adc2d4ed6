// Package geojsonio holds the GeoJSON conventions that durand's files share:
// the model (package geo), the district installer (package data) and the
// pipeline that regenerates the embedded files (data/build) all read, clean
// and write polygons through it, so that there is one implementation of each.
//
//   - Round7 and RoundPoint put a coordinate on the grid of the files:
//     7 decimals of a degree (about 1 cm), without negative zero.
//   - CleanRing drops repeated consecutive positions and closes a ring;
//     Oriented gives a ring the RFC 7946 orientation (exterior
//     counter-clockwise, holes clockwise).
//   - Polygons decodes the coordinates of a Polygon or MultiPolygon geometry
//     strictly (every position has at least two numbers).
//   - FeatureCollection writes a FeatureCollection deterministically: one
//     feature per line, properties in the order given, coordinates rounded
//     with Round7.
//
// Units: coordinates are WGS84 longitude/latitude in decimal degrees, in that
// order (orb.Point{lon, lat}), as in RFC 7946. Orientation is planar, in
// those degrees (orb.Ring.Orientation).
package geojsonio
