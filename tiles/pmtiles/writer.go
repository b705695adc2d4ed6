package pmtiles

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"sync"

	gzip "github.com/klauspost/compress/gzip"
)

// Options configures a Writer.
type Options struct {
	// TileType is written to the header (default TileTypeMVT).
	TileType TileType
	// TileCompression is how tiles are stored: CompressionGzip (the
	// default) gzips the bytes given to Add, CompressionNone stores them
	// as they are.
	TileCompression Compression
	// MinLon, MinLat, MaxLon, MaxLat are the bounds written to the header,
	// in WGS84 degrees. All zero means the bounds of the tiles added.
	MinLon, MinLat, MaxLon, MaxLat float64
	// CenterLon, CenterLat and CenterZoom are the initial view. A zero
	// centre means the middle of the bounds; the centre zoom is clamped to
	// the zoom range of the tiles.
	CenterLon, CenterLat float64
	CenterZoom           int
	// Metadata is marshalled with encoding/json as the archive's JSON
	// metadata; it must encode to a JSON object. For MVT it should hold
	// vector_layers (TileJSON 3.0.0) and, by convention, name,
	// description, attribution, type ("overlay" or "baselayer") and
	// version. nil writes {}.
	Metadata any
	// TempDir is where tile contents are spooled until Close (default
	// os.TempDir()).
	TempDir string
	// RootEntries, if positive, caps the entries of the root directory
	// before leaf directories are used; 0 uses leaves only when the root
	// would not fit in 16 KiB. Tests use it to exercise leaves.
	RootEntries int
	// LeafEntries is the initial number of entries per leaf directory
	// (default 4096); it grows until the root fits.
	LeafEntries int
	// Workers is the number of goroutines compressing tiles (default
	// runtime.GOMAXPROCS(0)), so that gzip does not hold up the caller.
	Workers int
}

// Stats summarises a written archive.
type Stats struct {
	Tiles    int   // tiles added (addressed tiles)
	Entries  int   // tile entries after run-length encoding
	Contents int   // distinct tile contents stored
	Leaves   int   // leaf directories
	Bytes    int64 // archive size
}

// content is one distinct tile blob in the spool.
type content struct {
	spoolOff uint64
	length   uint32
	outOff   uint64 // offset in the tile data section, once placed
	placed   bool
}

// spoolJob is one new content on its way to the spool.
type spoolJob struct {
	ci   uint32
	data []byte
}

// tileRef is one added tile.
type tileRef struct {
	id      uint64
	content uint32
}

// Writer builds a PMTiles archive. Add tiles in any order, then Close.
// A Writer is not safe for concurrent use.
type Writer struct {
	w        io.Writer
	opt      Options
	spool    *os.File
	hashes   map[[sha256.Size]byte]uint32
	contents []content
	tiles    []tileRef
	closed   bool

	// New contents go through jobs to the compressing workers, which send
	// them to the spooler goroutine; it alone writes the spool and
	// records where each content is (locs), until Close.
	jobs      chan spoolJob
	blobs     chan spoolJob
	workers   sync.WaitGroup
	spoolDone chan struct{}
	locs      []content // written by the spooler
	spoolErr  error     // written by the spooler
	// bounds of the tiles added, in tile coordinates per zoom, as lon/lat
	minLon, minLat, maxLon, maxLat float64
	minZ, maxZ                     uint8
}

