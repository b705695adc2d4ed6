package main

import (
	"errors"
	"fmt"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/zonecache"
	"github.com/durandline/durand/geo"
)

// resolveDataDir returns dir, or the default data directory when dir is "".
func resolveDataDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return data.DefaultDir()
}

// atlasOptions are the options of openAtlasWith.
type atlasOptions struct {
	// SkipInvalidLayers leaves an installed layer (the districts) whose
	// files are missing, truncated or invalid out of the atlas, after a
	// warning, instead of failing (serve's --skip-invalid-layers).
	SkipInvalidLayers bool
	// Warn receives each warning, one line without a trailing newline;
	// nil discards them.
	Warn func(msg string)
}

// openAtlas loads the embedded atlas merged with the data directory (the
// default one when dataDir is ""), which holds the installed districts. A
// faulty installed layer is an error naming its file.
func openAtlas(dataDir string) (*geo.Atlas, error) {
	return openAtlasWith(dataDir, atlasOptions{})
}

// openAtlasWith is openAtlas with options: with opt.SkipInvalidLayers a
// faulty installed layer is left out with a warning instead.
func openAtlasWith(dataDir string, opt atlasOptions) (*geo.Atlas, error) {
	dir := dataDir
	if dir == "" {
		var err error
		if dir, err = data.InstalledDir(); err != nil { // "" when nothing is installed yet
			return nil, err
		}
	}
	a, err := data.OpenWith(dir, data.OpenOptions{
		SkipInvalidLayers: opt.SkipInvalidLayers,
		Warn: func(err error) {
			if opt.Warn != nil {
				opt.Warn(fmt.Sprintf("warning: %v; serving without it", err))
			}
		},
	})
	if err != nil {
		return nil, invalidLayerHint(err)
	}
	if c := zoneCache(); c != nil {
		a.UseBufferCache(c)
	}
	return a, nil
}

// zoneCache returns the cache of the zones' traced buffers
// (zonecache.Default: $DURAND_CACHE_DIR, "off" for none), or nil when it
// is off or cannot be opened: it only saves time.
func zoneCache() geo.BufferCache {
	if c := zonecache.Default(); c != nil {
		return c
	}
	return nil
}

// invalidLayerHint adds to an error of an invalid installed layer how to
// mend it.
func invalidLayerHint(err error) error {
	if errors.Is(err, data.ErrInvalidLayer) {
		return fmt.Errorf("%w (install it again with `durand data install`; `durand serve --skip-invalid-layers` serves without it)", err)
	}
	return err
}
