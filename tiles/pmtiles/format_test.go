package pmtiles

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestTileIDSpecTable(t *testing.T) {
	// The examples of the specification's TileID table.
	for _, tc := range []struct {
		z    uint8
		x, y uint32
		id   uint64
	}{
		{0, 0, 0, 0},
		{1, 0, 0, 1},
		{1, 0, 1, 2},
		{1, 1, 1, 3},
		{1, 1, 0, 4},
		{2, 0, 0, 5},
		{12, 3423, 1763, 19078479},
	} {
		id, err := TileID(tc.z, tc.x, tc.y)
		if err != nil || id != tc.id {
			t.Errorf("TileID(%d, %d, %d) = %d, %v; want %d", tc.z, tc.x, tc.y, id, err, tc.id)
		}
		z, x, y, err := Zxy(tc.id)
		if err != nil || z != tc.z || x != tc.x || y != tc.y {
			t.Errorf("Zxy(%d) = %d/%d/%d, %v", tc.id, z, x, y, err)
		}
	}
}

func TestTileIDBijective(t *testing.T) {
	// Every tile of zooms 0–7 gets the next id, and Zxy inverts TileID.
	var want uint64
	for z := uint8(0); z <= 7; z++ {
		n := uint32(1) << z
		seen := make([]bool, n*n)
		for x := range n {
			for y := range n {
				id, err := TileID(z, x, y)
				if err != nil {
					t.Fatal(err)
				}
				rel := id - zoomBase(z)
				if rel >= uint64(n*n) || seen[rel] {
					t.Fatalf("%d/%d/%d: id %d outside or repeated", z, x, y, id)
				}
				seen[rel] = true
				if gz, gx, gy, err := Zxy(id); err != nil || gz != z || gx != x || gy != y {
					t.Fatalf("Zxy(%d) = %d/%d/%d %v, want %d/%d/%d", id, gz, gx, gy, err, z, x, y)
				}
			}
		}
		want += uint64(n) * uint64(n)
		if zoomBase(z+1) != want {
			t.Fatalf("zoomBase(%d) = %d, want %d", z+1, zoomBase(z+1), want)
		}
	}
	// Consecutive ids along the curve are neighbouring tiles.
	for id := zoomBase(6); id+1 < zoomBase(7); id++ {
		_, x0, y0, _ := Zxy(id)
		_, x1, y1, _ := Zxy(id + 1)
		d := int(x1) - int(x0) + int(y1) - int(y0)
		if d*d != 1 || (x0 != x1 && y0 != y1) {
			t.Fatalf("ids %d and %d are not neighbours: %d/%d and %d/%d", id, id+1, x0, y0, x1, y1)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		z := uint8(rng.IntN(MaxZoom + 1))
		n := uint64(1) << z
		x, y := uint32(rng.Uint64N(n)), uint32(rng.Uint64N(n))
		id, err := TileID(z, x, y)
		if err != nil {
			t.Fatal(err)
		}
		if gz, gx, gy, err := Zxy(id); err != nil || gz != z || gx != x || gy != y {
			t.Fatalf("round trip of %d/%d/%d: %d/%d/%d %v", z, x, y, gz, gx, gy, err)
		}
	}
}

func TestTileIDErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		z    uint8
		x, y uint32
	}{
		{"zoom too high", 32, 0, 0},
		{"x outside", 2, 4, 0},
		{"y outside", 0, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := TileID(tc.z, tc.x, tc.y); !errors.Is(err, ErrTileAddress) {
				t.Errorf("err = %v", err)
			}
		})
	}
	if _, _, _, err := Zxy(^uint64(0)); !errors.Is(err, ErrTileAddress) {
		t.Errorf("Zxy(max) err = %v", err)
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	h := Header{
		RootOffset: 127, RootLength: 1000, MetadataOffset: 1127, MetadataLength: 200,
		LeafOffset: 1327, LeafLength: 0, DataOffset: 1327, DataLength: 1 << 40,
		AddressedTiles: 12345, TileEntries: 321, TileContents: 300,
		Clustered: true, InternalCompression: CompressionGzip, TileCompression: CompressionNone,
		TileType: TileTypeMVT, MinZoom: 0, MaxZoom: 14,
		MinLon: 60.5, MinLat: 23.6345678, MaxLon: 77.8, MaxLat: 38.5,
		CenterZoom: 6, CenterLon: 69.15, CenterLat: -31.0000001,
	}
	b, err := h.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != HeaderLen || string(b[:7]) != "PMTiles" || b[7] != 3 {
		t.Fatalf("header bytes % x", b[:8])
	}
	// Fixed positions of the specification's table.
	if b[96] != 1 || b[97] != 2 || b[98] != 1 || b[99] != 1 || b[101] != 14 || b[118] != 6 {
		t.Errorf("byte fields: % x", b[96:102])
	}
	got, err := ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, h) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, h)
	}
}

