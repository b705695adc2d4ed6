// Package data embeds durand's default atlas files (the border, countries,
// provinces and crossings built by the data pipeline in data/build from
// registry packages; see README.md and SCHEMA.md in this directory) and
// opens the default atlas, optionally merged with a local data directory
// that holds the districts installed by `durand data install`.
//
// Units are those of package geo: WGS84 lon/lat degrees, metres.
package data

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/durandline/durand/geo"
)

//go:embed border.geojson countries.geojson provinces.geojson crossings.geojson provenance.json altnames.csv
//go:embed events.csv crossing-status.csv places.csv
var embedded embed.FS

// FS returns the embedded default files.
func FS() fs.FS { return embedded }

// Default loads the atlas from the embedded files only (no districts).
func Default() (*geo.Atlas, error) { return geo.Load(embedded) }

// Open loads the embedded files merged with the files of dir: a file
// present in dir (for example the installed districts.geojson) is read from
// dir, every other file from the embedded defaults. An empty dir gives the
// embedded atlas; a dir that does not exist is an error.
func Open(dir string) (*geo.Atlas, error) {
	fsys, err := Merged(dir)
	if err != nil {
		return nil, err
	}
	return geo.Load(fsys)
}

// Merged returns the embedded files overlaid with the files of dir (see Open).
func Merged(dir string) (fs.FS, error) {
	if dir == "" {
		return embedded, nil
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("data: %s is not a directory", dir)
	}
	return overlay{top: os.DirFS(dir), base: embedded}, nil
}

// overlay reads a file from top when it exists there, else from base.
type overlay struct{ top, base fs.FS }

func (o overlay) Open(name string) (fs.File, error) {
	f, err := o.top.Open(name)
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return o.base.Open(name)
}
