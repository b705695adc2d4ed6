package pmtiles

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	gzip "github.com/klauspost/compress/gzip"
)

// Entry is one directory entry: a run of RunLength tiles starting at
// TileID whose content is Length bytes at Offset in the tile data section,
// or, with RunLength 0, a leaf directory of Length bytes at Offset in the
// leaf directories section whose first entry has TileID.
type Entry struct {
	TileID    uint64
	Offset    uint64
	Length    uint32
	RunLength uint32
}

// EncodeDirectory serializes entries (sorted by TileID, at least one) as
// the specification describes, before internal compression: the number of
// entries, then the delta-encoded tile ids, the run lengths, the lengths
// and the offsets (0 when an entry directly follows the previous one,
// otherwise offset+1), each an unsigned varint.
func EncodeDirectory(entries []Entry) ([]byte, error) {
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: empty directory", ErrFormat)
	}
	b := make([]byte, 0, 4*len(entries)+binary.MaxVarintLen64)
	b = binary.AppendUvarint(b, uint64(len(entries)))
	var last uint64
	for i, e := range entries {
		if i > 0 && e.TileID <= last {
			return nil, fmt.Errorf("%w: directory tile ids not strictly ascending at entry %d", ErrFormat, i)
		}
		if e.Length == 0 {
			return nil, fmt.Errorf("%w: entry %d has length 0", ErrFormat, i)
		}
		b = binary.AppendUvarint(b, e.TileID-last)
		last = e.TileID
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.RunLength))
	}
	for _, e := range entries {
		b = binary.AppendUvarint(b, uint64(e.Length))
	}
	var next uint64
	for i, e := range entries {
		if i > 0 && e.Offset == next {
			b = append(b, 0)
		} else {
			b = binary.AppendUvarint(b, e.Offset+1)
		}
		next = e.Offset + uint64(e.Length)
	}
	return b, nil
}

// DecodeDirectory parses a directory serialized by EncodeDirectory (after
// decompression). It rejects empty directories, truncated or trailing
// data, values that overflow their fields, zero lengths and tile ids that
// do not ascend.
func DecodeDirectory(b []byte) ([]Entry, error) {
	r := bytes.NewReader(b)
	read := func(what string, i int) (uint64, error) {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			return 0, fmt.Errorf("%w: directory %s %d: %v", ErrFormat, what, i, err)
		}
		return v, nil
	}
	n, err := read("entry count", 0)
	if err != nil {
		return nil, err
	}
	// Every entry takes at least four bytes (one varint per column).
	if n == 0 || n > uint64(len(b))/4 {
		return nil, fmt.Errorf("%w: directory of %d entries in %d bytes", ErrFormat, n, len(b))
	}
	entries := make([]Entry, n)
	var id uint64
	for i := range entries {
		d, err := read("tile id", i)
		if err != nil {
			return nil, err
		}
		if i > 0 && d == 0 || id+d < id {
			return nil, fmt.Errorf("%w: directory tile id %d not ascending", ErrFormat, i)
		}
		id += d
		entries[i].TileID = id
	}
	for i := range entries {
		v, err := read("run length", i)
		if err != nil {
			return nil, err
		}
		if v > 1<<32-1 {
			return nil, fmt.Errorf("%w: run length %d of entry %d overflows 32 bits", ErrFormat, v, i)
		}
		entries[i].RunLength = uint32(v)
	}
	for i := range entries {
		v, err := read("length", i)
		if err != nil {
			return nil, err
		}
		if v == 0 || v > 1<<32-1 {
			return nil, fmt.Errorf("%w: length %d of entry %d", ErrFormat, v, i)
		}
		entries[i].Length = uint32(v)
	}
	for i := range entries {
		v, err := read("offset", i)
		if err != nil {
			return nil, err
		}
		switch {
		case v == 0 && i > 0:
			p := entries[i-1]
			entries[i].Offset = p.Offset + uint64(p.Length)
			if entries[i].Offset < p.Offset {
				return nil, fmt.Errorf("%w: offset of entry %d overflows", ErrFormat, i)
			}
		case v == 0:
			return nil, fmt.Errorf("%w: first entry has no offset", ErrFormat)
		default:
			entries[i].Offset = v - 1
		}
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the directory", ErrFormat, r.Len())
	}
	return entries, nil
}

// compress applies the compression c to b.
func compress(c Compression, b []byte) ([]byte, error) {
	switch c {
	case CompressionNone:
		return b, nil
	case CompressionGzip:
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := zw.Write(b); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("%w: compression %s", ErrUnsupported, c)
}

// decompress undoes the compression c, refusing output above limit bytes.
func decompress(c Compression, b []byte, limit int64) ([]byte, error) {
	switch c {
	case CompressionNone:
		if int64(len(b)) > limit {
			return nil, fmt.Errorf("%w: section of %d bytes exceeds %d", ErrFormat, len(b), limit)
		}
		return b, nil
	case CompressionGzip:
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %v", ErrFormat, err)
		}
		out, err := io.ReadAll(io.LimitReader(zr, limit+1))
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %v", ErrFormat, err)
		}
		if int64(len(out)) > limit {
			return nil, fmt.Errorf("%w: section inflates beyond %d bytes", ErrFormat, limit)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: compression %s", ErrUnsupported, c)
}
