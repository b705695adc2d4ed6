package server

import (
	"bytes"
	"strconv"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// tileKey identifies a cached tile: the tileset (0 for all layers, then
// one per collection), the data version, the day (see tiles_day.go)
// and the tile address.
type tileKey struct {
	set     uint16
	z       uint8
	x, y    uint32
	day     uint32 // dayNumber of the datetime parameter; 0 without one
	version uint64
}

// tileEntry is one tile ready to be written: the encoded tile, its gzip
// coding and every header value precomputed, so that serving it from the
// cache allocates nothing. An empty tile (204) has no body.
type tileEntry struct {
	key   tileKey
	empty bool
	raw   []byte
	gz    []byte // nil when gzip would not make the tile smaller
	// Header values, each a slice of one element with no spare capacity
	// (so that a later Header().Add copies instead of writing into it).
	etag, etagGz     []string
	length, lengthGz []string
	size             int64 // bytes charged to the cache
	prev, next       *tileEntry
}

// tileEntryOverhead is what an entry costs beyond its bodies: the struct,
// the header strings and the map slot, roughly.
const tileEntryOverhead = 256

// newTileEntry compresses data once (with a writer of zw, which may be
// nil) and precomputes the headers.
func newTileEntry(key tileKey, data []byte, zw *gzipPool) *tileEntry {
	e := &tileEntry{key: key, size: tileEntryOverhead}
	if len(data) == 0 {
		e.empty = true
		return e
	}
	e.raw = data
	tag := etagOf(data)
	e.etag = one(tag)
	e.length = one(strconv.Itoa(len(data)))
	if gz := zw.compress(data); len(gz) < len(data) {
		e.gz = gz
		e.etagGz = one(gzipETag(tag))
		e.lengthGz = one(strconv.Itoa(len(e.gz)))
	}
	e.size += int64(len(e.raw) + len(e.gz))
	return e
}

// gzipPool reuses gzip writers of one level: the default level (a good
// ratio at a fraction of the time of the best one) for tiles, which are
// compressed once and cached, or gzip.BestSpeed when fast is set, for
// answers compressed per request. The zero value is ready to use.
type gzipPool struct {
	fast bool
	p    sync.Pool
}

// compress returns the concatenation of parts gzip-coded, in a new slice
// of its own. A nil pool compresses without reuse.
func (g *gzipPool) compress(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	var buf bytes.Buffer
	buf.Grow(n/2 + 64)
	var zw *gzip.Writer
	if g != nil {
		zw, _ = g.p.Get().(*gzip.Writer)
	}
	if zw == nil {
		level := gzip.DefaultCompression
		if g != nil && g.fast {
			level = gzip.BestSpeed
		}
		zw, _ = gzip.NewWriterLevel(&buf, level)
	} else {
		zw.Reset(&buf)
	}
	for _, p := range parts {
		zw.Write(p)
	}
	zw.Close()
	if g != nil {
		g.p.Put(zw)
	}
	return buf.Bytes()
}

// one returns a header value slice of length and capacity one.
func one(s string) []string { return []string{s}[:1:1] }

// tileCache is a least-recently-used cache of tile entries bounded in
// bytes (the sum of the entries' sizes). Concurrent requests for a tile
// not yet cached wait for one computation (see get).
type tileCache struct {
	mu       sync.Mutex
	max, cur int64
	entries  map[tileKey]*tileEntry
	head     tileEntry // sentinel of the recency list: head.next is the newest
	inflight map[tileKey]*tileCall
	hits     int64
	misses   int64
	evicted  int64
}

// tileCall is one computation of a tile that others may wait for.
type tileCall struct {
	done chan struct{}
	e    *tileEntry
	err  error
}

// newTileCache returns a cache holding at most maxBytes; a cache of zero
// bytes stores nothing but still merges concurrent computations.
func newTileCache(maxBytes int64) *tileCache {
	c := &tileCache{max: max(maxBytes, 0), entries: map[tileKey]*tileEntry{}, inflight: map[tileKey]*tileCall{}}
	c.head.prev, c.head.next = &c.head, &c.head
	return c
}

// lookup returns the cached entry for k and marks it most recently used.
func (c *tileCache) lookup(k tileKey) *tileEntry {
	c.mu.Lock()
	e := c.entries[k]
	if e != nil {
		c.hits++
		if c.head.next != e {
			c.unlink(e)
			c.pushFront(e)
		}
	}
	c.mu.Unlock()
	return e
}

// get returns the entry for k, computing it with compute when it is not
// cached. Concurrent calls for the same key share one computation; errors
// are returned to every waiter and not cached.
func (c *tileCache) get(k tileKey, compute func() (*tileEntry, error)) (*tileEntry, error) {
	if e := c.lookup(k); e != nil {
		return e, nil
	}
	c.mu.Lock()
	if e := c.entries[k]; e != nil { // added since lookup
		c.mu.Unlock()
		return e, nil
	}
	if call, ok := c.inflight[k]; ok {
		c.mu.Unlock()
		<-call.done
		return call.e, call.err
	}
	c.misses++
	call := &tileCall{done: make(chan struct{})}
	c.inflight[k] = call
	c.mu.Unlock()

	func() {
		defer func() {
			if v := recover(); v != nil {
				call.err = &panicError{v}
			}
		}()
		call.e, call.err = compute()
	}()

	c.mu.Lock()
	delete(c.inflight, k)
	if call.err == nil {
		c.add(call.e)
	}
	c.mu.Unlock()
	close(call.done)
	return call.e, call.err
}

// put stores an entry computed elsewhere (the warm-up).
func (c *tileCache) put(e *tileEntry) {
	c.mu.Lock()
	c.add(e)
	c.mu.Unlock()
}

// add inserts e (replacing an entry with its key) and evicts the least
// recently used entries until the cache fits. An entry larger than the
// whole cache is not stored. c.mu is held.
func (c *tileCache) add(e *tileEntry) {
	if e.size > c.max {
		return
	}
	if old := c.entries[e.key]; old != nil {
		c.unlink(old)
		c.cur -= old.size
	}
	c.entries[e.key] = e
	c.pushFront(e)
	c.cur += e.size
	for c.cur > c.max {
		last := c.head.prev
		c.unlink(last)
		delete(c.entries, last.key)
		c.cur -= last.size
		c.evicted++
	}
}

func (c *tileCache) unlink(e *tileEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (c *tileCache) pushFront(e *tileEntry) {
	e.prev, e.next = &c.head, c.head.next
	c.head.next.prev = e
	c.head.next = e
}

// tileCacheStats is a snapshot of the cache's counters.
type tileCacheStats struct {
	Entries                 int
	Bytes, MaxBytes         int64
	Hits, Misses, Evictions int64
}

func (c *tileCache) stats() tileCacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return tileCacheStats{Entries: len(c.entries), Bytes: c.cur, MaxBytes: c.max,
		Hits: c.hits, Misses: c.misses, Evictions: c.evicted}
}

// panicError carries a panic out of a tile computation, so that waiters
// get an error and the recovering middleware of the request that
// computed it logs it as an internal error.
type panicError struct{ v any }

func (p *panicError) Error() string { return "tile computation panicked: " + fmtAny(p.v) }

func fmtAny(v any) string {
	if err, ok := v.(error); ok {
		return err.Error()
	}
	if s, ok := v.(string); ok {
		return s
	}
	return "(non-string panic value)"
}
