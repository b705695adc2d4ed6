package pmtiles

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzDecodeDirectory checks that DecodeDirectory never panics and that
// what it accepts encodes back to a directory that decodes to the same
// entries.
func FuzzDecodeDirectory(f *testing.F) {
	ex, _ := EncodeDirectory([]Entry{{5, 0, 10, 1}, {42, 10, 300, 2}, {69, 5, 10, 1}, {100, 0, 7, 0}})
	for _, seed := range [][]byte{ex, {1, 1, 1, 1, 1}, {0}, {2, 1, 0, 1, 1, 1, 1, 1, 0}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := DecodeDirectory(b)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		re, err := EncodeDirectory(entries)
		if err != nil {
			t.Fatalf("re-encoding accepted entries: %v", err)
		}
		again, err := DecodeDirectory(re)
		if err != nil || !reflect.DeepEqual(again, entries) {
			t.Fatalf("round trip: %v\n%+v\n%+v", err, entries, again)
		}
	})
}

// FuzzParseHeader checks that ParseHeader never panics and that an
// accepted header survives MarshalBinary.
func FuzzParseHeader(f *testing.F) {
	hb, _ := Header{RootOffset: 127, RootLength: 20, MinLon: 60.5, MaxLat: 38.5, Clustered: true}.MarshalBinary()
	f.Add(hb)
	f.Add([]byte("PM\x02"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseHeader(b)
		if err != nil {
			return
		}
		out, err := h.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		h2, err := ParseHeader(out)
		if err != nil || !reflect.DeepEqual(h, h2) {
			t.Fatalf("round trip: %v\n%+v\n%+v", err, h, h2)
		}
	})
}

// FuzzReader opens arbitrary bytes as an archive and reads its metadata,
// entries and a few tiles: errors are fine, panics and runaway work are
// not.
func FuzzReader(f *testing.F) {
	for _, opt := range []Options{{}, {RootEntries: 2, LeafEntries: 3}, {TileCompression: CompressionNone}} {
		var buf bytes.Buffer
		opt.TempDir = f.TempDir()
		w, err := NewWriter(&buf, opt)
		if err != nil {
			f.Fatal(err)
		}
		for _, tl := range synthPyramid(2) {
			if err := w.Add(tl.z, tl.x, tl.y, tl.data); err != nil {
				f.Fatal(err)
			}
		}
		if _, err := w.Close(); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	// An archive with uncompressed directories, so that mutations reach
	// the directory decoder.
	dir, _ := EncodeDirectory([]Entry{{0, 0, 3, 1}, {1, 3, 2, 2}, {5, 0, 3, 0}})
	leaf, _ := EncodeDirectory([]Entry{{5, 0, 3, 1}, {6, 3, 2, 1}})
	h := Header{InternalCompression: CompressionNone, TileCompression: CompressionNone, RootOffset: HeaderLen, RootLength: uint64(len(dir))}
	h.MetadataOffset = h.RootOffset + h.RootLength
	h.MetadataLength = 2
	h.LeafOffset = h.MetadataOffset + 2
	h.LeafLength = uint64(len(leaf))
	h.DataOffset = h.LeafOffset + h.LeafLength
	h.DataLength = 5
	raw, _ := h.MarshalBinary()
	raw = append(append(append(append(raw, dir...), "{}"...), leaf...), "abcde"...)
	f.Add(raw)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		r.Metadata()
		n := 0
		r.Entries(func(e Entry) error {
			n++
			return nil
		})
		for _, a := range [][3]uint32{{0, 0, 0}, {1, 1, 0}, {2, 3, 3}, {2, 1, 2}} {
			if stored, err := r.Tile(uint8(a[0]), a[1], a[2]); err == nil {
				r.Decompress(stored)
			}
		}
	})
}
