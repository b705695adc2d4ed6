package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/durandline/durand/data/zonecache"
)

// TestZoneCache: `durand info` keeps the zone buffers in $DURAND_CACHE_DIR
// (a directory per executable, a file per buffer), a second run answers
// the same from them, and DURAND_CACHE_DIR=off keeps nothing.
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

	off := t.TempDir()
	t.Setenv(zonecache.EnvDir, "off")
	t.Setenv("XDG_CACHE_HOME", off)
	if code, out, stderr := runCmd(t, "info", "--json"); code != 0 || out != first {
		t.Errorf("with the cache off: exit %d, same output %v: %s", code, out == first, stderr)
	}
	if ents, _ := os.ReadDir(off); len(ents) != 0 {
		t.Errorf("with the cache off, %d entries in the user's cache directory", len(ents))
	}
}
