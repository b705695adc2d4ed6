package zonecache_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/zonecache"
	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geotest"
	"github.com/paulmach/orb"
)

func randomRings(r *rand.Rand) []orb.Ring {
	rings := make([]orb.Ring, r.IntN(4))
	for i := range rings {
		ring := make(orb.Ring, r.IntN(50))
		for j := range ring {
			ring[j] = orb.Point{r.Float64()*360 - 180, r.Float64()*180 - 90}
		}
		rings[i] = ring
	}
	return rings
}

// sameBits reports whether a and b hold the same coordinates, bit for bit.
func sameBits(a, b []orb.Ring) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			for k := 0; k < 2; k++ {
				if math.Float64bits(a[i][j][k]) != math.Float64bits(b[i][j][k]) {
					return false
				}
			}
		}
	}
	return true
}

// TestEncodeRoundTrip: Decode(Encode(r)) is r bit for bit, for random
// rings and for the special values (signed zero, the smallest subnormal,
// the largest double).
func TestEncodeRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := [][]orb.Ring{nil, {}, {{}}, {{{math.Copysign(0, -1), 5e-324}, {math.MaxFloat64, -math.MaxFloat64}}}}
	for range 200 {
		cases = append(cases, randomRings(r))
	}
	for i, rings := range cases {
		b, err := zonecache.Encode(rings)
		if err != nil {
			t.Fatal(err)
		}
		got, err := zonecache.Decode(b)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !sameBits(got, rings) {
			t.Fatalf("case %d: read back %v, wrote %v", i, got, rings)
		}
	}
}

