package data

import (
	"context"
	"errors"
	"io/fs"
	"os"

	"github.com/durandline/durand/geo"
)

// Source reads the embedded files merged with a data directory anew at
// every Fetch. It is the server.Source of `durand serve` without a
// database: a server reloading from it picks up files installed or edited
// in the directory.
type Source struct {
	// Dir is the data directory merged over the embedded files (see
	// Open); "" reads the embedded files only.
	Dir string
	// Optional makes a Dir that does not exist read as the embedded files
	// only (the default data directory before anything is installed);
	// otherwise a missing Dir is an error.
	Optional bool
	// Options are those of OpenWith (skipping invalid installed layers).
	Options OpenOptions
}

// Fetch returns the content version of the merged files (geo.DataVersion)
// and a function loading the atlas from them with OpenWith.
func (s Source) Fetch(ctx context.Context) (string, func() (*geo.Atlas, error), error) {
	dir := s.Dir
	if dir != "" && s.Optional {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			dir = ""
		}
	}
	fsys, err := Merged(dir)
	if err != nil {
		return "", nil, err
	}
	version, err := geo.DataVersion(fsys)
	if err != nil {
		return "", nil, err
	}
	return version, func() (*geo.Atlas, error) { return OpenWith(dir, s.Options) }, nil
}

// String describes the source for logs.
func (s Source) String() string {
	if s.Dir == "" {
		return "embedded data"
	}
	return "embedded data and data directory " + s.Dir
}