func TestParseHeaderErrors(t *testing.T) {
	good, _ := Header{}.MarshalBinary()
	v2 := append([]byte("PM\x02\x00"), make([]byte, 200)...)
	v4 := bytes.Clone(good)
	v4[7] = 4
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"short", good[:100], ErrFormat},
		{"no magic", append([]byte("GIF89a!"), good[7:]...), ErrFormat},
		{"version 2", v2, ErrUnsupported},
		{"version 4", v4, ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseHeader(tc.b); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestEncodeDirectorySpecExample(t *testing.T) {
	// Tile ids 5, 42, 69 are written as the deltas 5, 37, 27; the second
	// entry follows the first (offset 0), the third does not (offset+1).
	entries := []Entry{
		{TileID: 5, Offset: 0, Length: 10, RunLength: 1},
		{TileID: 42, Offset: 10, Length: 300, RunLength: 2},
		{TileID: 69, Offset: 5, Length: 10, RunLength: 1},
	}
	b, err := EncodeDirectory(entries)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{3, 5, 37, 27, 1, 2, 1, 10, 0xac, 0x02, 10, 1, 0, 6}
	if !bytes.Equal(b, want) {
		t.Errorf("encoded % x, want % x", b, want)
	}
	got, err := DecodeDirectory(b)
	if err != nil || !reflect.DeepEqual(got, entries) {
		t.Errorf("decoded %+v, %v", got, err)
	}
}

func TestDecodeDirectoryErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty input", nil},
		{"zero entries", []byte{0}},
		{"count too large", []byte{100, 1, 1, 1, 1}},
		{"truncated", []byte{2, 1, 1, 1, 1, 1, 1, 1}},
		{"trailing bytes", []byte{1, 1, 1, 1, 1, 9}},
		{"zero length", []byte{1, 1, 1, 0, 1}},
		{"repeated tile id", []byte{2, 1, 0, 1, 1, 1, 1, 1, 0}},
		{"first offset zero", []byte{1, 1, 1, 1, 0}},
		{"run length overflow", []byte{1, 1, 0x80, 0x80, 0x80, 0x80, 0x10, 1, 1}},
		{"varint overflow", []byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1, 1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := DecodeDirectory(tc.b); !errors.Is(err, ErrFormat) {
				t.Errorf("err = %v, want ErrFormat", err)
			}
		})
	}
	if _, err := EncodeDirectory(nil); !errors.Is(err, ErrFormat) {
		t.Errorf("empty directory encoded: %v", err)
	}
	if _, err := EncodeDirectory([]Entry{{TileID: 2, Length: 1}, {TileID: 1, Length: 1}}); !errors.Is(err, ErrFormat) {
		t.Errorf("descending ids encoded: %v", err)
	}
	if _, err := EncodeDirectory([]Entry{{TileID: 2, Length: 0}}); !errors.Is(err, ErrFormat) {
		t.Errorf("zero length encoded: %v", err)
	}
}
