package pmtiles

import (
	"fmt"
	"io"
	"math"
	"sort"
	"sync"
)

// Limits that bound the work a malformed archive can cause.
const (
	// maxDirectoryBytes bounds a decompressed directory (a leaf of a
	// million entries takes about 5 MB).
	maxDirectoryBytes = 64 << 20
	// maxMetadataBytes bounds the decompressed JSON metadata.
	maxMetadataBytes = 64 << 20
	// maxDepth bounds the directory levels followed (root, leaves, and
	// leaves of leaves, which the specification discourages).
	maxDepth = 4
)

// Reader reads tiles from a PMTiles v3 archive. It is safe for concurrent
// use if the underlying io.ReaderAt is.
type Reader struct {
	r    io.ReaderAt
	size int64
	h    Header
	root []Entry

	mu     sync.Mutex
	leaves map[uint64][]Entry // decoded leaf directories by offset
}

// maxCachedLeaves bounds the leaf directories a Reader keeps decoded.
const maxCachedLeaves = 64

// NewReader reads and checks the header and root directory of the archive
// of size bytes in r.
func NewReader(r io.ReaderAt, size int64) (*Reader, error) {
	hb := make([]byte, HeaderLen)
	if size < HeaderLen {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the header", ErrFormat, size)
	}
	if _, err := r.ReadAt(hb, 0); err != nil {
		return nil, fmt.Errorf("pmtiles: reading the header: %w", err)
	}
	h, err := ParseHeader(hb)
	if err != nil {
		return nil, err
	}
	rd := &Reader{r: r, size: size, h: h}
	for _, s := range []struct {
		name        string
		off, length uint64
	}{
		{"root directory", h.RootOffset, h.RootLength},
		{"metadata", h.MetadataOffset, h.MetadataLength},
		{"leaf directories", h.LeafOffset, h.LeafLength},
		{"tile data", h.DataOffset, h.DataLength},
	} {
		if s.off > uint64(size) || s.length > uint64(size)-s.off {
			return nil, fmt.Errorf("%w: %s at %d+%d beyond the archive's %d bytes", ErrFormat, s.name, s.off, s.length, size)
		}
	}
	if h.RootLength == 0 {
		return nil, fmt.Errorf("%w: empty root directory", ErrFormat)
	}
	if h.InternalCompression != CompressionNone && h.InternalCompression != CompressionGzip {
		return nil, fmt.Errorf("%w: internal compression %s", ErrUnsupported, h.InternalCompression)
	}
	rd.root, err = rd.directory(h.RootOffset, h.RootLength)
	if err != nil {
		return nil, fmt.Errorf("root directory: %w", err)
	}
	return rd, nil
}

// Header returns the archive's header.
func (r *Reader) Header() Header { return r.h }

// Metadata returns the archive's JSON metadata, decompressed.
func (r *Reader) Metadata() ([]byte, error) {
	b, err := r.read(r.h.MetadataOffset, r.h.MetadataLength)
	if err != nil {
		return nil, err
	}
	return decompress(r.h.InternalCompression, b, maxMetadataBytes)
}

func (r *Reader) read(off, length uint64) ([]byte, error) {
	if off > uint64(r.size) || length > uint64(r.size)-off {
		return nil, fmt.Errorf("%w: range %d+%d beyond the archive's %d bytes", ErrFormat, off, length, r.size)
	}
	b := make([]byte, length)
	if _, err := r.r.ReadAt(b, int64(off)); err != nil {
		return nil, fmt.Errorf("pmtiles: %w", err)
	}
	return b, nil
}

// directory reads and decodes the directory at off (absolute).
func (r *Reader) directory(off, length uint64) ([]Entry, error) {
	b, err := r.read(off, length)
	if err != nil {
		return nil, err
	}
	raw, err := decompress(r.h.InternalCompression, b, maxDirectoryBytes)
	if err != nil {
		return nil, err
	}
	return DecodeDirectory(raw)
}

