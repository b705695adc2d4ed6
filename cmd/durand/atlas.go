package main

import (
	"os"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
)

// resolveDataDir returns dir, or the default data directory when dir is "".
func resolveDataDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return data.DefaultDir()
}

// openAtlas loads the embedded atlas merged with the data directory (the
// default one when dataDir is ""), which holds the installed districts.
func openAtlas(dataDir string) (*geo.Atlas, error) {
	dir, err := resolveDataDir(dataDir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dir); err != nil && dataDir == "" {
		dir = "" // no default directory yet: embedded data only
	}
	return data.Open(dir)
}
