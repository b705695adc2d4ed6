package mbtiles

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	gzip "github.com/klauspost/compress/gzip"
	_ "modernc.org/sqlite" // database/sql driver "sqlite", pure Go
)

// ApplicationID is SQLite's application_id of MBTiles files ("MPBX").
const ApplicationID = 0x4d504258

// Errors returned by the Writer.
var (
	// ErrExists is returned by Create when the file already exists.
	ErrExists = errors.New("mbtiles: file exists")
	// ErrTileAddress reports a z/x/y outside the tile pyramid.
	ErrTileAddress = errors.New("mbtiles: tile address out of range")
	// ErrMetadata reports metadata that cannot be written.
	ErrMetadata = errors.New("mbtiles: invalid metadata")
	// ErrClosed is returned by a Writer after Close or Abort.
	ErrClosed = errors.New("mbtiles: writer closed")
)

// Metadata is what the metadata table says about the tileset.
type Metadata struct {
	Name        string // required
	Description string
	Attribution string // HTML or plain text
	Type        string // "overlay" or "baselayer"
	Version     string
	// MinZoom and MaxZoom are the zoom range of the tiles.
	MinZoom, MaxZoom int
	// Bounds is minlon, minlat, maxlon, maxlat in degrees.
	Bounds [4]float64
	// Center is lon, lat in degrees and zoom.
	Center [3]float64
	// VectorLayers is written as the vector_layers member of the json row
	// (TileJSON 3.0.0 vector_layers: id, fields, description, minzoom,
	// maxzoom). It must not be nil for vector tiles.
	VectorLayers any
	// TileStats, if not nil, is written as the tilestats member of the
	// json row (see layers.TileStats); GDAL reads layer geometry
	// types from it.
	TileStats any
}

// Writer writes an MBTiles file. Put tiles, then Close with the metadata.
// A Writer is not safe for concurrent use.
type Writer struct {
	path    string
	db      *sql.DB
	tx      *sql.Tx
	putMap  *sql.Stmt
	putImg  *sql.Stmt
	seen    map[[sha256.Size]byte]bool
	gzBuf   bytes.Buffer
	gz      *gzip.Writer
	closed  bool
	Tiles   int // tiles put
	Images  int // distinct tile contents stored
	pending int
}

const schema = `
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA page_size = 4096;
CREATE TABLE metadata (name text, value text);
CREATE UNIQUE INDEX name ON metadata (name);
CREATE TABLE map (zoom_level integer, tile_column integer, tile_row integer, tile_id text);
CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row);
CREATE TABLE images (tile_id text, tile_data blob);
CREATE UNIQUE INDEX images_id ON images (tile_id);
CREATE VIEW tiles AS
  SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column, map.tile_row AS tile_row,
         images.tile_data AS tile_data
  FROM map JOIN images ON images.tile_id = map.tile_id;
`

// batch is the number of tiles written per transaction.
const batch = 5000

// Create creates the MBTiles file path, which must not exist.
func Create(path string) (*Writer, error) {
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrExists, path)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, fmt.Errorf("mbtiles: %w", err)
	}
	db.SetMaxOpenConns(1)
	w := &Writer{path: path, db: db, seen: map[[sha256.Size]byte]bool{}}
	w.gz = gzip.NewWriter(&w.gzBuf)
	if _, err := db.Exec(fmt.Sprintf("PRAGMA application_id = %d;", ApplicationID) + schema); err != nil {
		w.Abort()
		return nil, fmt.Errorf("mbtiles: creating %s: %w", path, err)
	}
	if err := w.begin(); err != nil {
		w.Abort()
		return nil, err
	}
	return w, nil
}

func (w *Writer) begin() error {
	var err error
	if w.tx, err = w.db.Begin(); err != nil {
		return fmt.Errorf("mbtiles: %w", err)
	}
	if w.putMap, err = w.tx.Prepare(`INSERT INTO map (zoom_level, tile_column, tile_row, tile_id) VALUES (?, ?, ?, ?)`); err != nil {
		return fmt.Errorf("mbtiles: %w", err)
	}
	if w.putImg, err = w.tx.Prepare(`INSERT INTO images (tile_id, tile_data) VALUES (?, ?)`); err != nil {
		return fmt.Errorf("mbtiles: %w", err)
	}
	return nil
}

func (w *Writer) commit() error {
	w.putMap.Close()
	w.putImg.Close()
	if err := w.tx.Commit(); err != nil {
		return fmt.Errorf("mbtiles: %w", err)
	}
	w.tx = nil
	return nil
}

