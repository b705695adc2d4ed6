package main

import (
	"path/filepath"
	"testing"

	"github.com/durandline/durand/data/zonecache"
)

// TestZoneCache: `durand info` keeps the zone buffers in $DURAND_CACHE_DIR
// (a directory per executable, a file per buffer), a second run answers
// the same from them, and DURAND_CACHE_DIR=off turns the cache off.
func TestZoneCache(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(zonecache.EnvDir, dir)
	code, first, stderr := runCmd(t, "info", "--json")
	if code != 0 {
		t.Fatalf("info: exit %d: %s", code, stderr)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no buffer in %s after a run (%v)", dir, err)
	}
	code, second, stderr := runCmd(t, "info", "--json")
	if code != 0 || second != first {
		t.Errorf("second run from the cache: exit %d, output differs %v: %s", code, second != first, stderr)
	}
	again, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(again) != len(files) {
		t.Errorf("%d buffers after the second run, %d after the first: it traced again", len(again), len(files))
	}

	t.Setenv(zonecache.EnvDir, "off")
	if c := zoneCache(); c != nil {
		t.Errorf("DURAND_CACHE_DIR=off: the command uses a cache (%T)", c)
	}
}
