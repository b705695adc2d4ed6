package pmtiles

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Errors returned by this package. Errors wrap one of them, so callers can
// test with errors.Is.
var (
	// ErrFormat reports bytes that are not a valid PMTiles v3 archive (bad
	// magic, version, header field, directory or section bounds).
	ErrFormat = errors.New("pmtiles: invalid archive")
	// ErrUnsupported reports a valid archive feature this package does not
	// implement (brotli or zstd compression).
	ErrUnsupported = errors.New("pmtiles: unsupported")
	// ErrNotFound is returned by Reader.Tile for a tile the archive does
	// not hold.
	ErrNotFound = errors.New("pmtiles: tile not found")
	// ErrTileAddress reports a z/x/y or tile id outside the tile pyramid.
	ErrTileAddress = errors.New("pmtiles: tile address out of range")
	// ErrDuplicateTile is returned by Writer.Close when a tile was added
	// twice.
	ErrDuplicateTile = errors.New("pmtiles: tile added twice")
	// ErrEmpty is returned by Writer.Close when no tile was added: a
	// PMTiles directory must not be empty.
	ErrEmpty = errors.New("pmtiles: no tiles")
	// ErrClosed is returned by a Writer after Close.
	ErrClosed = errors.New("pmtiles: writer closed")
)

// HeaderLen is the size of the header in bytes.
const HeaderLen = 127

// MaxRootBytes is the largest compressed root directory: header and root
// directory must fit in the first 16,384 bytes.
const MaxRootBytes = 16384 - HeaderLen

// magic starts every archive.
const magic = "PMTiles"

// Compression is the compression of the directories and metadata
// (internal compression) or of the tiles.
type Compression uint8

// Compression values of the specification.
const (
	CompressionUnknown Compression = 0
	CompressionNone    Compression = 1
	CompressionGzip    Compression = 2
	CompressionBrotli  Compression = 3
	CompressionZstd    Compression = 4
)

func (c Compression) String() string {
	switch c {
	case CompressionUnknown:
		return "unknown"
	case CompressionNone:
		return "none"
	case CompressionGzip:
		return "gzip"
	case CompressionBrotli:
		return "br"
	case CompressionZstd:
		return "zstd"
	}
	return fmt.Sprintf("Compression(%d)", uint8(c))
}

// TileType is what the tiles are.
type TileType uint8

// Tile types of the specification.
const (
	TileTypeUnknown TileType = 0
	TileTypeMVT     TileType = 1
	TileTypePNG     TileType = 2
	TileTypeJPEG    TileType = 3
	TileTypeWebP    TileType = 4
	TileTypeAVIF    TileType = 5
)

func (t TileType) String() string {
	switch t {
	case TileTypeUnknown:
		return "unknown"
	case TileTypeMVT:
		return "mvt"
	case TileTypePNG:
		return "png"
	case TileTypeJPEG:
		return "jpeg"
	case TileTypeWebP:
		return "webp"
	case TileTypeAVIF:
		return "avif"
	}
	return fmt.Sprintf("TileType(%d)", uint8(t))
}

// Header is the fixed 127-byte header of an archive. Positions are WGS84
// degrees, stored with a resolution of 10⁻⁷ degree.
type Header struct {
	RootOffset, RootLength         uint64
	MetadataOffset, MetadataLength uint64
	LeafOffset, LeafLength         uint64
	DataOffset, DataLength         uint64
	// AddressedTiles is the number of tiles (the sum of run lengths),
	// TileEntries the number of tile entries in all directories and
	// TileContents the number of distinct tile blobs; 0 means unknown.
	AddressedTiles, TileEntries, TileContents uint64
	// Clustered is set when tile blobs are stored in TileID order.
	Clustered           bool
	InternalCompression Compression
	TileCompression     Compression
	TileType            TileType
	MinZoom, MaxZoom    uint8
	// MinLon, MinLat, MaxLon, MaxLat bound the tiles' content.
	MinLon, MinLat, MaxLon, MaxLat float64
	CenterZoom                     uint8
	CenterLon, CenterLat           float64
}

// e7 converts degrees to the header's fixed-point integers.
func e7(v float64) int32 {
	r := math.Round(v * 1e7)
	return int32(max(min(r, math.MaxInt32), math.MinInt32))
}

// MarshalBinary encodes the header in its 127 bytes.
func (h Header) MarshalBinary() ([]byte, error) {
	b := make([]byte, HeaderLen)
	copy(b, magic)
	b[7] = 3
	le := binary.LittleEndian
	for i, v := range []uint64{h.RootOffset, h.RootLength, h.MetadataOffset, h.MetadataLength,
		h.LeafOffset, h.LeafLength, h.DataOffset, h.DataLength,
		h.AddressedTiles, h.TileEntries, h.TileContents} {
		le.PutUint64(b[8+8*i:], v)
	}
	if h.Clustered {
		b[96] = 1
	}
	b[97] = byte(h.InternalCompression)
	b[98] = byte(h.TileCompression)
	b[99] = byte(h.TileType)
	b[100] = h.MinZoom
	b[101] = h.MaxZoom
	le.PutUint32(b[102:], uint32(e7(h.MinLon)))
	le.PutUint32(b[106:], uint32(e7(h.MinLat)))
	le.PutUint32(b[110:], uint32(e7(h.MaxLon)))
	le.PutUint32(b[114:], uint32(e7(h.MaxLat)))
	b[118] = h.CenterZoom
	le.PutUint32(b[119:], uint32(e7(h.CenterLon)))
	le.PutUint32(b[123:], uint32(e7(h.CenterLat)))
	return b, nil
}

// ParseHeader decodes the first 127 bytes of an archive. It checks the
// magic number and version only; Reader checks the sections against the
// archive size.
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderLen {
		return h, fmt.Errorf("%w: header of %d bytes, want %d", ErrFormat, len(b), HeaderLen)
	}
	if string(b[:7]) != magic {
		if string(b[:2]) == "PM" {
			return h, fmt.Errorf("%w: PMTiles version %d (only version 3 is read)", ErrUnsupported, b[2])
		}
		return h, fmt.Errorf("%w: no PMTiles magic number", ErrFormat)
	}
	if b[7] != 3 {
		return h, fmt.Errorf("%w: PMTiles version %d (only version 3 is read)", ErrUnsupported, b[7])
	}
	le := binary.LittleEndian
	u := func(i int) uint64 { return le.Uint64(b[8+8*i:]) }
	deg := func(off int) float64 { return float64(int32(le.Uint32(b[off:]))) / 1e7 }
	h = Header{
		RootOffset: u(0), RootLength: u(1),
		MetadataOffset: u(2), MetadataLength: u(3),
		LeafOffset: u(4), LeafLength: u(5),
		DataOffset: u(6), DataLength: u(7),
		AddressedTiles: u(8), TileEntries: u(9), TileContents: u(10),
		Clustered:           b[96] == 1,
		InternalCompression: Compression(b[97]),
		TileCompression:     Compression(b[98]),
		TileType:            TileType(b[99]),
		MinZoom:             b[100],
		MaxZoom:             b[101],
		MinLon:              deg(102),
		MinLat:              deg(106),
		MaxLon:              deg(110),
		MaxLat:              deg(114),
		CenterZoom:          b[118],
		CenterLon:           deg(119),
		CenterLat:           deg(123),
	}
	return h, nil
}