// Put adds the XYZ tile z/x/y with the uncompressed MVT data; it is stored
// gzip-compressed at TMS row 2^z − 1 − y. A tile already put is an error.
func (w *Writer) Put(z uint8, x, y uint32, data []byte) error {
	if w.closed {
		return ErrClosed
	}
	if z > 30 || uint64(x) >= 1<<z || uint64(y) >= 1<<z {
		return fmt.Errorf("%w: %d/%d/%d", ErrTileAddress, z, x, y)
	}
	sum := sha256.Sum256(data)
	id := hex.EncodeToString(sum[:])
	if !w.seen[sum] {
		w.gzBuf.Reset()
		w.gz.Reset(&w.gzBuf)
		w.gz.Write(data)
		if err := w.gz.Close(); err != nil {
			return fmt.Errorf("mbtiles: %w", err)
		}
		if _, err := w.putImg.Exec(id, w.gzBuf.Bytes()); err != nil {
			return fmt.Errorf("mbtiles: tile %d/%d/%d: %w", z, x, y, err)
		}
		w.seen[sum] = true
		w.Images++
	}
	row := (uint32(1) << z) - 1 - y
	if _, err := w.putMap.Exec(int(z), int64(x), int64(row), id); err != nil {
		return fmt.Errorf("mbtiles: tile %d/%d/%d: %w", z, x, y, err)
	}
	w.Tiles++
	w.pending++
	if w.pending >= batch {
		w.pending = 0
		if err := w.commit(); err != nil {
			return err
		}
		return w.begin()
	}
	return nil
}

// rows returns the metadata rows of md, checking it.
func (md Metadata) rows() ([][2]string, error) {
	if strings.TrimSpace(md.Name) == "" {
		return nil, fmt.Errorf("%w: empty name", ErrMetadata)
	}
	if md.MinZoom < 0 || md.MaxZoom < md.MinZoom || md.MaxZoom > 30 {
		return nil, fmt.Errorf("%w: zoom range %d–%d", ErrMetadata, md.MinZoom, md.MaxZoom)
	}
	b := md.Bounds
	if b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] >= b[2] || b[1] >= b[3] {
		return nil, fmt.Errorf("%w: bounds %v", ErrMetadata, b)
	}
	if md.VectorLayers == nil {
		return nil, fmt.Errorf("%w: no vector_layers", ErrMetadata)
	}
	jm := map[string]any{"vector_layers": md.VectorLayers}
	if md.TileStats != nil {
		jm["tilestats"] = md.TileStats
	}
	js, err := json.Marshal(jm)
	if err != nil {
		return nil, fmt.Errorf("%w: vector_layers: %v", ErrMetadata, err)
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	rows := [][2]string{
		{"name", md.Name},
		{"format", "pbf"},
		{"bounds", num(b[0]) + "," + num(b[1]) + "," + num(b[2]) + "," + num(b[3])},
		{"center", num(md.Center[0]) + "," + num(md.Center[1]) + "," + strconv.Itoa(int(md.Center[2]))},
		{"minzoom", strconv.Itoa(md.MinZoom)},
		{"maxzoom", strconv.Itoa(md.MaxZoom)},
		{"json", string(js)},
	}
	for _, kv := range [][2]string{{"attribution", md.Attribution}, {"description", md.Description}, {"type", md.Type}, {"version", md.Version}} {
		if kv[1] != "" {
			rows = append(rows, kv)
		}
	}
	return rows, nil
}

// Close writes the metadata, commits and closes the database. On error the
// file is removed.
func (w *Writer) Close(md Metadata) error {
	if w.closed {
		return ErrClosed
	}
	rows, err := md.rows()
	if err != nil {
		w.Abort()
		return err
	}
	for _, kv := range rows {
		if _, err := w.tx.Exec(`INSERT INTO metadata (name, value) VALUES (?, ?)`, kv[0], kv[1]); err != nil {
			w.Abort()
			return fmt.Errorf("mbtiles: metadata: %w", err)
		}
	}
	if err := w.commit(); err != nil {
		w.Abort()
		return err
	}
	w.closed = true
	if err := w.db.Close(); err != nil {
		os.Remove(w.path)
		return fmt.Errorf("mbtiles: %w", err)
	}
	return nil
}

// Abort discards the writer and removes the file.
func (w *Writer) Abort() {
	if w.closed {
		return
	}
	w.closed = true
	if w.tx != nil {
		w.tx.Rollback()
	}
	w.db.Close()
	os.Remove(w.path)
}