// leaf reads the leaf directory an entry points to, through a small
// cache.
func (r *Reader) leaf(e Entry) ([]Entry, error) {
	if e.Offset > r.h.LeafLength || uint64(e.Length) > r.h.LeafLength-e.Offset {
		return nil, fmt.Errorf("%w: leaf directory at %d+%d outside the leaf section of %d bytes", ErrFormat, e.Offset, e.Length, r.h.LeafLength)
	}
	r.mu.Lock()
	d, ok := r.leaves[e.Offset]
	r.mu.Unlock()
	if ok {
		return d, nil
	}
	d, err := r.directory(r.h.LeafOffset+e.Offset, uint64(e.Length))
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.leaves == nil || len(r.leaves) >= maxCachedLeaves {
		r.leaves = map[uint64][]Entry{}
	}
	r.leaves[e.Offset] = d
	r.mu.Unlock()
	return d, nil
}

// Find returns the directory entry that holds the tile z/x/y (RunLength
// > 0) or ErrNotFound.
func (r *Reader) Find(z uint8, x, y uint32) (Entry, error) {
	id, err := TileID(z, x, y)
	if err != nil {
		return Entry{}, err
	}
	dir := r.root
	for depth := 0; depth < maxDepth; depth++ {
		// the last entry with TileID <= id
		i := sort.Search(len(dir), func(i int) bool { return dir[i].TileID > id }) - 1
		if i < 0 {
			break
		}
		e := dir[i]
		if e.RunLength > 0 {
			if id-e.TileID < uint64(e.RunLength) {
				return e, nil
			}
			break
		}
		if dir, err = r.leaf(e); err != nil {
			return Entry{}, err
		}
	}
	return Entry{}, fmt.Errorf("%w: %d/%d/%d", ErrNotFound, z, x, y)
}

// Tile returns the stored bytes of tile z/x/y, compressed as
// Header().TileCompression says, or an error wrapping ErrNotFound.
func (r *Reader) Tile(z uint8, x, y uint32) ([]byte, error) {
	e, err := r.Find(z, x, y)
	if err != nil {
		return nil, err
	}
	return r.tileData(e)
}

// TileData returns the stored bytes of a tile entry.
func (r *Reader) tileData(e Entry) ([]byte, error) {
	if e.Offset > r.h.DataLength || uint64(e.Length) > r.h.DataLength-e.Offset {
		return nil, fmt.Errorf("%w: tile at %d+%d outside the data section of %d bytes", ErrFormat, e.Offset, e.Length, r.h.DataLength)
	}
	return r.read(r.h.DataOffset+e.Offset, uint64(e.Length))
}

// Decompress returns a tile's content uncompressed, according to the
// archive's tile compression (gzip or none).
func (r *Reader) Decompress(stored []byte) ([]byte, error) {
	return decompress(r.h.TileCompression, stored, 1<<30)
}

// Entries calls fn for every tile entry (RunLength > 0) of the archive in
// TileID order, descending into leaf directories. It checks that entries
// do not overlap and that each leaf directory starts at the tile id of the
// entry pointing to it and ends before the next one, so every leaf is read
// once. It stops at the first error fn returns and returns it.
func (r *Reader) Entries(fn func(Entry) error) error {
	return r.walk(r.root, 0, 0, math.MaxUint64, fn)
}

// walk visits dir, whose tile ids must lie in [lo, hi).
func (r *Reader) walk(dir []Entry, depth int, lo, hi uint64, fn func(Entry) error) error {
	for i, e := range dir {
		next := hi
		if i+1 < len(dir) {
			next = dir[i+1].TileID
		}
		if e.TileID < lo || e.TileID >= hi {
			return fmt.Errorf("%w: entry for tile id %d outside its parent's range [%d, %d)", ErrFormat, e.TileID, lo, hi)
		}
		if e.RunLength > 0 {
			if next-e.TileID < uint64(e.RunLength) {
				return fmt.Errorf("%w: run of %d tiles from tile id %d overlaps tile id %d", ErrFormat, e.RunLength, e.TileID, next)
			}
			if err := fn(e); err != nil {
				return err
			}
			continue
		}
		if depth+1 >= maxDepth {
			return fmt.Errorf("%w: leaf directories nested deeper than %d levels", ErrFormat, maxDepth)
		}
		leaf, err := r.leaf(e)
		if err != nil {
			return err
		}
		if leaf[0].TileID != e.TileID {
			return fmt.Errorf("%w: leaf directory for tile id %d starts at %d", ErrFormat, e.TileID, leaf[0].TileID)
		}
		if err := r.walk(leaf, depth+1, e.TileID, next, fn); err != nil {
			return err
		}
	}
	return nil
}