// NewWriter returns a Writer that writes the archive to w on Close.
func NewWriter(w io.Writer, opt Options) (*Writer, error) {
	if opt.TileType == TileTypeUnknown {
		opt.TileType = TileTypeMVT
	}
	if opt.TileCompression == CompressionUnknown {
		opt.TileCompression = CompressionGzip
	}
	if opt.TileCompression != CompressionGzip && opt.TileCompression != CompressionNone {
		return nil, fmt.Errorf("%w: tile compression %s (gzip or none)", ErrUnsupported, opt.TileCompression)
	}
	if opt.LeafEntries <= 0 {
		opt.LeafEntries = 4096
	}
	f, err := os.CreateTemp(opt.TempDir, "pmtiles-spool-")
	if err != nil {
		return nil, fmt.Errorf("pmtiles: %w", err)
	}
	wr := &Writer{
		w: w, opt: opt, spool: f,
		hashes: map[[sha256.Size]byte]uint32{},
		minLon: math.Inf(1), minLat: math.Inf(1), maxLon: math.Inf(-1), maxLat: math.Inf(-1),
		minZ:      math.MaxUint8,
		spoolDone: make(chan struct{}),
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	wr.jobs = make(chan spoolJob, 4*workers)
	wr.blobs = make(chan spoolJob, 4*workers)
	for range workers {
		wr.workers.Add(1)
		go wr.compressor()
	}
	go wr.spooler()
	return wr, nil
}

// Add adds the tile z/x/y with the given (uncompressed) content, which
// must not be empty. Identical contents are stored once. New contents are
// compressed by the writer's workers: Add keeps data until Close returns,
// and the caller must not modify it.
func (w *Writer) Add(z uint8, x, y uint32, data []byte) error {
	if w.closed {
		return ErrClosed
	}
	id, err := TileID(z, x, y)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return fmt.Errorf("%w: empty tile %d/%d/%d", ErrFormat, z, x, y)
	}
	sum := sha256.Sum256(data)
	ci, ok := w.hashes[sum]
	if !ok {
		ci = uint32(len(w.contents))
		w.contents = append(w.contents, content{})
		w.hashes[sum] = ci
		w.jobs <- spoolJob{ci: ci, data: data}
	}
	w.tiles = append(w.tiles, tileRef{id: id, content: ci})
	w.minZ, w.maxZ = min(w.minZ, z), max(w.maxZ, z)
	lon0, lat1 := tileCorner(z, x, y)
	lon1, lat0 := tileCorner(z, x+1, y+1)
	w.minLon, w.minLat = min(w.minLon, lon0), min(w.minLat, lat0)
	w.maxLon, w.maxLat = max(w.maxLon, lon1), max(w.maxLat, lat1)
	return nil
}

// tileCorner is the north-west corner of tile z/x/y in degrees.
func tileCorner(z uint8, x, y uint32) (lon, lat float64) {
	n := math.Exp2(float64(z))
	lon = float64(x)/n*360 - 180
	lat = math.Atan(math.Sinh(math.Pi*(1-2*float64(y)/n))) * 180 / math.Pi
	return lon, lat
}

// compressor compresses new contents for the spooler.
func (w *Writer) compressor() {
	defer w.workers.Done()
	var buf bytes.Buffer
	var zw *gzip.Writer
	if w.opt.TileCompression == CompressionGzip {
		zw = gzip.NewWriter(&buf)
	}
	for j := range w.jobs {
		if zw != nil {
			buf.Reset()
			zw.Reset(&buf)
			zw.Write(j.data) // writes to a bytes.Buffer do not fail
			zw.Close()
			j.data = bytes.Clone(buf.Bytes())
		}
		w.blobs <- j
	}
}

// spooler appends compressed contents to the spool file and records
// where they are.
func (w *Writer) spooler() {
	defer close(w.spoolDone)
	bw := bufio.NewWriterSize(w.spool, 1<<20)
	var off uint64
	for j := range w.blobs {
		if w.spoolErr != nil {
			continue
		}
		if len(j.data) > math.MaxUint32 {
			w.spoolErr = fmt.Errorf("%w: a tile of %d bytes", ErrFormat, len(j.data))
			continue
		}
		if _, err := bw.Write(j.data); err != nil {
			w.spoolErr = fmt.Errorf("pmtiles: spool: %w", err)
			continue
		}
		if int(j.ci) >= len(w.locs) {
			w.locs = append(w.locs, make([]content, int(j.ci)+1-len(w.locs))...)
		}
		w.locs[j.ci] = content{spoolOff: off, length: uint32(len(j.data))}
		off += uint64(len(j.data))
	}
	if w.spoolErr == nil {
		if err := bw.Flush(); err != nil {
			w.spoolErr = fmt.Errorf("pmtiles: spool: %w", err)
		}
	}
}

