package geo

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"sync"

	"github.com/paulmach/orb"
)

// A BufferCache keeps the buffers of border stretches that the zones are
// cut from (the land within ReachKm of a stretch: most of the zones' cost,
// about two seconds of CPU for the embedded data), so that other atlases,
// in this process or a later one, do not trace them again. A buffer is
// a function of the stretch's lines and the distance only; its key, from
// BufferKey, is a digest of both, so an atlas with other data never gets
// a buffer of another border.
//
// Implementations must be safe for concurrent use. The rings a cache
// returns are shared and must not be modified; PutBuffer must not keep
// rings it may modify later. A cache may forget anything: a miss only
// costs the tracing. Package zonecache keeps them in a directory.
type BufferCache interface {
	// Buffer returns the rings stored under key.
	Buffer(key string) ([]orb.Ring, bool)
	// PutBuffer stores rings under key; it may not (a full or read-only
	// cache).
	PutBuffer(key string, rings []orb.Ring)
}

// UseBufferCache makes the atlas take the buffers of its zones from c, and
// put there those it traces. Call it before the zones are computed (the
// first Zones, ZonesAt, Summary or PrepareZones); a nil c turns it off.
func (a *Atlas) UseBufferCache(c BufferCache) {
	zc := &a.crisis.buffers
	zc.mu.Lock()
	defer zc.mu.Unlock()
	zc.shared = c
}

// BufferKey returns the key of the buffer of lines at metres: the SHA-256
// of the distance and of every coordinate, bit for bit, in hexadecimal.
func BufferKey(lines orb.MultiLineString, metres float64) string {
	h := sha256.New()
	var b [8]byte
	put := func(v uint64) {
		binary.LittleEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	put(math.Float64bits(metres))
	put(uint64(len(lines)))
	for _, ls := range lines {
		put(uint64(len(ls)))
		for _, p := range ls {
			put(math.Float64bits(p[0]))
			put(math.Float64bits(p[1]))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// A bufferClaimer is a BufferCache that lets one atlas trace a buffer
// while the others that need it wait (MemoryBufferCache): atlases of the
// same data computing their zones at once trace each buffer once.
type bufferClaimer interface {
	// Claim returns the rings stored under key, waiting while another
	// caller holds key; when there are none it gives key to the caller,
	// who then calls PutBuffer or Release.
	Claim(key string) ([]orb.Ring, bool)
	// Release gives key up without storing a buffer (tracing failed).
	Release(key string)
}

// MemoryBufferCache is a BufferCache in memory, for the atlases of one
// process (tests, a server that builds several atlases of the same
// border). Its zero value is ready to use; it never forgets. An atlas
// that needs a buffer another atlas is tracing waits for it instead of
// tracing it too.
type MemoryBufferCache struct {
	mu sync.Mutex
	m  map[string]*memoryBuffer
}

// memoryBuffer is a buffer of a MemoryBufferCache: being traced until
// ready is closed.
type memoryBuffer struct {
	rings []orb.Ring
	ready chan struct{}
	done  bool
}

// Buffer implements BufferCache; it does not wait for a buffer being
// traced.
func (c *MemoryBufferCache) Buffer(key string) ([]orb.Ring, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok && e.done {
		return e.rings, true
	}
	return nil, false
}

// Claim implements bufferClaimer.
func (c *MemoryBufferCache) Claim(key string) ([]orb.Ring, bool) {
	for {
		c.mu.Lock()
		if c.m == nil {
			c.m = map[string]*memoryBuffer{}
		}
		e, ok := c.m[key]
		if !ok {
			c.m[key] = &memoryBuffer{ready: make(chan struct{})}
			c.mu.Unlock()
			return nil, false
		}
		c.mu.Unlock()
		<-e.ready
		if e.done {
			return e.rings, true
		}
		// Released: claim it again (or wait for the next one).
	}
}

// Release implements bufferClaimer.
func (c *MemoryBufferCache) Release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok && !e.done {
		delete(c.m, key)
		close(e.ready)
	}
}

// PutBuffer implements BufferCache.
func (c *MemoryBufferCache) PutBuffer(key string, rings []orb.Ring) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*memoryBuffer{}
	}
	e, ok := c.m[key]
	if !ok {
		e = &memoryBuffer{ready: make(chan struct{})}
		c.m[key] = e
	}
	if !e.done {
		e.rings, e.done = rings, true
		close(e.ready)
	}
}

// Len returns how many buffers c holds.
func (c *MemoryBufferCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, e := range c.m {
		if e.done {
			n++
		}
	}
	return n
}
