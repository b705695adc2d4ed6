// Package crs converts WGS 84 longitude/latitude (CRS84, as GeoJSON and
// the atlas hold them) to the coordinate reference systems durand offers
// by reference (OGC API – Features Part 2) and back:
//
//   - CRS84: longitude, latitude in degrees (the identity);
//   - EPSG:4326: the same datum with the axis order EPSG defines for it,
//     latitude then longitude, in degrees;
//   - EPSG:3857: Web Mercator, easting and northing in metres on the sphere
//     of radius 6 378 137 m;
//   - EPSG:32641, 32642, 32643: WGS 84 / UTM zones 41N–43N, which cover the
//     border (central meridians 63°, 69° and 75° E), easting and northing
//     in metres.
//
// UTM is the Transverse Mercator projection of the WGS 84 ellipsoid
// computed with Krüger's series to sixth order in the third flattening n
// (as Karney, "Transverse Mercator with an accuracy of a few nanometers",
// J. Geodesy 85, 2011, gives them), accurate to well under a millimetre
// within a few thousand kilometres of the central meridian; the tests
// compare every CRS with PROJ's cs2cs on a grid over the region to 1 cm.
//
// A CRS is named by its OGC URI (http://www.opengis.net/def/crs/EPSG/0/
// 32642); Lookup also takes the short forms EPSG:32642 and OGC:CRS84.
// Lookup of an unknown name is ErrUnknown.
package crs