// drain stops the workers and the spooler and waits for them.
func (w *Writer) drain() error {
	close(w.jobs)
	w.workers.Wait()
	close(w.blobs)
	<-w.spoolDone
	return w.spoolErr
}

// Abort discards the writer without writing anything.
func (w *Writer) Abort() {
	if !w.closed {
		w.closed = true
		w.drain()
		w.cleanup()
	}
}

func (w *Writer) cleanup() {
	w.spool.Close()
	os.Remove(w.spool.Name())
}

// Close writes the archive to the io.Writer given to NewWriter and removes
// the spool file. It does not close that io.Writer.
func (w *Writer) Close() (Stats, error) {
	var st Stats
	if w.closed {
		return st, ErrClosed
	}
	w.closed = true
	defer w.cleanup()
	if err := w.drain(); err != nil {
		return st, err
	}
	if len(w.tiles) == 0 {
		return st, ErrEmpty
	}
	for ci := range w.contents {
		w.contents[ci].spoolOff, w.contents[ci].length = w.locs[ci].spoolOff, w.locs[ci].length
	}
	slices.SortFunc(w.tiles, func(a, b tileRef) int {
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})

	// Entries in TileID order; contents placed in order of first use
	// (clustered), runs of equal consecutive tiles merged.
	var entries []Entry
	var order []uint32 // content indexes in data-section order
	var dataLen uint64
	for i, t := range w.tiles {
		if i > 0 && t.id == w.tiles[i-1].id {
			z, x, y, _ := Zxy(t.id)
			return st, fmt.Errorf("%w: %d/%d/%d", ErrDuplicateTile, z, x, y)
		}
		c := &w.contents[t.content]
		if !c.placed {
			c.placed, c.outOff = true, dataLen
			dataLen += uint64(c.length)
			order = append(order, t.content)
		}
		if n := len(entries); n > 0 {
			last := &entries[n-1]
			if last.TileID+uint64(last.RunLength) == t.id && last.Offset == c.outOff && last.RunLength < math.MaxUint32 {
				last.RunLength++
				continue
			}
		}
		entries = append(entries, Entry{TileID: t.id, Offset: c.outOff, Length: c.length, RunLength: 1})
	}

	root, leaves, nLeaves, err := buildDirectories(entries, w.opt.RootEntries, w.opt.LeafEntries)
	if err != nil {
		return st, err
	}
	meta := w.opt.Metadata
	if meta == nil {
		meta = map[string]any{}
	}
	mj, err := json.Marshal(meta)
	if err != nil {
		return st, fmt.Errorf("pmtiles: metadata: %w", err)
	}
	if len(mj) == 0 || mj[0] != '{' {
		return st, fmt.Errorf("pmtiles: metadata must be a JSON object, not %.20s", mj)
	}
	mz, err := compress(CompressionGzip, mj)
	if err != nil {
		return st, err
	}

	h := w.header()
	h.RootOffset = HeaderLen
	h.RootLength = uint64(len(root))
	h.MetadataOffset = h.RootOffset + h.RootLength
	h.MetadataLength = uint64(len(mz))
	h.LeafOffset = h.MetadataOffset + h.MetadataLength
	h.LeafLength = uint64(len(leaves))
	h.DataOffset = h.LeafOffset + h.LeafLength
	h.DataLength = dataLen
	h.AddressedTiles = uint64(len(w.tiles))
	h.TileEntries = uint64(len(entries))
	h.TileContents = uint64(len(order))
	hb, err := h.MarshalBinary()
	if err != nil {
		return st, err
	}

	bw := bufio.NewWriterSize(w.w, 1<<20)
	for _, b := range [][]byte{hb, root, mz, leaves} {
		if _, err := bw.Write(b); err != nil {
			return st, fmt.Errorf("pmtiles: %w", err)
		}
	}
	buf := make([]byte, 0, 1<<16)
	for _, ci := range order {
		c := w.contents[ci]
		buf = slices.Grow(buf[:0], int(c.length))[:c.length]
		if _, err := w.spool.ReadAt(buf, int64(c.spoolOff)); err != nil {
			return st, fmt.Errorf("pmtiles: spool: %w", err)
		}
		if _, err := bw.Write(buf); err != nil {
			return st, fmt.Errorf("pmtiles: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return st, fmt.Errorf("pmtiles: %w", err)
	}
	st = Stats{Tiles: len(w.tiles), Entries: len(entries), Contents: len(order), Leaves: nLeaves,
		Bytes: int64(h.DataOffset + h.DataLength)}
	return st, nil
}

// header fills the header fields that do not depend on the layout.
func (w *Writer) header() Header {
	o := w.opt
	h := Header{
		Clustered:           true,
		InternalCompression: CompressionGzip,
		TileCompression:     o.TileCompression,
		TileType:            o.TileType,
		MinZoom:             w.minZ,
		MaxZoom:             w.maxZ,
		MinLon:              o.MinLon, MinLat: o.MinLat, MaxLon: o.MaxLon, MaxLat: o.MaxLat,
	}
	if o.MinLon == 0 && o.MinLat == 0 && o.MaxLon == 0 && o.MaxLat == 0 {
		h.MinLon, h.MinLat, h.MaxLon, h.MaxLat = w.minLon, w.minLat, w.maxLon, w.maxLat
	}
	h.CenterLon, h.CenterLat = o.CenterLon, o.CenterLat
	if o.CenterLon == 0 && o.CenterLat == 0 {
		h.CenterLon, h.CenterLat = (h.MinLon+h.MaxLon)/2, (h.MinLat+h.MaxLat)/2
	}
	h.CenterZoom = uint8(min(max(o.CenterZoom, int(w.minZ)), int(w.maxZ)))
	return h
}

// buildDirectories encodes the root directory and, when the root would
// exceed MaxRootBytes (or rootMax entries, if positive), leaf directories
// of leafSize entries, growing leafSize until the root fits. It returns
// the compressed root, the concatenated compressed leaves and their count.
func buildDirectories(entries []Entry, rootMax, leafSize int) (root, leaves []byte, nLeaves int, err error) {
	if rootMax <= 0 || len(entries) <= rootMax {
		root, err = encodeCompressed(entries)
		if err != nil || len(root) <= MaxRootBytes {
			return root, nil, 0, err
		}
	}
	for {
		var rootEntries []Entry
		leaves = leaves[:0]
		for i := 0; i < len(entries); i += leafSize {
			chunk := entries[i:min(i+leafSize, len(entries))]
			lb, err := encodeCompressed(chunk)
			if err != nil {
				return nil, nil, 0, err
			}
			rootEntries = append(rootEntries, Entry{TileID: chunk[0].TileID, Offset: uint64(len(leaves)), Length: uint32(len(lb))})
			leaves = append(leaves, lb...)
		}
		root, err = encodeCompressed(rootEntries)
		if err != nil {
			return nil, nil, 0, err
		}
		if len(root) <= MaxRootBytes && (rootMax <= 0 || len(rootEntries) <= rootMax) {
			return root, leaves, len(rootEntries), nil
		}
		leafSize += leafSize/5 + 1
	}
}

func encodeCompressed(entries []Entry) ([]byte, error) {
	b, err := EncodeDirectory(entries)
	if err != nil {
		return nil, err
	}
	return compress(CompressionGzip, b)
}
