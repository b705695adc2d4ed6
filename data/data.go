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
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

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

// InstalledDir returns the default data directory (DefaultDir) when it
// exists, and "" when it does not (nothing installed yet), so that
// OpenWith(InstalledDir()) gives the embedded atlas plus whatever is
// installed. It fails only when the default directory cannot be found
// (no home directory) or exists but cannot be read as a directory.
func InstalledDir() (string, error) {
	dir, err := DefaultDir()
	if err != nil {
		return "", err
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("data: %w", err)
	case !st.IsDir():
		return "", fmt.Errorf("data: %s is not a directory", dir)
	}
	return dir, nil
}

// OpenDefault loads the atlas a Go program usually wants: the embedded
// files plus the layers installed by `durand data install` in the default
// data directory (DefaultDir: $DURAND_DATA_DIR, else $XDG_DATA_HOME/durand,
// else ~/.local/share/durand). When nothing is installed there it returns
// the embedded atlas and no error; a faulty installed layer is an error
// matching ErrInvalidLayer that names its file.
//
// OpenDefault also starts computing the atlas's zones in the background
// (Atlas.PrepareZones in a goroutine), so that a program's first ZonesAt,
// Zones, Timeline or Summary does not pay for them: they take several
// times as long as loading (about a second of CPU on a quiet machine),
// which OpenDefault would otherwise add to every program, those that never
// ask for zones included. A zones call made before the background work is
// done waits for it rather than starting again; to wait explicitly, call
// atlas.PrepareZones(), which returns when the zones are ready (with the
// error, if any, that every zones call will return). Default, Open and
// OpenWith leave the zones to the first call that needs them.
func OpenDefault() (*geo.Atlas, error) {
	dir, err := InstalledDir()
	if err != nil {
		return nil, err
	}
	a, err := OpenWith(dir, OpenOptions{})
	if err != nil {
		return nil, err
	}
	go a.PrepareZones() // its error is kept in the atlas and returned by every zones call
	return a, nil
}

// ErrInvalidLayer is matched by the *LayerError values of OpenWith.
var ErrInvalidLayer = errors.New("invalid installed layer")

// LayerError is a fault of a layer installed in a data directory: a file
// missing, empty, not decodable or inconsistent with its provenance file.
type LayerError struct {
	Layer string // the layer, e.g. "districts"
	Path  string // the faulty file: the data directory joined with its name
	Err   error  // what is wrong with it
}

func (e *LayerError) Error() string {
	return fmt.Sprintf("data: installed layer %s: %s: %v", e.Layer, e.Path, e.Err)
}

// Unwrap returns what is wrong.
func (e *LayerError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidLayer) true.
func (e *LayerError) Is(target error) bool { return target == ErrInvalidLayer }

// OpenOptions are the options of OpenWith.
type OpenOptions struct {
	// SkipInvalidLayers leaves an installed layer whose files are missing
	// or invalid out of the atlas (after telling Warn) instead of failing.
	// The layers every atlas needs (border, countries, provinces,
	// crossings) are never skipped: a fault in one of them is an error.
	SkipInvalidLayers bool
	// Warn receives the *LayerError of each layer left out; nil discards.
	Warn func(error)
}

// installedLayer is a layer `durand data install` writes: its data file
// and the provenance file recorded with it (which lists, by country, how
// many features the data file holds).
type installedLayer struct{ name, file, provenance string }

func installedLayers() []installedLayer {
	return []installedLayer{{geo.LayerDistricts, geo.FileDistricts, geo.FileDistrictsProvenance}}
}