// TestDecodeDamaged: every truncation and every single flipped bit of a
// file is a *DecodeError, never a buffer.
func TestDecodeDamaged(t *testing.T) {
	b, err := zonecache.Encode([]orb.Ring{{{66, 30}, {67, 30}, {67, 31}, {66, 30}}, {{1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, bad []byte) {
		t.Helper()
		_, err := zonecache.Decode(bad)
		var de *zonecache.DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: error %v, want a *DecodeError", name, err)
		}
	}
	for n := 0; n < len(b); n++ {
		check(fmt.Sprintf("first %d bytes", n), b[:n])
	}
	check("a byte more", append(bytes.Clone(b), 0))
	for i := range b {
		for bit := 0; bit < 8; bit++ {
			bad := bytes.Clone(b)
			bad[i] ^= 1 << bit
			check(fmt.Sprintf("byte %d bit %d flipped", i, bit), bad)
		}
	}
}

func FuzzDecode(f *testing.F) {
	b, _ := zonecache.Encode([]orb.Ring{{{66, 30}, {67, 31}}})
	f.Add(b)
	f.Add([]byte("durandz1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rings, err := zonecache.Decode(b)
		if err != nil {
			return
		}
		again, err := zonecache.Encode(rings)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("decoded %v, encoded back %x (%v), want %x", rings, again, err, b)
		}
	})
}

// TestEnvDir: the tests' TestMain (geotest.Main) sets the variable this
// package reads.
func TestEnvDir(t *testing.T) {
	if zonecache.EnvDir != geotest.CacheEnv {
		t.Errorf("zonecache.EnvDir %q, geotest.CacheEnv %q", zonecache.EnvDir, geotest.CacheEnv)
	}
}

var key = func() string {
	k := geo.BufferKey(orb.MultiLineString{{{66, 30}, {67, 31}}}, 10000)
	return k
}()

// TestDir: a buffer put is read back bit for bit, in this Dir and in
// another one opened on the same directory; another namespace does not
// see it; a damaged file is a miss and is removed; bad keys are refused.
func TestDir(t *testing.T) {
	root := t.TempDir()
	d, err := zonecache.Open(root, zonecache.Options{Namespace: "a"})
	if err != nil {
		t.Fatal(err)
	}
	rings := []orb.Ring{{{66.123456789, 30.5}, {67, 30.5}, {67, 31}, {66.123456789, 30.5}}}
	if _, ok := d.Buffer(key); ok {
		t.Fatal("hit in an empty cache")
	}
	if err := d.Put(key, rings); err != nil {
		t.Fatal(err)
	}
	for name, dir := range map[string]string{"same Dir": "a", "reopened": "a"} {
		d2, err := zonecache.Open(root, zonecache.Options{Namespace: dir})
		if err != nil {
			t.Fatal(err)
		}
		if name == "same Dir" {
			d2 = d
		}
		got, ok := d2.Buffer(key)
		if !ok || !sameBits(got, rings) {
			t.Errorf("%s: read %v (%v), want %v", name, got, ok, rings)
		}
	}
	other, err := zonecache.Open(root, zonecache.Options{Namespace: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := other.Buffer(key); ok {
		t.Error("another namespace sees the buffer")
	}
	path := filepath.Join(d.Path(), key)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[20] ^= 0xff
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Buffer(key); ok {
		t.Error("a damaged file is a hit")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the damaged file is still there: %v", err)
	}
	for _, bad := range []string{"", "../x", key[:63], key + "0", "G" + key[1:], "A" + key[1:]} {
		if err := d.Put(bad, rings); !errors.Is(err, zonecache.ErrKey) {
			t.Errorf("Put(%q): %v, want ErrKey", bad, err)
		}
		if _, ok := d.Buffer(bad); ok {
			t.Errorf("Buffer(%q) is a hit", bad)
		}
	}
	for _, ns := range []string{".", "..", "a/b", "../x"} {
		if _, err := zonecache.Open(root, zonecache.Options{Namespace: ns}); err == nil {
			t.Errorf("Open with namespace %q: no error", ns)
		}
	}
}

// TestDirLimits: the cache keeps at most MaxEntries buffers, the most
// recently written ones; the namespaces idle for MaxIdle go when the cache
// is opened, the others stay.
func TestDirLimits(t *testing.T) {
	root := t.TempDir()
	d, err := zonecache.Open(root, zonecache.Options{Namespace: "now"})
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, zonecache.MaxEntries+100)
	old := time.Now().Add(-time.Hour)
	for i := range keys {
		keys[i] = geo.BufferKey(orb.MultiLineString{{{float64(i), 0}, {0, 1}}}, 1)
		if err := d.Put(keys[i], []orb.Ring{{{float64(i), 0}}}); err != nil {
			t.Fatal(err)
		}
		// Distinct, increasing write times, whatever the file system's
		// resolution.
		at := old.Add(time.Duration(i) * time.Second)
		if err := os.Chtimes(filepath.Join(d.Path(), keys[i]), at, at); err != nil {
			t.Fatal(err)
		}
	}
	ents, err := os.ReadDir(d.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) > zonecache.MaxEntries {
		t.Errorf("%d files after %d puts, over MaxEntries %d", len(ents), len(keys), zonecache.MaxEntries)
	}
	if _, ok := d.Buffer(keys[len(keys)-1]); !ok {
		t.Error("the last buffer written is gone")
	}
	if _, ok := d.Buffer(keys[0]); ok && len(ents) < len(keys) {
		t.Error("the cache was trimmed but the oldest buffer stayed")
	}

	for name, age := range map[string]time.Duration{"idle": zonecache.MaxIdle + time.Hour, "recent": zonecache.MaxIdle - time.Hour} {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-age)
		if err := os.Chtimes(dir, at, at); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := zonecache.Open(root, zonecache.Options{Namespace: "now"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"idle": false, "recent": true, "now": true} {
		if _, err := os.Stat(filepath.Join(root, name)); (err == nil) != want {
			t.Errorf("namespace %s: present %v, want %v", name, err == nil, want)
		}
	}
}

// TestDirUnwritable: a cache that cannot be written (its directory
// replaced by a file, which stops root too) is an error for Put and a miss
// for Buffer.
func TestDirUnwritable(t *testing.T) {
	root := t.TempDir()
	d, err := zonecache.Open(root, zonecache.Options{Namespace: "gone"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(d.Path()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d.Path(), []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := d.Put(key, []orb.Ring{{{1, 2}}}); err == nil {
		t.Error("Put into a file: no error")
	}
	d.PutBuffer(key, []orb.Ring{{{1, 2}}}) // drops the error
	if _, ok := d.Buffer(key); ok {
		t.Error("Buffer: a hit")
	}
}

// TestTiered: the atlas of one program puts its buffers in the directory
// (a Dir, as the durand command uses it); the atlas of another reads them
// all from there through a Tiered cache, tracing none; the zones are the
// same, bit for bit (that they equal zones traced with no cache is geo's
// TestUseBufferCache).
func TestTiered(t *testing.T) {
	root := t.TempDir()
	var zones [2][]*geo.Zone
	var n int
	written := map[string]time.Time{}
	for i := range zones {
		d, err := zonecache.Open(root, zonecache.Options{Namespace: "t"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := data.Default()
		if err != nil {
			t.Fatal(err)
		}
		var c *zonecache.Tiered
		if i == 0 {
			a.UseBufferCache(d)
		} else {
			c = zonecache.NewTiered(d)
			a.UseBufferCache(c)
		}
		if zones[i], err = a.Zones(); err != nil {
			t.Fatal(err)
		}
		files, _ := os.ReadDir(d.Path())
		if i == 0 {
			n = len(files)
			if n == 0 {
				t.Fatal("no buffer in the directory")
			}
			for _, f := range files {
				if info, err := f.Info(); err == nil {
					written[f.Name()] = info.ModTime()
				}
			}
			continue
		}
		if len(files) != n || c.Len() != n {
			t.Errorf("second program: %d files (first: %d), %d buffers read", len(files), n, c.Len())
		}
		for _, f := range files {
			if info, err := f.Info(); err != nil || !info.ModTime().Equal(written[f.Name()]) {
				t.Errorf("second program: %s written again: it traced", f.Name())
			}
		}
	}
	if !reflect.DeepEqual(zones[0], zones[1]) {
		t.Error("the zones read through the directory differ from those traced")
	}
}

// TestDefaultNamespace: the buffers go under the trace version of the geo
// package, shared by every program built from it.
func TestDefaultNamespace(t *testing.T) {
	root := t.TempDir()
	d, err := zonecache.Open(root, zonecache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, geo.TraceVersion()[:16]); d.Path() != want {
		t.Errorf("Path %s, want %s", d.Path(), want)
	}
}
