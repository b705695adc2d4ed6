package tiles

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// MaxLatitude is the latitude limit of Web Mercator (EPSG:3857) in degrees.
// Input latitudes beyond ±MaxLatitude are clamped to it.
const MaxLatitude = 85.05112877980659

// maxSupportedZoom bounds Options.MaxZoom. Global tile-unit coordinates at
// this zoom (2^20 × 4096 = 2^32) still fit a float64 mantissa exactly.
const maxSupportedZoom = 20

// TileID addresses one tile in the XYZ scheme: zoom Z, column X counted from
// the antimeridian eastwards, row Y counted from the north edge (y = 0 at
// latitude +85.05°) southwards. It is the scheme of the z/x/y URL template
// used by MapLibre, Leaflet and OpenLayers (not TMS, whose y is flipped).
type TileID struct {
	Z, X, Y uint32
}

// String returns "z/x/y".
func (id TileID) String() string { return fmt.Sprintf("%d/%d/%d", id.Z, id.X, id.Y) }

// Valid reports whether x and y are below 2^z and z is at most maxZoom.
func (id TileID) Valid(maxZoom int) bool {
	if int(id.Z) > maxZoom || id.Z > maxSupportedZoom {
		return false
	}
	n := uint32(1) << id.Z
	return id.X < n && id.Y < n
}

// Bound returns the tile's extent as a WGS84 longitude/latitude box in
// degrees (without the buffer).
func (id TileID) Bound() orb.Bound {
	n := float64(uint32(1) << id.Z)
	lon0, lat0 := worldToLonLat(float64(id.X)/n, float64(id.Y+1)/n)
	lon1, lat1 := worldToLonLat(float64(id.X+1)/n, float64(id.Y)/n)
	return orb.Bound{Min: orb.Point{lon0, lat0}, Max: orb.Point{lon1, lat1}}
}

// lonLatToWorld projects WGS84 degrees to normalised Web Mercator "world"
// coordinates: x in [0, 1] from the antimeridian eastwards, y in [0, 1] from
// the north edge southwards (y grows downwards, as in tile coordinates).
func lonLatToWorld(lon, lat float64) (x, y float64) {
	if lat > MaxLatitude {
		lat = MaxLatitude
	} else if lat < -MaxLatitude {
		lat = -MaxLatitude
	}
	x = lon/360 + 0.5
	s := math.Sin(lat * math.Pi / 180)
	y = 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)
	if y < 0 {
		y = 0
	} else if y > 1 {
		y = 1
	}
	return x, y
}

// worldToLonLat inverts lonLatToWorld.
func worldToLonLat(x, y float64) (lon, lat float64) {
	lon = (x - 0.5) * 360
	lat = 90 - 360*math.Atan(math.Exp((y-0.5)*2*math.Pi))/math.Pi
	return lon, lat
}

// worldScale is the number of global tile units across the world at zoom z.
func worldScale(z uint32, extent uint32) float64 {
	return float64(extent) * float64(uint64(1)<<z)
}

// quantiseGlobal rounds a world coordinate to global tile units at zoom z,
// keeping points on the east and south edges of the world inside the last
// column and row. Every point path quantises through the global grid so
// that neighbouring tiles agree on which tile owns a point.
func quantiseGlobal(wx, wy float64, z uint32, extent uint32) (gx, gy int64) {
	s := worldScale(z, extent)
	last := int64(s) - 1
	return min(int64(roundHalfUp(wx*s)), last), min(int64(roundHalfUp(wy*s)), last)
}

// ownerTile is the tile whose half-open extent [0, extent) contains the
// global tile-unit position (gx, gy), clamped into the world.
func ownerTile(gx, gy int64, z uint32, extent uint32) TileID {
	n := int64(1) << z
	tx, ty := gx/int64(extent), gy/int64(extent)
	tx = min(max(tx, 0), n-1)
	ty = min(max(ty, 0), n-1)
	return TileID{Z: z, X: uint32(tx), Y: uint32(ty)}
}
