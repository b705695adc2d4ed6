// Package zonecache keeps the traced buffers of the crisis zones in a
// directory (a geo.BufferCache), so that the next run of a program on the
// same data does not trace them again: about two seconds of CPU for the
// embedded data, paid by every `durand info`, `export`, `tiles` and
// `db load` without it.
//
// The cache is a directory of files, one per buffer, named by its key
// (geo.BufferKey: a digest of the stretch's coordinates and the distance).
// They live in a subdirectory named by geo.TraceVersion, a digest of the
// code that traces them, so programs built from the same geo package
// share them (the durand command of any build, the test binaries of one
// run) and a program that may trace differently never reads them. Files
// are written whole (a temporary file renamed), checked with a CRC-32C
// when read and removed when they do not check; the cache keeps at most
// MaxEntries buffers of one version and removes the subdirectories of
// versions not used for MaxIdle.
//
// Coordinates are stored as written (IEEE 754 doubles, lon/lat), so a
// buffer read back is bit for bit the one traced.
package zonecache

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/durandline/durand/geo"
	"github.com/paulmach/orb"
)

// Limits of a cache directory.
const (
	// MaxEntries is how many buffers of one version the cache keeps; when
	// it holds more, the least recently written half goes.
	MaxEntries = 512
	// MaxIdle is how long the buffers of a version no program has opened
	// the cache with are kept.
	MaxIdle = 7 * 24 * time.Hour
	// maxFile bounds a buffer file: 2^22 points.
	maxFile = 64 << 20
)

var magic = [8]byte{'d', 'u', 'r', 'a', 'n', 'd', 'z', '1'}

// ErrKey is returned for a key that is not a geo.BufferKey.
var ErrKey = errors.New("zonecache: key is not 64 lowercase hexadecimal digits")

// Options configure Open.
type Options struct {
	// Namespace names the subdirectory of the buffers; "" is the first 16
	// digits of geo.TraceVersion (the default: see the package comment).
	Namespace string
}

// Dir is a geo.BufferCache kept in a directory. It is safe for concurrent
// use, also by several processes.
type Dir struct {
	dir string // the namespace's directory
	mu  sync.Mutex
	n   int // files written since the last count
}

var _ geo.BufferCache = (*Dir)(nil)

// Open opens (creating it) the cache in root and removes the
// subdirectories of versions idle for MaxIdle.
func Open(root string, opt Options) (*Dir, error) {
	ns := opt.Namespace
	if ns == "" {
		ns = geo.TraceVersion()[:16]
	}
	if ns == "." || ns == ".." || filepath.Base(ns) != ns {
		return nil, fmt.Errorf("zonecache: namespace %q is not a directory name", ns)
	}
	dir := filepath.Join(root, ns)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("zonecache: %w", err)
	}
	now := time.Now()
	_ = os.Chtimes(dir, now, now) // in use: not idle
	removeIdle(root, ns, now)
	return &Dir{dir: dir}, nil
}

// Path returns the directory the buffers of this version are kept in.
func (d *Dir) Path() string { return d.dir }

