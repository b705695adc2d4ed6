// Package geo models the Afghanistan–Pakistan border (the Durand Line), the
// countries and provinces on either side of it, their districts (when
// installed) and the border crossings, and answers questions about them:
// which country, province and district a point is in, how far it is from the
// border, which crossings are nearest, and where along the border a place is.
//
// Units, everywhere in this package:
//
//   - Coordinates are WGS84 longitude/latitude in decimal degrees, in that
//     order (orb.Point{lon, lat}), as in RFC 7946 GeoJSON.
//   - Distances and lengths are metres on the WGS84 ellipsoid, computed with
//     Karney's geodesic algorithms (github.com/tidwall/geodesic, a port of
//     GeographicLib). The distances from a point to the border and to the
//     crossings integrate the ellipsoid's metric along a great-circle arc
//     instead (three-point Gauss–Legendre quadrature), which agrees with
//     Karney's geodesic to 1e-7 up to 3,200 km and is ten times faster;
//     longer ones use Karney's. Chainage, the distance along the border from the
//     Iran–Afghanistan–Pakistan tripoint, is given in kilometres where the
//     name of a field or parameter says Km and in metres otherwise.
//
// An Atlas is built by Load from an fs.FS holding the layer files described
// in Load's documentation; package data embeds the default files.
// An Atlas is immutable after Load and safe for concurrent use. Load builds
// the border's search tree and the countries' indexes; the index of each
// province and district polygon and the cells of the border search's grid
// are built by the first query that needs them and shared by later ones
// (the first Locate in an area costs about a millisecond more; see
// BenchmarkLoadAndLocate).
package geo
