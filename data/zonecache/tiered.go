package zonecache

import (
	"github.com/durandline/durand/geo"
	"github.com/paulmach/orb"
)

// Tiered is a geo.BufferCache in memory in front of a Dir: a buffer is
// read from the directory once per process, and an atlas that needs a
// buffer another atlas of the process is tracing waits for it (as with
// geo.MemoryBufferCache). Its buffers are shared by the atlases of the
// process and, through the directory, with other processes.
type Tiered struct {
	mem geo.MemoryBufferCache
	dir *Dir
}

var _ geo.BufferCache = (*Tiered)(nil)

// NewTiered returns a Tiered cache over dir.
func NewTiered(dir *Dir) *Tiered { return &Tiered{dir: dir} }

// Buffer implements geo.BufferCache.
func (c *Tiered) Buffer(key string) ([]orb.Ring, bool) {
	if r, ok := c.mem.Buffer(key); ok {
		return r, true
	}
	r, ok := c.dir.Buffer(key)
	if ok {
		c.mem.PutBuffer(key, r)
	}
	return r, ok
}

// Claim returns the buffer stored under key, from memory or the
// directory, waiting while another atlas of the process traces it; when
// there is none the caller traces it and then calls PutBuffer or Release.
func (c *Tiered) Claim(key string) ([]orb.Ring, bool) {
	if r, ok := c.mem.Claim(key); ok {
		return r, true
	}
	if r, ok := c.dir.Buffer(key); ok {
		c.mem.PutBuffer(key, r) // ends the claim: those waiting get it
		return r, true
	}
	return nil, false
}

// Release gives up a claim without a buffer (the tracing failed).
func (c *Tiered) Release(key string) { c.mem.Release(key) }

// PutBuffer implements geo.BufferCache: in memory and in the directory.
func (c *Tiered) PutBuffer(key string, rings []orb.Ring) {
	c.mem.PutBuffer(key, rings)
	c.dir.PutBuffer(key, rings)
}

// Len returns how many buffers the memory holds.
func (c *Tiered) Len() int { return c.mem.Len() }

// Default returns the cache of DefaultRoot, in memory in front of its
// directory (Tiered), or nil when $DURAND_CACHE_DIR is "off" or the
// directory cannot be opened: a cache only saves time.
func Default() *Tiered {
	root, err := DefaultRoot()
	if err != nil || root == "" {
		return nil
	}
	d, err := Open(root, Options{})
	if err != nil {
		return nil
	}
	return NewTiered(d)
}