// removeIdle removes the subdirectories of root other than keep not
// modified for MaxIdle.
func removeIdle(root, keep string, now time.Time) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.IsDir() || e.Name() == keep {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > MaxIdle {
			_ = os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
}

func validKey(key string) bool {
	if len(key) != 64 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Buffer implements geo.BufferCache. A file that does not decode is
// removed and is a miss.
func (d *Dir) Buffer(key string) ([]orb.Ring, bool) {
	if !validKey(key) {
		return nil, false
	}
	path := filepath.Join(d.dir, key)
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	f.Close()
	if err != nil {
		return nil, false
	}
	rings, err := Decode(b)
	if err != nil {
		_ = os.Remove(path)
		return nil, false
	}
	return rings, true
}

// PutBuffer implements geo.BufferCache. Errors are dropped: the buffer is
// then traced again next time.
func (d *Dir) PutBuffer(key string, rings []orb.Ring) {
	_ = d.Put(key, rings)
}

// Put stores rings under key, and trims the cache when it holds more than
// MaxEntries buffers.
func (d *Dir) Put(key string, rings []orb.Ring) error {
	if !validKey(key) {
		return ErrKey
	}
	b, err := Encode(rings)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(d.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("zonecache: %w", err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("zonecache: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(d.dir, key)); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("zonecache: %w", err)
	}
	d.mu.Lock()
	d.n++
	check := d.n >= MaxEntries/8
	if check {
		d.n = 0
	}
	d.mu.Unlock()
	if check {
		d.trim()
	}
	return nil
}

// trim removes the least recently written half of the buffers when there
// are more than MaxEntries.
func (d *Dir) trim() {
	ents, err := os.ReadDir(d.dir)
	if err != nil || len(ents) <= MaxEntries {
		return
	}
	type file struct {
		name string
		mod  time.Time
	}
	var fs []file
	for _, e := range ents {
		if info, err := e.Info(); err == nil && validKey(e.Name()) {
			fs = append(fs, file{e.Name(), info.ModTime()})
		}
	}
	slices.SortFunc(fs, func(a, b file) int { return a.mod.Compare(b.mod) })
	for _, f := range fs[:len(fs)-MaxEntries/2] {
		_ = os.Remove(filepath.Join(d.dir, f.name))
	}
}

// DecodeError is returned by Decode for bytes that are not a buffer file.
type DecodeError struct{ Reason string }

func (e *DecodeError) Error() string { return "zonecache: not a buffer file: " + e.Reason }

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Encode returns the file of rings: the magic "durandz1", the number of
// rings (uint32), each ring's number of points (uint32) and its points
// (lon, lat as float64), all little-endian, then the CRC-32C of the rest.
func Encode(rings []orb.Ring) ([]byte, error) {
	n := 16
	for _, r := range rings {
		n += 4 + 16*len(r)
	}
	if n > maxFile {
		return nil, fmt.Errorf("zonecache: %d bytes of buffer, over the limit of %d", n, maxFile)
	}
	b := make([]byte, 0, n)
	b = append(b, magic[:]...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(rings)))
	for _, r := range rings {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(r)))
		for _, p := range r {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(p[0]))
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(p[1]))
		}
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable)), nil
}

// Decode reads a file written by Encode; it returns a *DecodeError for
// anything else.
func Decode(b []byte) ([]orb.Ring, error) {
	if len(b) < 16 || len(b) > maxFile || !bytes.Equal(b[:8], magic[:]) {
		return nil, &DecodeError{"no magic number, or a size out of bounds"}
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, crcTable) != sum {
		return nil, &DecodeError{"checksum mismatch"}
	}
	rest := body[8:]
	nr := binary.LittleEndian.Uint32(rest)
	rest = rest[4:]
	if uint64(nr)*4 > uint64(len(rest)) {
		return nil, &DecodeError{"more rings than bytes"}
	}
	rings := make([]orb.Ring, 0, nr)
	for range nr {
		if len(rest) < 4 {
			return nil, &DecodeError{"truncated ring"}
		}
		np := binary.LittleEndian.Uint32(rest)
		rest = rest[4:]
		if uint64(np)*16 > uint64(len(rest)) {
			return nil, &DecodeError{"truncated points"}
		}
		r := make(orb.Ring, np)
		for i := range r {
			r[i] = orb.Point{
				math.Float64frombits(binary.LittleEndian.Uint64(rest[16*i:])),
				math.Float64frombits(binary.LittleEndian.Uint64(rest[16*i+8:])),
			}
		}
		rest = rest[16*int(np):]
		rings = append(rings, r)
	}
	if len(rest) != 0 {
		return nil, &DecodeError{"bytes after the last ring"}
	}
	return rings, nil
}

// EnvDir is the environment variable that sets the cache's root directory;
// "off" turns the cache off.
const EnvDir = "DURAND_CACHE_DIR"

// DefaultRoot returns the root directory of the cache: $DURAND_CACHE_DIR,
// else durand/zones in the user's cache directory ($XDG_CACHE_HOME, else
// ~/.cache on Linux). It returns "" when $DURAND_CACHE_DIR is "off".
func DefaultRoot() (string, error) {
	switch d := os.Getenv(EnvDir); d {
	case "off":
		return "", nil
	case "":
	default:
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("zonecache: no cache directory: %w", err)
	}
	return filepath.Join(base, "durand", "zones"), nil
}
