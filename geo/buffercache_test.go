package geo_test

import (
	"fmt"
	"log"
	"math"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
	"github.com/paulmach/orb"
)

// countingCache is a MemoryBufferCache that counts its hits and stores.
type countingCache struct {
	geo.MemoryBufferCache
	mu         sync.Mutex
	hits, puts int
}

func (c *countingCache) Buffer(key string) ([]orb.Ring, bool) {
	r, ok := c.MemoryBufferCache.Buffer(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok {
		c.hits++
	}
	return r, ok
}

func (c *countingCache) Claim(key string) ([]orb.Ring, bool) {
	r, ok := c.MemoryBufferCache.Claim(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok {
		c.hits++
	}
	return r, ok
}

func (c *countingCache) PutBuffer(key string, rings []orb.Ring) {
	c.mu.Lock()
	c.puts++
	c.mu.Unlock()
	c.MemoryBufferCache.PutBuffer(key, rings)
}

// TestUseBufferCache: three atlases computing their zones at once through
// one cache trace each buffer once (one store per key; the other two wait
// and read it), then a fourth reads every buffer from the cache; all have
// the zones of an atlas with no cache, geometry bit for bit.
func TestUseBufferCache(t *testing.T) {
	want, err := exampleAtlas().Zones()
	if err != nil {
		t.Fatal(err)
	}
	c := &countingCache{}
	check := func(name string, a *geo.Atlas) {
		got, err := a.Zones()
		if err != nil {
			t.Error(err)
			return
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d zones, want %d", name, len(got), len(want))
			return
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s: zone %s differs from the one computed without a cache", name, want[i].ID)
			}
		}
	}
	atlas := func() *geo.Atlas {
		a, err := data.Default()
		if err != nil {
			t.Fatal(err)
		}
		a.UseBufferCache(c)
		return a
	}
	var wg sync.WaitGroup
	for i := range 3 {
		a := atlas()
		wg.Go(func() { check(fmt.Sprintf("concurrent atlas %d", i), a) })
	}
	wg.Wait()
	t.Logf("three at once: %d buffers in the cache, %d hits, %d stored", c.Len(), c.hits, c.puts)
	if n := c.Len(); n == 0 || c.puts != n || c.hits != 2*n {
		t.Errorf("three at once: %d buffers, %d stored, %d hits; want each traced once and read by the two other atlases", n, c.puts, c.hits)
	}
	hits := c.hits
	check("fourth atlas", atlas())
	if c.hits-hits != c.Len() || c.puts != c.Len() {
		t.Errorf("fourth atlas: %d hits for %d buffers, %d stored: it traced again", c.hits-hits, c.Len(), c.puts)
	}
}

// TestMemoryBufferCacheClaim: a claimed key makes the next Claim wait;
// Release hands the key to it; PutBuffer answers every later one.
func TestMemoryBufferCacheClaim(t *testing.T) {
	var c geo.MemoryBufferCache
	rings := []orb.Ring{{{1, 2}, {3, 4}, {1, 2}}}
	if _, ok := c.Claim("k"); ok {
		t.Fatal("a hit in an empty cache")
	}
	got := make(chan bool)
	go func() {
		_, ok := c.Claim("k") // waits for the first claim
		got <- ok
	}()
	select {
	case <-got:
		t.Fatal("a second Claim did not wait")
	case <-time.After(50 * time.Millisecond):
	}
	c.Release("k")
	if ok := <-got; ok {
		t.Fatal("after Release the waiter got a hit, want the claim")
	}
	if _, ok := c.Buffer("k"); ok {
		t.Fatal("Buffer: a hit for a key being traced")
	}
	c.PutBuffer("k", rings)
	if r, ok := c.Claim("k"); !ok || !reflect.DeepEqual(r, rings) {
		t.Fatalf("Claim after PutBuffer: %v, %v", r, ok)
	}
	if r, ok := c.Buffer("k"); !ok || !reflect.DeepEqual(r, rings) || c.Len() != 1 {
		t.Fatalf("Buffer after PutBuffer: %v, %v (%d buffers)", r, ok, c.Len())
	}
}

// TestBufferKey: the key changes with the distance and with any bit of any
// coordinate, and with how the points are split into lines.
func TestBufferKey(t *testing.T) {
	base := orb.MultiLineString{{{66.1, 30.2}, {66.4, 30.9}, {67.0, 31.1}}}
	k := geo.BufferKey(base, 10000)
	if len(k) != 64 || k != geo.BufferKey(orb.MultiLineString{{{66.1, 30.2}, {66.4, 30.9}, {67.0, 31.1}}}, 10000) {
		t.Fatalf("key %q is not a stable 64-digit digest", k)
	}
	seen := map[string]string{k: "base"}
	add := func(name string, ls orb.MultiLineString, m float64) {
		t.Helper()
		key := geo.BufferKey(ls, m)
		if prev, ok := seen[key]; ok {
			t.Errorf("%s has the key of %s", name, prev)
		}
		seen[key] = name
	}
	add("10001 m", base, 10001)
	for i := range base[0] {
		for j := 0; j < 2; j++ {
			ls := orb.MultiLineString{append(orb.LineString(nil), base[0]...)}
			p := ls[0][i]
			p[j] = nextUp(p[j])
			ls[0][i] = p
			add(fmt.Sprintf("point %d coordinate %d one ulp up", i, j), ls, 10000)
		}
	}
	add("split in two", orb.MultiLineString{base[0][:2], base[0][1:]}, 10000)
	add("reversed", orb.MultiLineString{{base[0][2], base[0][1], base[0][0]}}, 10000)
}

func nextUp(x float64) float64 {
	return math.Nextafter(x, math.Inf(1))
}

// Two atlases of the same data share the buffers of their zones through a
// cache: the second one traces none of them.
func ExampleAtlas_UseBufferCache() {
	var cache geo.MemoryBufferCache
	first, err := data.Default()
	if err != nil {
		log.Fatal(err)
	}
	first.UseBufferCache(&cache)
	if err := first.PrepareZones(); err != nil { // traces the buffers, about 2 s
		log.Fatal(err)
	}
	n := cache.Len()

	second, err := data.Default()
	if err != nil {
		log.Fatal(err)
	}
	second.UseBufferCache(&cache)
	zones, err := second.Zones() // every buffer from the cache
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("buffers traced by the first atlas:", n)
	fmt.Println("buffers in the cache after the second:", cache.Len())
	fmt.Println("zones of the second:", len(zones))
	// Output:
	// buffers traced by the first atlas: 14
	// buffers in the cache after the second: 14
	// zones of the second: 28
}
