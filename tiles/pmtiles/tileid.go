package pmtiles

import "fmt"

// MaxZoom is the highest zoom a TileID can address.
const MaxZoom = 31

// zoomBase is the TileID of the first tile of zoom z: the number of tiles
// in zooms 0 to z-1, (4^z - 1) / 3.
func zoomBase(z uint8) uint64 { return ((uint64(1) << (2 * uint64(z))) - 1) / 3 }

// TileID returns the PMTiles tile id of z/x/y: the number of tiles of the
// zooms below z plus the position of (x, y) on the Hilbert curve that
// fills the 2^z × 2^z grid of zoom z. It returns an error for z above
// MaxZoom or x or y not below 2^z.
func TileID(z uint8, x, y uint32) (uint64, error) {
	if z > MaxZoom {
		return 0, fmt.Errorf("%w: zoom %d above %d", ErrTileAddress, z, MaxZoom)
	}
	n := uint64(1) << z
	if uint64(x) >= n || uint64(y) >= n {
		return 0, fmt.Errorf("%w: %d/%d/%d", ErrTileAddress, z, x, y)
	}
	return zoomBase(z) + hilbertIndex(n, uint64(x), uint64(y)), nil
}

// hilbertIndex is the distance along the Hilbert curve of an n×n grid (n a
// power of two) of the cell (x, y), with the curve starting at (0, 0) and
// ending at (n-1, 0).
func hilbertIndex(n, x, y uint64) uint64 {
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint64
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		x, y = hilbertRotate(n, x, y, rx, ry)
	}
	return d
}

// hilbertRotate turns the quadrant so that the sub-curve has the
// orientation of the whole.
func hilbertRotate(n, x, y, rx, ry uint64) (uint64, uint64) {
	if ry == 0 {
		if rx == 1 {
			x = n - 1 - x
			y = n - 1 - y
		}
		x, y = y, x
	}
	return x, y
}

// Zxy returns the z/x/y of a tile id; the inverse of TileID. It returns an
// error for an id beyond zoom MaxZoom.
func Zxy(id uint64) (z uint8, x, y uint32, err error) {
	for z = 0; z <= MaxZoom; z++ {
		if id < zoomBase(z+1) {
			break
		}
	}
	if z > MaxZoom {
		return 0, 0, 0, fmt.Errorf("%w: tile id %d beyond zoom %d", ErrTileAddress, id, MaxZoom)
	}
	n := uint64(1) << z
	t := id - zoomBase(z)
	var hx, hy uint64
	for s := uint64(1); s < n; s *= 2 {
		rx := 1 & (t / 2)
		ry := 1 & (t ^ rx)
		hx, hy = hilbertRotate(s, hx, hy, rx, ry)
		hx += s * rx
		hy += s * ry
		t /= 4
	}
	return z, uint32(hx), uint32(hy), nil
}