// OpenWith is Open with the installed layers of dir checked first: a
// provenance file without its data file, an empty or undecodable data
// file, invalid geometries or coordinates, or feature counts that differ
// from those the provenance file records are a *LayerError naming the file
// (or, with opt.SkipInvalidLayers, a warning and the layer left out).
// Nothing is returned half-loaded.
func OpenWith(dir string, opt OpenOptions) (*geo.Atlas, error) {
	if dir == "" {
		return Default()
	}
	if _, err := Merged(dir); err != nil {
		return nil, err
	}
	var hide []string
	skip := func(l installedLayer, err error) error {
		if !opt.SkipInvalidLayers {
			return err
		}
		if opt.Warn != nil {
			opt.Warn(err)
		}
		hide = append(hide, l.file, l.provenance)
		return nil
	}
	layers := installedLayers()
	for _, l := range layers {
		if err := checkFiles(dir, l); err != nil {
			if err := skip(l, err); err != nil {
				return nil, err
			}
		}
	}
	// At most one load more than there are layers: each retry leaves out
	// one more faulty layer.
	for range len(layers) + 1 {
		a, err := geo.Load(overlay{top: hidden{os.DirFS(dir), hide}, base: embedded})
		var fault error
		var faulty installedLayer
		if err != nil {
			var de *geo.DataError
			if !errors.As(err, &de) {
				return nil, fmt.Errorf("data: %s: %w", dir, err)
			}
			i := slices.IndexFunc(layers, func(l installedLayer) bool { return de.File == l.file || de.File == l.provenance })
			if i < 0 || slices.Contains(hide, de.File) {
				return nil, fmt.Errorf("data: %s: %w", dir, err)
			}
			faulty = layers[i]
			fault = &LayerError{Layer: faulty.name, Path: filepath.Join(dir, de.File), Err: de.Err}
		} else {
			for _, l := range layers {
				if slices.Contains(hide, l.file) {
					continue
				}
				if fault = checkCounts(dir, l, a); fault != nil {
					faulty = l
					break
				}
			}
			if fault == nil {
				return a, nil
			}
		}
		if err := skip(faulty, fault); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("data: %s: the installed layers could not be left out", dir)
}

// checkFiles checks that the files of one installed layer of dir are
// there together: absent altogether is fine (not installed), a provenance
// file without its data file, a data file without its provenance file or
// an empty data file is not.
func checkFiles(dir string, l installedLayer) error {
	fault := func(file string, format string, args ...any) error {
		return &LayerError{Layer: l.name, Path: filepath.Join(dir, file), Err: fmt.Errorf(format, args...)}
	}
	dataInfo, derr := os.Stat(filepath.Join(dir, l.file))
	_, perr := os.Stat(filepath.Join(dir, l.provenance))
	switch {
	case errors.Is(derr, fs.ErrNotExist) && errors.Is(perr, fs.ErrNotExist):
		return nil
	case errors.Is(derr, fs.ErrNotExist):
		return fault(l.file, "missing, though %s is there (an interrupted install?)", l.provenance)
	case errors.Is(perr, fs.ErrNotExist):
		// Without it nothing says where the layer comes from, under what
		// licence, nor how many features it must have.
		return fault(l.file, "installed without %s (its source, licence and feature counts); install it again with durand data install", l.provenance)
	case derr != nil:
		return fault(l.file, "%v", derr)
	case !dataInfo.Mode().IsRegular():
		return fault(l.file, "not a regular file")
	case dataInfo.Size() == 0:
		return fault(l.file, "empty file (0 bytes)")
	}
	return nil
}

// checkCounts compares the features of a loaded layer, by country, with
// the counts its provenance file records (it must record some).
func checkCounts(dir string, l installedLayer, a *geo.Atlas) error {
	fault := func(file string, format string, args ...any) error {
		return &LayerError{Layer: l.name, Path: filepath.Join(dir, file), Err: fmt.Errorf(format, args...)}
	}
	b, err := os.ReadFile(filepath.Join(dir, l.provenance))
	if errors.Is(err, fs.ErrNotExist) {
		if _, derr := os.Stat(filepath.Join(dir, l.file)); errors.Is(derr, fs.ErrNotExist) {
			return nil // not installed
		}
	}
	if err != nil {
		return fault(l.provenance, "%v", err)
	}
	var prov struct {
		Layers []struct {
			Layer    string `json:"layer"`
			Country  string `json:"country"`
			Features *int   `json:"features"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(b, &prov); err != nil {
		return fault(l.provenance, "not valid JSON: %v", err)
	}
	got := map[string]int{}
	if l.name == geo.LayerDistricts {
		for _, d := range a.Districts() {
			got[d.Country]++
		}
	}
	want := map[string]int{}
	recorded := false
	for _, pl := range prov.Layers {
		if pl.Layer != l.name || pl.Features == nil {
			continue
		}
		recorded = true
		want[pl.Country] += *pl.Features
	}
	if !recorded {
		return fault(l.provenance, "records no feature count for the %s layer, so a truncated %s cannot be told from a complete one", l.name, l.file)
	}
	var diffs []string
	for _, c := range sortedKeys(got, want) {
		if got[c] != want[c] {
			diffs = append(diffs, fmt.Sprintf("%d %s features where %s records %d", got[c], orAll(c), l.provenance, want[c]))
		}
	}
	if len(diffs) > 0 {
		return fault(l.file, "incomplete or replaced: %s", strings.Join(diffs, "; "))
	}
	return nil
}

func orAll(country string) string {
	if country == "" {
		return "country-less"
	}
	return country
}

func sortedKeys(ms ...map[string]int) []string {
	var out []string
	for _, m := range ms {
		for k := range m {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}

// hidden is fsys without the named files.
type hidden struct {
	fsys  fs.FS
	names []string
}

func (h hidden) Open(name string) (fs.File, error) {
	if slices.Contains(h.names, name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return h.fsys.Open(name)
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
