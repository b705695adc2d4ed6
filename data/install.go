package data

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/durandline/durand/geo"
	shp "github.com/jonas-p/go-shp"
	"github.com/paulmach/orb"
)

// Names of the files Install writes into the target directory.
const (
	InstallDistrictsFile  = geo.FileDistricts
	InstallProvenanceFile = geo.FileDistrictsProvenance
)

// ExpectedAFGDistricts and ExpectedPAKDistricts are the district counts of
// the pinned inputs; other counts are reported as warnings.
const (
	ExpectedAFGDistricts = 398
	ExpectedPAKDistricts = 160
)

// Disputed units of the OCHA Pakistan layer. The unit with ADM1_PCODE
// IndianAdministeredPCode ("Jammu & Kashmir", with Srinagar and Jammu) is
// administered by India, not Pakistan, and is left out of the districts
// layer. The units of Azad Jammu and Kashmir and Gilgit-Baltistan are
// Pakistan-administered and keep their place, with an administration
// property carrying AdministrationNote (the wording of the UN and OCHA
// maps: the final status has not been agreed).
const (
	IndianAdministeredPCode = "PK8"
	AdministrationNote      = "Pakistan-administered. Dotted line represents approximately the Line of Control in " +
		"Jammu and Kashmir agreed upon by India and Pakistan. The final status of Jammu and Kashmir has not yet been " +
		"agreed upon by the parties."
)

// administeredPCodes are the ADM1_PCODEs of the Pakistan-administered parts
// of Jammu and Kashmir in the OCHA layer: Azad Kashmir and Gilgit Baltistan.
func administeredPCodes() []string { return []string{"PK1", "PK3"} }

// DefaultDownloadBase is the URL base of the pinned downloads: a file's URL
// is base/owner/repo/commit/path.
const DefaultDownloadBase = "https://raw.githubusercontent.com"

// Input file names and the subfolders of InstallOptions.From searched for them.
const (
	afgGeoJSONName = "geoBoundaries-AFG-ADM2.geojson"
	afgShpName     = "geoBoundaries-AFG-ADM2.shp"
	afgDbfName     = "geoBoundaries-AFG-ADM2.dbf"
	pakGeoJSONName = "districts_simplified_5p.geojson"
	afgSubdir      = "geoboundaries-afg-adm2"
	pakSubdir      = "ocha-cod-ab-pak-adm2"
	provincesName  = geo.FileProvinces

	sourceGeoBoundaries = "geoBoundaries"
	sourceOCHA          = "OCHA COD-AB"

	afgRepo   = "vict910/climate-gis-analysis"
	afgCommit = "aa51d8e85cede5b81edc1706c9e954f01f111c7d"
	pakRepo   = "umayrh/tiimaar-assets"
	pakCommit = "ca744263e43acaeddd7237e3aec2b82930002f95"

	maxInputSize = 256 << 20 // bytes; larger inputs are rejected
)

// Region every district coordinate must fall in (degrees). It is generous;
// it catches wrong files and projected coordinates, not border detail.
const (
	regionMinLon, regionMaxLon = 55.0, 85.0
	regionMinLat, regionMaxLat = 20.0, 42.0
)

// Province assignment by overlap: horizontal scan lines at most
// scanMaxStep degrees apart and at least scanMinLines per district.
const (
	scanMaxStep  = 0.0025 // degrees of latitude, about 280 m
	scanMinLines = 64
	scanBand     = 0.02 // degrees; edge bucket height of the scan index
)

var (
	// ErrInvalidInput is matched (errors.Is) by errors about input files
	// that cannot be used: corrupt or truncated files, wrong geometry types,
	// missing properties, invalid coordinates.
	ErrInvalidInput = errors.New("invalid input")
	// ErrChecksum is matched by errors about a downloaded file whose SHA-256
	// differs from the pinned one. Nothing is installed in that case.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrInstallOptions is matched by errors about InstallOptions.
	ErrInstallOptions = errors.New("data: invalid install options")
)

// InstallError reports a problem with one input or output file.
type InstallError struct {
	File string // local path or URL of the file
	Err  error  // what is wrong; wraps ErrInvalidInput, ErrChecksum, fs.ErrNotExist, ...
}

func (e *InstallError) Error() string { return fmt.Sprintf("data: %s: %v", e.File, e.Err) }

// Unwrap returns the underlying error.
func (e *InstallError) Unwrap() error { return e.Err }

func invalid(file, format string, args ...any) error {
	return &InstallError{File: file, Err: fmt.Errorf("%w: %s", ErrInvalidInput, fmt.Sprintf(format, args...))}
}

// InstallOptions configures Install. Exactly one of From and Download must
// be set.
type InstallOptions struct {
	// From is a directory holding the source files, either at its top level
	// or in the subfolders geoboundaries-afg-adm2/ and ocha-cod-ab-pak-adm2/.
	// For Afghanistan geoBoundaries-AFG-ADM2.geojson is preferred, else the
	// shapefile geoBoundaries-AFG-ADM2.shp + .dbf is read; for Pakistan
	// districts_simplified_5p.geojson.
	From string
	// Download fetches the pinned official files (PinnedFiles entries with
	// Install set) and verifies their SHA-256 before use.
	Download bool
	// DownloadBase replaces DefaultDownloadBase (a mirror, or a test server).
	DownloadBase string
	// Client is used for downloads; nil means http.DefaultClient. Use the
	// context passed to Install for deadlines.
	Client *http.Client
	// Dir is the target data directory, created if needed. Empty means
	// DefaultDir().
	Dir string
	// Provinces holds provinces.geojson (see data/SCHEMA.md; properties
	// name and country are used). Afghan districts get the name of the AFG
	// province they overlap most; Pakistani district province names are
	// matched to the PAK provinces here. Required.
	Provinces fs.FS
	// Progress, if not nil, receives one line per step.
	Progress io.Writer
}

// InstallReport describes a completed install.
type InstallReport struct {
	Dir       string          `json:"dir"`
	Files     []string        `json:"files"` // files written, in Dir
	Districts int             `json:"districts"`
	Countries []CountryReport `json:"countries"`
	Inputs    []InputReport   `json:"inputs"`
	Warnings  []string        `json:"warnings,omitempty"`
	// Notes lists ambiguous province assignments (a district split about
	// evenly between two provinces) and the corrections applied.
	Notes []string `json:"notes,omitempty"`
}

// CountryReport gives the number of districts installed for one country.
type CountryReport struct {
	Country   string `json:"country"` // ISO 3166-1 alpha-3
	Source    string `json:"source"`
	Districts int    `json:"districts"`
	Expected  int    `json:"expected"`
}

// InputReport describes one input file.
type InputReport struct {
	Name     string `json:"name"`
	Location string `json:"location"` // local path or URL
	Size     int64  `json:"size"`     // bytes
	SHA256   string `json:"sha256"`
	// Pin is "verified" (matches the pinned upstream checksum), "mismatch"
	// (a local file that differs from the pinned one; installed anyway)
	// or "unpinned" (no upstream checksum, e.g. a local format conversion).
	Pin string `json:"pin"`
}

// PinnedFile is an upstream file with its expected SHA-256.
type PinnedFile struct {
	Dataset string `json:"dataset"`
	Repo    string `json:"repo"`   // GitHub owner/name
	Commit  string `json:"commit"` // full commit hash
	Path    string `json:"path"`   // path within the repository
	Size    int64  `json:"size"`   // bytes
	SHA256  string `json:"sha256"`
	// Install is true for the files Install downloads; the others are
	// listed so that local copies can be verified.
	Install bool `json:"install"`
}

// URL returns the raw-file URL of p under base (DefaultDownloadBase if empty).
func (p PinnedFile) URL(base string) string {
	if base == "" {
		base = DefaultDownloadBase
	}
	return strings.TrimRight(base, "/") + "/" + p.Repo + "/" + p.Commit + "/" + p.Path
}

// PinnedFiles returns the pinned upstream files (a new slice each call).
// The geoBoundaries files come from the repository snapshot the project's
// copy was taken from; the full-resolution GeoJSON is not among them (it is
// a local format conversion of the shapefile, so it has no upstream pin).
func PinnedFiles() []PinnedFile {
	gb := func(p string, size int64, sum string, install bool) PinnedFile {
		return PinnedFile{Dataset: "geoBoundaries AFG ADM2", Repo: afgRepo, Commit: afgCommit, Path: p, Size: size, SHA256: sum, Install: install}
	}
	return []PinnedFile{
		gb(afgShpName, 2928180, "2cc048836d7825dbd1374c98bf07e6de9bed7ac400342762ea83c0eca10fb12d", true),
		gb(afgDbfName, 24074, "c7e4c79c69c2ce8614751547d0de077711387fbeb744ee62752bf51a9c059d51", true),
		gb("geoBoundaries-AFG-ADM2.shx", 3284, "a584a5eb7228b9c7d221deb666c68f8c4e605973e5a91995045b78129ec921fb", false),
		gb("geoBoundaries-AFG-ADM2.prj", 132, "a145cd62425c84e8a0d67e3d953401feee62dcd613845406b251049cefc42f9a", false),
		gb("geoBoundaries-AFG-ADM2.topojson", 1014184, "60decce9e40fa9ed87946c5115073abe4ec83fb46c83d9f11570adde7e09492a", false),
		gb("geoBoundaries-AFG-ADM2_simplified.geojson", 2853259, "ded11c6a9b558170e7d52a23309106254608f269258e2ccf1ad464c9603fa169", false),
		gb("geoBoundaries-AFG-ADM2_simplified.topojson", 401884, "24f2cb6c64c24a196a5a86c6cd75867666510cdabedfacf882861d0ef6c9555e", false),
		{Dataset: "OCHA COD-AB PAK ADM2 (simplified 5 %)", Repo: pakRepo, Commit: pakCommit, Path: "data/" + pakGeoJSONName, Size: 659834,
			SHA256: "25abdb5b5848d69b952b5743b269ad432ea407d62d269ad701d0b384c954073c", Install: true},
	}
}

// DefaultDir returns the default data directory: $DURAND_DATA_DIR if set,
// else $XDG_DATA_HOME/durand if XDG_DATA_HOME is an absolute path, else
// ~/.local/share/durand.
func DefaultDir() (string, error) {
	if d := os.Getenv("DURAND_DATA_DIR"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "durand"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("data: no default data directory: %w", err)
	}
	return filepath.Join(home, ".local", "share", "durand"), nil
}

// Install builds the districts layer (admin level 2) and writes
// InstallDistrictsFile and InstallProvenanceFile into opt.Dir. Districts are
// not shipped with the module: their sources are large and separately
// licensed, so they are built at run time from a local copy of the source
// files or from the official files, downloaded from pinned URLs and checked
// against pinned SHA-256 sums.
//
// The output is deterministic: the same inputs give byte-identical files
// (no install time is recorded). Both files are written to temporary files
// first and renamed into place, so a failed install leaves a previous
// install intact.
//
// Geometry: every district is a MultiPolygon in WGS84 lon/lat degrees,
// exterior rings counter-clockwise and holes clockwise (RFC 7946),
// coordinates rounded to 7 decimals (about 1 cm); features are sorted by id.
//
// Ids are stable and built from the source ids, which source_id repeats:
//
//   - Afghanistan (geoBoundaries gbOpen AFG ADM2): "AFG-" + shapeID,
//     e.g. AFG-17698898B16178473007687 (Spin Boldak).
//   - Pakistan (OCHA COD-AB pak_admbnda_adm2): "PAK-" + ADM2_PCODE,
//     e.g. PAK-PK235 (Chaman). The Indian-administered "Jammu & Kashmir"
//     unit (ADM1_PCODE PK8, no ADM2_PCODE) is left out; the districts of
//     Azad Kashmir and Gilgit-Baltistan carry an administration note (see
//     AdministrationNote).
//
// Provinces: an Afghan district gets the AFG province of opt.Provinces it
// overlaps most by area, except for the few districts whose overlap is
// split about evenly and known to fall on the wrong side of the coarser
// province lines (listed in the provenance file and InstallReport.Notes);
// a Pakistani district's OCHA ADM1_EN is matched to a PAK province by name
// or alternative name.
func Install(ctx context.Context, opt InstallOptions) (*InstallReport, error) {
	if opt.From != "" && opt.Download {
		return nil, fmt.Errorf("%w: From and Download are mutually exclusive", ErrInstallOptions)
	}
	if opt.From == "" && !opt.Download {
		return nil, fmt.Errorf("%w: set From (a directory) or Download", ErrInstallOptions)
	}
	if opt.Provinces == nil {
		return nil, fmt.Errorf("%w: Provinces is required (an fs.FS holding %s)", ErrInstallOptions, provincesName)
	}
	dir := opt.Dir
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	in := &installer{opt: opt, rep: &InstallReport{Dir: dir}}

	var (
		inputs *inputSet
		err    error
	)
	if opt.Download {
		inputs, err = in.download(ctx)
	} else {
		inputs, err = in.readLocal(ctx)
	}
	if err != nil {
		return nil, err
	}
	provs, provSum, err := in.loadProvinces()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	afg, err := in.afgDistricts(inputs)
	if err != nil {
		return nil, err
	}
	pak, err := in.pakDistricts(inputs)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(provs, func(p *province) bool { return p.country == "AFG" }) {
		return nil, invalid(provincesName, "no province has country AFG; Afghan districts cannot be assigned")
	}
	in.progress("assigning %d Afghan districts to provinces by overlap", len(afg))
	corrections := in.assignAFGProvinces(afg, provs)
	in.assignPAKProvinces(pak, provs)

	all := append(append([]*district(nil), afg...), pak...)
	slices.SortFunc(all, func(a, b *district) int { return strings.Compare(a.id, b.id) })
	for i := 1; i < len(all); i++ {
		if all[i].id == all[i-1].id {
			return nil, invalid(all[i].file, "duplicate district id %s", all[i].id)
		}
	}
	in.rep.Countries = []CountryReport{
		{Country: "AFG", Source: sourceGeoBoundaries, Districts: len(afg), Expected: ExpectedAFGDistricts},
		{Country: "PAK", Source: sourceOCHA, Districts: len(pak), Expected: ExpectedPAKDistricts},
	}
	for _, c := range in.rep.Countries {
		if c.Districts != c.Expected {
			in.warn("%s: %d districts, expected %d", c.Country, c.Districts, c.Expected)
		}
	}
	in.rep.Districts = len(all)

	out := encodeDistricts(all)
	prov, err := in.provenance(inputs, provSum, len(afg), len(pak), corrections)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	in.progress("writing %s (%d districts, %d bytes)", filepath.Join(dir, InstallDistrictsFile), len(all), len(out))
	if err := writeFiles(dir, []namedData{{InstallProvenanceFile, prov}, {InstallDistrictsFile, out}}); err != nil {
		return nil, err
	}
	in.rep.Files = []string{InstallDistrictsFile, InstallProvenanceFile}
	return in.rep, nil
}

type installer struct {
	opt InstallOptions
	rep *InstallReport
}

func (in *installer) progress(format string, args ...any) {
	if in.opt.Progress != nil {
		fmt.Fprintf(in.opt.Progress, "durand data install: "+format+"\n", args...)
	}
}

func (in *installer) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	in.rep.Notes = append(in.rep.Notes, msg)
	in.progress("note: %s", msg)
}

func (in *installer) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	in.rep.Warnings = append(in.rep.Warnings, msg)
	in.progress("warning: %s", msg)
}

// ---------------------------------------------------------------- inputs

type inputFile struct {
	name     string // base name
	location string // local path or URL
	data     []byte
	sum      string
	pin      *PinnedFile
}

type inputSet struct {
	afgGeoJSON     *inputFile // either this
	afgShp, afgDbf *inputFile // or these
	pak            *inputFile
}

func pinFor(name string) *PinnedFile {
	for _, p := range PinnedFiles() {
		if path.Base(p.Path) == name {
			return &p
		}
	}
	return nil
}

func (in *installer) addInput(f *inputFile) {
	sum := sha256.Sum256(f.data)
	f.sum = hex.EncodeToString(sum[:])
	f.pin = pinFor(f.name)
	status := "unpinned"
	if f.pin != nil {
		status = "verified"
		if f.pin.SHA256 != f.sum {
			status = "mismatch"
			in.warn("%s: SHA-256 %s differs from the pinned upstream file (%s); installing it anyway", f.location, f.sum, f.pin.SHA256)
		}
	}
	in.rep.Inputs = append(in.rep.Inputs, InputReport{Name: f.name, Location: f.location, Size: int64(len(f.data)), SHA256: f.sum, Pin: status})
}

// readLocal finds and reads the inputs in opt.From.
func (in *installer) readLocal(ctx context.Context) (*inputSet, error) {
	root := in.opt.From
	st, err := os.Stat(root)
	if err != nil {
		return nil, &InstallError{File: root, Err: err}
	}
	if !st.IsDir() {
		return nil, &InstallError{File: root, Err: fmt.Errorf("%w: not a directory", ErrInstallOptions)}
	}
	fsys := os.DirFS(root)
	find := func(sub, name string) (string, bool) {
		for _, p := range []string{name, sub + "/" + name} {
			if st, err := fs.Stat(fsys, p); err == nil && st.Mode().IsRegular() {
				return p, true
			}
		}
		return "", false
	}
	read := func(rel string) (*inputFile, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		loc := filepath.Join(root, filepath.FromSlash(rel))
		st, err := fs.Stat(fsys, rel)
		if err != nil {
			return nil, &InstallError{File: loc, Err: err}
		}
		if st.Size() > maxInputSize {
			return nil, invalid(loc, "file is %d bytes, more than the %d accepted", st.Size(), maxInputSize)
		}
		b, err := fs.ReadFile(fsys, rel)
		if err != nil {
			return nil, &InstallError{File: loc, Err: err}
		}
		in.progress("read %s (%d bytes)", loc, len(b))
		f := &inputFile{name: path.Base(rel), location: loc, data: b}
		in.addInput(f)
		return f, nil
	}
	missing := func(sub string, names ...string) error {
		return &InstallError{File: filepath.Join(root, names[0]), Err: fmt.Errorf("%w: %s not found in %s or %s",
			fs.ErrNotExist, strings.Join(names, " or "), root, filepath.Join(root, sub))}
	}

	set := &inputSet{}
	if p, ok := find(afgSubdir, afgGeoJSONName); ok {
		if set.afgGeoJSON, err = read(p); err != nil {
			return nil, err
		}
	} else if p, ok := find(afgSubdir, afgShpName); ok {
		if set.afgShp, err = read(p); err != nil {
			return nil, err
		}
		dbf := strings.TrimSuffix(p, ".shp") + ".dbf"
		if _, err := fs.Stat(fsys, dbf); err != nil {
			return nil, &InstallError{File: filepath.Join(root, filepath.FromSlash(dbf)),
				Err: fmt.Errorf("%w: the shapefile's attribute table (.dbf, with shapeName and shapeID) is missing", fs.ErrNotExist)}
		}
		if set.afgDbf, err = read(dbf); err != nil {
			return nil, err
		}
	} else {
		return nil, missing(afgSubdir, afgGeoJSONName, afgShpName)
	}
	p, ok := find(pakSubdir, pakGeoJSONName)
	if !ok {
		return nil, missing(pakSubdir, pakGeoJSONName)
	}
	if set.pak, err = read(p); err != nil {
		return nil, err
	}
	return set, nil
}

// download fetches the pinned files and verifies their checksums.
func (in *installer) download(ctx context.Context) (*inputSet, error) {
	client := in.opt.Client
	if client == nil {
		client = http.DefaultClient
	}
	set := &inputSet{}
	for _, p := range PinnedFiles() {
		if !p.Install {
			continue
		}
		url := p.URL(in.opt.DownloadBase)
		in.progress("downloading %s (%d bytes)", url, p.Size)
		b, err := fetch(ctx, client, url, p.Size)
		if err != nil {
			return nil, &InstallError{File: url, Err: err}
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != p.SHA256 {
			return nil, &InstallError{File: url, Err: fmt.Errorf("%w: got SHA-256 %s (%d bytes), want %s (%d bytes); the file changed upstream or the download was corrupted; nothing was installed",
				ErrChecksum, got, len(b), p.SHA256, p.Size)}
		}
		f := &inputFile{name: path.Base(p.Path), location: url, data: b}
		in.addInput(f)
		switch f.name {
		case afgShpName:
			set.afgShp = f
		case afgDbfName:
			set.afgDbf = f
		case pakGeoJSONName:
			set.pak = f
		}
	}
	if set.afgShp == nil || set.afgDbf == nil || set.pak == nil {
		return nil, fmt.Errorf("data: internal error: pinned download set incomplete")
	}
	return set, nil
}

func fetch(ctx context.Context, client *http.Client, url string, size int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download failed: HTTP %s", resp.Status)
	}
	// Read at most one byte more than expected: a longer body cannot match.
	b, err := io.ReadAll(io.LimitReader(resp.Body, size+1))
	if err != nil {
		return nil, fmt.Errorf("download failed: %w", err)
	}
	return b, nil
}

// ---------------------------------------------------------------- features

type district struct {
	id, name, province, country, source, sourceID string
	administration                                string // AdministrationNote for disputed, Pakistan-administered units
	file                                          string // input location, for errors
	geom                                          orb.MultiPolygon
}

// feature is one decoded input feature: string (and string array)
// properties and a normalised geometry.
type feature struct {
	index int
	props map[string]any
	geom  orb.MultiPolygon
}

func (f *feature) str(file, key string) (string, bool, error) {
	v, ok := f.props[key]
	if !ok || v == nil {
		return "", false, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", false, invalid(file, "feature %d: property %q is %T, want a string", f.index, key, v)
	}
	return strings.TrimSpace(s), true, nil
}

func (f *feature) required(file, key string) (string, error) {
	s, ok, err := f.str(file, key)
	if err != nil {
		return "", err
	}
	if !ok || s == "" {
		return "", invalid(file, "feature %d: property %q is missing or empty", f.index, key)
	}
	return s, nil
}

func (in *installer) afgDistricts(set *inputSet) ([]*district, error) {
	var (
		feats []feature
		file  string
		err   error
	)
	if set.afgGeoJSON != nil {
		file = set.afgGeoJSON.location
		in.progress("decoding %s", file)
		feats, err = decodeGeoJSON(file, set.afgGeoJSON.data, true)
	} else {
		file = set.afgShp.location
		in.progress("decoding %s", file)
		feats, err = decodeShapefile(file, set.afgShp.data, set.afgDbf.location, set.afgDbf.data)
	}
	if err != nil {
		return nil, err
	}
	return geoBoundariesDistricts(file, feats)
}

func geoBoundariesDistricts(file string, feats []feature) ([]*district, error) {
	out := make([]*district, 0, len(feats))
	for i := range feats {
		f := &feats[i]
		name, err := f.required(file, "shapeName")
		if err != nil {
			return nil, err
		}
		sid, err := f.required(file, "shapeID")
		if err != nil {
			return nil, err
		}
		if g, ok, err := f.str(file, "shapeGroup"); err != nil {
			return nil, err
		} else if ok && g != "AFG" {
			return nil, invalid(file, "feature %d (%s): shapeGroup is %q, want AFG (wrong file?)", f.index, name, g)
		}
		out = append(out, &district{
			id: "AFG-" + sid, name: name, country: "AFG", source: sourceGeoBoundaries, sourceID: sid, file: file, geom: f.geom,
		})
	}
	return out, nil
}

func (in *installer) pakDistricts(set *inputSet) ([]*district, error) {
	file := set.pak.location
	in.progress("decoding %s", file)
	feats, err := decodeGeoJSON(file, set.pak.data, true)
	if err != nil {
		return nil, err
	}
	ds, left, err := ochaDistricts(file, feats)
	for _, name := range left {
		in.note("PAK: %q (ADM1_PCODE %s) left out: it is Indian-administered Jammu and Kashmir, not part of Pakistan", name, IndianAdministeredPCode)
	}
	return ds, err
}

// ochaDistricts reads the OCHA districts; left names the units left out
// (the Indian-administered one).
func ochaDistricts(file string, feats []feature) (out []*district, left []string, err error) {
	out = make([]*district, 0, len(feats))
	for i := range feats {
		f := &feats[i]
		name, err := f.required(file, "ADM2_EN")
		if err != nil {
			return nil, nil, err
		}
		adm1, err := f.required(file, "ADM1_EN")
		if err != nil {
			return nil, nil, err
		}
		adm1Code, _, err := f.str(file, "ADM1_PCODE")
		if err != nil {
			return nil, nil, err
		}
		if adm1Code == IndianAdministeredPCode {
			left = append(left, name)
			continue
		}
		admin := ""
		if slices.Contains(administeredPCodes(), adm1Code) {
			admin = AdministrationNote
		}
		code, ok, err := f.str(file, "ADM2_PCODE")
		if err != nil {
			return nil, nil, err
		}
		if !ok || code == "" {
			if code, err = f.required(file, "ADM1_PCODE"); err != nil {
				return nil, nil, invalid(file, "feature %d (%s): neither ADM2_PCODE nor ADM1_PCODE is set", f.index, name)
			}
		}
		if c, ok, err := f.str(file, "ADM0_PCODE"); err != nil {
			return nil, nil, err
		} else if ok && c != "PK" {
			return nil, nil, invalid(file, "feature %d (%s): ADM0_PCODE is %q, want PK (wrong file?)", f.index, name, c)
		}
		out = append(out, &district{
			id: "PAK-" + code, name: name, province: adm1, country: "PAK", source: sourceOCHA, sourceID: code, file: file, geom: f.geom,
			administration: admin,
		})
	}
	return out, left, nil
}

// ---------------------------------------------------------------- GeoJSON

type geoJSONFC struct {
	Type     string           `json:"type"`
	Features []geoJSONFeature `json:"features"`
}

type geoJSONFeature struct {
	Type       string          `json:"type"`
	Properties map[string]any  `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

type geoJSONGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// decodeGeoJSON decodes a FeatureCollection of Polygon/MultiPolygon
// features. region restricts coordinates to the Afghanistan–Pakistan box.
func decodeGeoJSON(file string, data []byte, region bool) ([]feature, error) {
	var fc geoJSONFC
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, invalid(file, "not valid GeoJSON: %s", jsonErr(data, err))
	}
	if fc.Type != "FeatureCollection" {
		return nil, invalid(file, "top-level type is %q, want FeatureCollection", fc.Type)
	}
	if len(fc.Features) == 0 {
		return nil, invalid(file, "FeatureCollection has no features")
	}
	out := make([]feature, 0, len(fc.Features))
	for i, gf := range fc.Features {
		if gf.Type != "Feature" {
			return nil, invalid(file, "feature %d: type is %q, want Feature", i, gf.Type)
		}
		var g *geoJSONGeometry
		if len(gf.Geometry) == 0 {
			return nil, invalid(file, "feature %d: geometry is missing", i)
		}
		if err := json.Unmarshal(gf.Geometry, &g); err != nil {
			return nil, invalid(file, "feature %d: geometry: %s", i, jsonErr(gf.Geometry, err))
		}
		if g == nil {
			return nil, invalid(file, "feature %d: geometry is missing or null", i)
		}
		var polys [][][][]float64
		switch g.Type {
		case "Polygon":
			var p [][][]float64
			if err := json.Unmarshal(g.Coordinates, &p); err != nil {
				return nil, invalid(file, "feature %d: Polygon coordinates: %s", i, jsonErr(g.Coordinates, err))
			}
			polys = [][][][]float64{p}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
				return nil, invalid(file, "feature %d: MultiPolygon coordinates: %s", i, jsonErr(g.Coordinates, err))
			}
		default:
			return nil, invalid(file, "feature %d: geometry type is %q, want Polygon or MultiPolygon", i, g.Type)
		}
		mp := make(orb.MultiPolygon, 0, len(polys))
		for pi, p := range polys {
			poly := make(orb.Polygon, 0, len(p))
			for ri, r := range p {
				ring := make(orb.Ring, len(r))
				for k, pos := range r {
					if len(pos) < 2 {
						return nil, invalid(file, "feature %d: polygon %d ring %d position %d has %d numbers, want at least 2", i, pi, ri, k, len(pos))
					}
					ring[k] = orb.Point{pos[0], pos[1]}
				}
				poly = append(poly, ring)
			}
			mp = append(mp, poly)
		}
		geom, err := normalise(mp, region)
		if err != nil {
			return nil, invalid(file, "feature %d%s: %v", i, featureLabel(gf.Properties), err)
		}
		out = append(out, feature{index: i, props: gf.Properties, geom: geom})
	}
	return out, nil
}

func featureLabel(props map[string]any) string {
	for _, k := range []string{"shapeName", "ADM2_EN", "name"} {
		if s, ok := props[k].(string); ok && s != "" {
			return fmt.Sprintf(" (%s)", s)
		}
	}
	return ""
}

// jsonErr describes a JSON decoding error with its byte offset.
func jsonErr(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d: %v", se.Offset, err)
	case errors.As(err, &te):
		where := te.Field
		if where == "" {
			where = "value"
		}
		return fmt.Sprintf("%s at byte %d is a JSON %s, want %v", where, te.Offset, te.Value, te.Type)
	case len(bytes.TrimSpace(data)) == 0:
		return "empty"
	default:
		// io.ErrUnexpectedEOF-like messages: truncated input.
		return err.Error() + " (truncated file?)"
	}
}

// ---------------------------------------------------------------- shapefile

// decodeShapefile reads Polygon records and their dBASE attributes. The
// structure of both files is checked before github.com/jonas-p/go-shp decodes
// them, so corrupt files give errors, not panics or huge allocations.
func decodeShapefile(shpFile string, shpData []byte, dbfFile string, dbfData []byte) ([]feature, error) {
	nrec, err := checkShp(shpFile, shpData)
	if err != nil {
		return nil, err
	}
	dbfNorm, deleted, err := checkDbf(dbfFile, dbfData)
	if err != nil {
		return nil, err
	}
	if len(deleted) != nrec {
		return nil, invalid(dbfFile, "has %d records, the shapefile has %d shapes", len(deleted), nrec)
	}
	r := shp.SequentialReaderFromExt(io.NopCloser(bytes.NewReader(shpData)), io.NopCloser(bytes.NewReader(dbfNorm)))
	defer r.Close()
	fields := r.Fields()
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = cleanDbfString(f.Name[:])
	}
	var out []feature
	n := 0
	for i := 0; r.Next(); i++ {
		n++
		if deleted[i] {
			continue
		}
		_, s := r.Shape()
		poly, ok := s.(*shp.Polygon)
		if !ok {
			return nil, invalid(shpFile, "record %d: shape type %T, want Polygon", i, s)
		}
		props := make(map[string]any, len(names))
		for k, n := range names {
			props[n] = cleanDbfString([]byte(r.Attribute(k)))
		}
		geom, err := shpPolygon(poly)
		if err != nil {
			return nil, invalid(shpFile, "record %d%s: %v", i, featureLabel(props), err)
		}
		out = append(out, feature{index: i, props: props, geom: geom})
	}
	if err := r.Err(); err != nil {
		return nil, invalid(shpFile, "%v", err)
	}
	if n != nrec {
		return nil, invalid(shpFile, "read %d of %d shapes", n, nrec)
	}
	if len(out) == 0 {
		return nil, invalid(shpFile, "has no shapes")
	}
	return out, nil
}

// checkShp validates the .shp main file structure and returns the number of
// records. All records must be Polygon (type 5).
func checkShp(file string, b []byte) (int, error) {
	const polygon = 5
	if len(b) < 100 {
		return 0, invalid(file, "%d bytes, too short for a shapefile header (100 bytes)", len(b))
	}
	if code := binary.BigEndian.Uint32(b[0:4]); code != 9994 {
		return 0, invalid(file, "not a shapefile (file code %d, want 9994)", code)
	}
	if n := int64(binary.BigEndian.Uint32(b[24:28])) * 2; n != int64(len(b)) {
		return 0, invalid(file, "header gives a length of %d bytes but the file has %d (truncated?)", n, len(b))
	}
	if t := int32(binary.LittleEndian.Uint32(b[32:36])); t != polygon {
		return 0, invalid(file, "shape type %d, want 5 (Polygon)", t)
	}
	n := 0
	for off := int64(100); off < int64(len(b)); n++ {
		if int64(len(b))-off < 12 {
			return 0, invalid(file, "record %d: truncated record header at byte %d", n, off)
		}
		clen := int64(binary.BigEndian.Uint32(b[off+4:off+8])) * 2
		body := off + 8
		if clen < 4 || body+clen > int64(len(b)) {
			return 0, invalid(file, "record %d at byte %d: content length %d runs past the end of the file", n, off, clen)
		}
		c := b[body : body+clen]
		if t := int32(binary.LittleEndian.Uint32(c[0:4])); t != polygon {
			return 0, invalid(file, "record %d: shape type %d, want 5 (Polygon)", n, t)
		}
		if clen < 44 {
			return 0, invalid(file, "record %d: %d bytes, too short for a polygon", n, clen)
		}
		parts := int64(int32(binary.LittleEndian.Uint32(c[36:40])))
		points := int64(int32(binary.LittleEndian.Uint32(c[40:44])))
		if parts < 1 || points < 4 || parts > points {
			return 0, invalid(file, "record %d: %d parts and %d points", n, parts, points)
		}
		if need := 44 + 4*parts + 16*points; need > clen {
			return 0, invalid(file, "record %d: %d parts and %d points need %d bytes, the record has %d", n, parts, points, need, clen)
		}
		prev := int64(-1)
		for k := int64(0); k < parts; k++ {
			p := int64(int32(binary.LittleEndian.Uint32(c[44+4*k:])))
			if (k == 0 && p != 0) || p <= prev || p >= points {
				return 0, invalid(file, "record %d: part %d starts at point %d (of %d)", n, k, p, points)
			}
			prev = p
		}
		off = body + clen
	}
	return n, nil
}

// checkDbf validates a dBASE file and returns it with the header cut to
// what go-shp's sequential reader expects (no padding after the field
// descriptors), and its record count.
func checkDbf(file string, b []byte) ([]byte, []bool, error) {
	if len(b) < 33 {
		return nil, nil, invalid(file, "%d bytes, too short for a dBASE header", len(b))
	}
	nrec := int64(binary.LittleEndian.Uint32(b[4:8]))
	hlen := int64(binary.LittleEndian.Uint16(b[8:10]))
	rlen := int64(binary.LittleEndian.Uint16(b[10:12]))
	if hlen < 33 || hlen > int64(len(b)) {
		return nil, nil, invalid(file, "header length %d is invalid for a %d-byte file", hlen, len(b))
	}
	nf := (hlen - 33) / 32
	term := 32 + 32*nf
	// Some writers pad the header; the terminator is then earlier.
	for k := int64(0); k < nf; k++ {
		if b[32+32*k] == 0x0d {
			nf, term = k, 32+32*k
			break
		}
	}
	if b[term] != 0x0d {
		return nil, nil, invalid(file, "field descriptor terminator missing at byte %d", term)
	}
	sum := int64(1) // deletion flag
	for k := int64(0); k < nf; k++ {
		sum += int64(b[32+32*k+16])
	}
	if rlen < 1 || sum > rlen {
		return nil, nil, invalid(file, "record length %d, but the fields need %d bytes", rlen, sum)
	}
	if end := hlen + nrec*rlen; end > int64(len(b)) {
		return nil, nil, invalid(file, "%d records of %d bytes need %d bytes, the file has %d (truncated?)", nrec, rlen, end, len(b))
	}
	deleted := make([]bool, nrec)
	for k := int64(0); k < nrec; k++ {
		f := b[hlen+k*rlen]
		if f != ' ' && f != '*' {
			return nil, nil, invalid(file, "record %d: invalid deletion flag 0x%02x", k, f)
		}
		deleted[k] = f == '*'
	}
	out := make([]byte, 0, term+1+nrec*rlen)
	out = append(out, b[:term+1]...)
	binary.LittleEndian.PutUint16(out[8:10], uint16(term+1))
	out = append(out, b[hlen:hlen+nrec*rlen]...)
	return out, deleted, nil
}

// cleanDbfString trims padding and NULs and makes the text valid UTF-8
// (bytes that are not UTF-8 are read as Latin-1).
func cleanDbfString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	s := strings.TrimSpace(string(b))
	if utf8.ValidString(s) {
		return s
	}
	r := make([]rune, 0, len(s))
	for i := 0; i < len(s); i++ {
		r = append(r, rune(s[i]))
	}
	return string(r)
}

// shpPolygon turns shapefile rings (outer clockwise, holes counter-
// clockwise) into a normalised MultiPolygon: each hole goes to the smallest
// outer ring containing it; a hole inside no outer ring becomes an outer
// ring.
func shpPolygon(p *shp.Polygon) (orb.MultiPolygon, error) {
	var rings []orb.Ring
	for k := range p.Parts {
		start, end := int(p.Parts[k]), len(p.Points)
		if k+1 < len(p.Parts) {
			end = int(p.Parts[k+1])
		}
		ring := make(orb.Ring, 0, end-start)
		for _, q := range p.Points[start:end] {
			ring = append(ring, orb.Point{q.X, q.Y})
		}
		r, err := cleanRing(ring, true, k)
		if err != nil {
			return nil, err
		}
		if r != nil {
			rings = append(rings, r)
		}
	}
	var outers, holes []orb.Ring
	for _, r := range rings {
		if signedArea(r) < 0 {
			outers = append(outers, r)
		} else {
			holes = append(holes, r)
		}
	}
	mp := make(orb.MultiPolygon, len(outers))
	for i, o := range outers {
		mp[i] = orb.Polygon{o}
	}
	for _, h := range holes {
		best, bestArea := -1, math.Inf(1)
		hb := h.Bound()
		for i, o := range outers {
			a := math.Abs(signedArea(o))
			if a < bestArea && o.Bound().Contains(hb.Min) && o.Bound().Contains(hb.Max) && ringContains(o, h[0]) {
				best, bestArea = i, a
			}
		}
		if best < 0 {
			mp = append(mp, orb.Polygon{h})
			continue
		}
		mp[best] = append(mp[best], h)
	}
	for _, poly := range mp {
		orient(poly)
	}
	if len(mp) == 0 {
		return nil, errors.New("geometry has no area")
	}
	return mp, nil
}

// ---------------------------------------------------------------- geometry

func round7(v float64) float64 {
	r := math.Round(v*1e7) / 1e7
	if r == 0 {
		return 0 // no negative zero
	}
	return r
}

// checkPoint reports NaN, infinite and out-of-range coordinates.
func checkPoint(p orb.Point, region bool) error {
	x, y := p[0], p[1]
	switch {
	case math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0):
		return fmt.Errorf("coordinate (%v, %v) is not a finite number", x, y)
	case x < -180 || x > 180 || y < -90 || y > 90:
		return fmt.Errorf("coordinate (%v, %v) is outside WGS84 longitude/latitude ranges (projected data?)", x, y)
	case region && (x < regionMinLon || x > regionMaxLon || y < regionMinLat || y > regionMaxLat):
		return fmt.Errorf("coordinate (%v, %v) is outside the Afghanistan–Pakistan region (lon %v..%v, lat %v..%v; wrong file?)",
			x, y, regionMinLon, regionMaxLon, regionMinLat, regionMaxLat)
	}
	return nil
}

// cleanRing validates a ring, rounds it to 7 decimals and drops repeated
// points. It returns nil (no error) for a ring that has no area after
// rounding.
func cleanRing(r orb.Ring, region bool, idx int) (orb.Ring, error) {
	if len(r) < 4 {
		return nil, fmt.Errorf("ring %d has %d positions, want at least 4", idx, len(r))
	}
	for k, p := range r {
		if err := checkPoint(p, region); err != nil {
			return nil, fmt.Errorf("ring %d position %d: %w", idx, k, err)
		}
	}
	if r[0] != r[len(r)-1] {
		return nil, fmt.Errorf("ring %d is not closed (first position %v, last %v)", idx, r[0], r[len(r)-1])
	}
	out := make(orb.Ring, 0, len(r))
	for _, p := range r {
		q := orb.Point{round7(p[0]), round7(p[1])}
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		out = append(out, q)
	}
	if len(out) < 4 || signedArea(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// normalise validates, rounds and orients GeoJSON polygons (ring 0 of each
// polygon exterior, the rest holes).
func normalise(mp orb.MultiPolygon, region bool) (orb.MultiPolygon, error) {
	out := make(orb.MultiPolygon, 0, len(mp))
	for pi, poly := range mp {
		if len(poly) == 0 {
			return nil, fmt.Errorf("polygon %d has no rings", pi)
		}
		var np orb.Polygon
		for ri, ring := range poly {
			r, err := cleanRing(ring, region, ri)
			if err != nil {
				if len(mp) > 1 {
					return nil, fmt.Errorf("polygon %d: %w", pi, err)
				}
				return nil, err
			}
			if r == nil {
				if ri == 0 {
					break // exterior has no area: drop the polygon
				}
				continue
			}
			np = append(np, r)
		}
		if len(np) > 0 {
			orient(np)
			out = append(out, np)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("geometry has no area")
	}
	return out, nil
}

// signedArea is the shoelace area in square degrees; positive for
// counter-clockwise rings.
func signedArea(r orb.Ring) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += (r[i][0] - r[0][0]) * (r[i+1][1] - r[0][1])
		s -= (r[i+1][0] - r[0][0]) * (r[i][1] - r[0][1])
	}
	return s / 2
}

// orient makes the exterior ring counter-clockwise and holes clockwise.
func orient(p orb.Polygon) {
	for i, r := range p {
		a := signedArea(r)
		if (i == 0 && a < 0) || (i > 0 && a > 0) {
			slices.Reverse(r)
		}
	}
}

// ringContains is an even-odd point-in-ring test.
func ringContains(r orb.Ring, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// ---------------------------------------------------------------- provinces

type province struct {
	name, country string
	aliases       []string // normalised keys of name and alt_names
	geom          orb.MultiPolygon
	index         *scanIndex
}

func (in *installer) loadProvinces() ([]*province, string, error) {
	b, err := fs.ReadFile(in.opt.Provinces, provincesName)
	if err != nil {
		return nil, "", &InstallError{File: provincesName, Err: fmt.Errorf("provinces layer: %w", err)}
	}
	sum := sha256.Sum256(b)
	feats, err := decodeGeoJSON(provincesName, b, false)
	if err != nil {
		return nil, "", err
	}
	var out []*province
	for i := range feats {
		f := &feats[i]
		name, err := f.required(provincesName, "name")
		if err != nil {
			return nil, "", err
		}
		country, err := f.required(provincesName, "country")
		if err != nil {
			return nil, "", err
		}
		p := &province{name: name, country: country, geom: f.geom, aliases: []string{nameKey(name)}}
		if alts, ok := f.props["alt_names"].([]any); ok {
			for _, a := range alts {
				if s, ok := a.(string); ok && s != "" {
					p.aliases = append(p.aliases, nameKey(s))
				}
			}
		}
		out = append(out, p)
	}
	return out, hex.EncodeToString(sum[:]), nil
}

// nameKey folds a name for matching: lower case letters and digits only.
func nameKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pakProvinceAliases lists, for each Pakistani province or territory, its
// canonical name (as used in provinces.geojson) followed by the keys
// (nameKey) of the spellings it goes by, including the OCHA ADM1_EN values.
func pakProvinceAliases() [][]string {
	return [][]string{
		{"Khyber Pakhtunkhwa", "khyberpakhtunkhwa", "kp", "kpk", "nwfp", "northwestfrontierprovince"},
		{"Balochistan", "balochistan", "baluchistan"},
		{"Punjab", "punjab"},
		{"Sindh", "sindh", "sind"},
		{"Gilgit-Baltistan", "gilgitbaltistan", "northernareas"},
		{"Azad Kashmir", "azadkashmir", "azadjammuandkashmir", "ajk", "ajandk"},
		{"Islamabad", "islamabad", "islamabadcapitalterritory", "ict", "fct", "federalcapitalterritory"},
	}
}

// pakProvince resolves an OCHA ADM1_EN value to the name of a PAK province
// in provs, or to the canonical spelling (found=false) if none matches.
func pakProvince(adm1 string, provs []*province) (name string, found bool) {
	keys := []string{nameKey(adm1)}
	canonical := adm1
	for _, al := range pakProvinceAliases() {
		if slices.Contains(al[1:], keys[0]) {
			canonical, keys = al[0], al[1:]
			break
		}
	}
	for _, p := range provs {
		if p.country != "PAK" {
			continue
		}
		for _, k := range keys {
			if slices.Contains(p.aliases, k) {
				return p.name, true
			}
		}
	}
	return canonical, false
}

func (in *installer) assignPAKProvinces(ds []*district, provs []*province) {
	var unmatched []string
	for _, d := range ds {
		name, ok := pakProvince(d.province, provs)
		if !ok && !slices.Contains(unmatched, d.province) {
			unmatched = append(unmatched, d.province)
			in.warn("PAK: ADM1_EN %q matches no PAK province in %s; districts keep the name %q", d.province, provincesName, name)
		}
		d.province = name
	}
}

// provinceCorrection sets the province of one geoBoundaries district whose
// largest overlap with the provinces layer is known to be wrong: Natural
// Earth's province lines are coarser than the district lines, and for a
// few districts split almost evenly between two provinces the larger part
// is on the wrong side.
type provinceCorrection struct {
	shapeID string
	keys    []string // nameKey spellings of the province
	reason  string
}

func afgProvinceCorrections() []provinceCorrection {
	return []provinceCorrection{
		{"17698898B48544319080592", []string{"khost", "khowst"},
			"Mosa Khail (Musa Khel) is a district of Khost"},
		{"17698898B88117199286775", []string{"wardak", "maidanwardak", "wardag"},
			"this Jaghatu is the Wardak district (Ghazni's is \"Bahrami Shahid (Jaghatu)\")"},
	}
}

// assignAFGProvinces gives each Afghan district the AFG province it
// overlaps most (largest intersection area; ties go to the first name in
// alphabetical order), except for the districts in afgProvinceCorrections.
// Areas are integrated along horizontal scan lines: on each line the
// district's and the province's inside intervals are intersected exactly,
// and line lengths are weighted by cos(latitude). It returns the
// corrections applied, as text.
func (in *installer) assignAFGProvinces(ds []*district, provs []*province) []string {
	var afg []*province
	for _, p := range provs {
		if p.country == "AFG" {
			if p.index == nil {
				p.index = newScanIndex(p.geom)
			}
			afg = append(afg, p)
		}
	}
	slices.SortStableFunc(afg, func(a, b *province) int { return strings.Compare(a.name, b.name) })
	var applied []string
	for _, d := range ds {
		ov := overlaps(d.geom, afg)
		if len(ov) == 0 {
			in.warn("AFG district %s (%s) overlaps no AFG province; province left empty", d.id, d.name)
			continue
		}
		d.province = ov[0].p.name
		split := fmt.Sprintf("%.0f %% in %s", ov[0].share*100, ov[0].p.name)
		if len(ov) > 1 && ov[1].share > 0.05 {
			split += fmt.Sprintf(", %.0f %% in %s", ov[1].share*100, ov[1].p.name)
		}
		if c, p := correctionFor(d, afg); p != nil {
			if p.name != d.province {
				d.province = p.name
				msg := fmt.Sprintf("%s (%s): province %s, not %s by overlap (%s): %s", d.id, d.name, p.name, ov[0].p.name, split, c.reason)
				applied = append(applied, msg)
				in.note("corrected %s", msg)
			}
			continue
		}
		if ov[0].share < 0.6 {
			in.note("AFG district %s (%s): ambiguous overlap, %s; assigned %s", d.id, d.name, split, d.province)
		}
	}
	return applied
}

func correctionFor(d *district, afg []*province) (provinceCorrection, *province) {
	for _, c := range afgProvinceCorrections() {
		if d.source != sourceGeoBoundaries || d.sourceID != c.shapeID {
			continue
		}
		for _, p := range afg {
			for _, k := range c.keys {
				if slices.Contains(p.aliases, k) {
					return c, p
				}
			}
		}
	}
	return provinceCorrection{}, nil
}

type overlap struct {
	p     *province
	share float64 // of the district's area
}

// overlaps returns the candidates that overlap mp, largest overlap first
// (ties in candidate order).
func overlaps(mp orb.MultiPolygon, cands []*province) []overlap {
	b := mp.Bound()
	var near []*province
	for _, p := range cands {
		if p.index.bound.Intersects(b) {
			near = append(near, p)
		}
	}
	if len(near) == 0 {
		return nil
	}
	di := newScanIndex(mp)
	h := b.Max[1] - b.Min[1]
	n := max(scanMinLines, int(math.Ceil(h/scanMaxStep)))
	step := h / float64(n)
	areas := make([]float64, len(near))
	var total float64
	var dx, px []float64
	for k := 0; k < n; k++ {
		y := b.Min[1] + (float64(k)+0.5)*step
		dx = di.crossings(y, dx)
		if len(dx) == 0 {
			continue
		}
		w := math.Cos(y * math.Pi / 180)
		total += spanLength(dx) * w
		for i, p := range near {
			px = p.index.crossings(y, px)
			areas[i] += overlapLength(dx, px) * w
		}
	}
	var out []overlap
	for i, a := range areas {
		if a > 0 && total > 0 {
			out = append(out, overlap{near[i], a / total})
		}
	}
	slices.SortStableFunc(out, func(a, b overlap) int {
		switch {
		case a.share > b.share:
			return -1
		case a.share < b.share:
			return 1
		}
		return 0
	})
	return out
}

type edge struct{ x0, y0, x1, y1 float64 } // y0 < y1

// scanIndex buckets the non-horizontal edges of a MultiPolygon by latitude
// band, for fast scan-line crossings.
type scanIndex struct {
	bound orb.Bound
	bands [][]edge
}

func newScanIndex(mp orb.MultiPolygon) *scanIndex {
	b := mp.Bound()
	ix := &scanIndex{bound: b}
	n := int((b.Max[1]-b.Min[1])/scanBand) + 1
	ix.bands = make([][]edge, n)
	band := func(y float64) int { return min(n-1, max(0, int((y-b.Min[1])/scanBand))) }
	for _, poly := range mp {
		for _, r := range poly {
			for i := 0; i+1 < len(r); i++ {
				p, q := r[i], r[i+1]
				if p[1] == q[1] {
					continue
				}
				if p[1] > q[1] {
					p, q = q, p
				}
				e := edge{p[0], p[1], q[0], q[1]}
				for k := band(e.y0); k <= band(e.y1); k++ {
					ix.bands[k] = append(ix.bands[k], e)
				}
			}
		}
	}
	return ix
}

// crossings returns the sorted x coordinates where the line at latitude y
// crosses the edges; consecutive pairs are inside intervals (even-odd).
func (ix *scanIndex) crossings(y float64, xs []float64) []float64 {
	xs = xs[:0]
	if y < ix.bound.Min[1] || y >= ix.bound.Max[1] {
		return xs
	}
	k := min(len(ix.bands)-1, int((y-ix.bound.Min[1])/scanBand))
	for _, e := range ix.bands[k] {
		if e.y0 <= y && y < e.y1 {
			xs = append(xs, e.x0+(y-e.y0)*(e.x1-e.x0)/(e.y1-e.y0))
		}
	}
	slices.Sort(xs)
	if len(xs)%2 == 1 {
		xs = xs[:len(xs)-1]
	}
	return xs
}

func spanLength(xs []float64) float64 {
	var s float64
	for i := 0; i+1 < len(xs); i += 2 {
		s += xs[i+1] - xs[i]
	}
	return s
}

// overlapLength is the total length of the intersection of two sorted
// lists of disjoint intervals (pairs of x).
func overlapLength(a, b []float64) float64 {
	var s float64
	for i, j := 0, 0; i+1 < len(a) && j+1 < len(b); {
		lo, hi := max(a[i], b[j]), min(a[i+1], b[j+1])
		if hi > lo {
			s += hi - lo
		}
		if a[i+1] < b[j+1] {
			i += 2
		} else {
			j += 2
		}
	}
	return s
}

// ---------------------------------------------------------------- output

type districtProps struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Province string `json:"province"`
	Country  string `json:"country"`
	Source   string `json:"source"`
	SourceID string `json:"source_id"`
	// Administration is AdministrationNote for the districts of Azad
	// Kashmir and Gilgit-Baltistan, else empty (and left out).
	Administration string `json:"administration,omitempty"`
}

// encodeDistricts writes the FeatureCollection, one feature per line.
func encodeDistricts(ds []*district) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, d := range ds {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n{\"type\":\"Feature\",\"id\":")
		writeJSONValue(&buf, d.id)
		buf.WriteString(`,"properties":`)
		writeJSONValue(&buf, districtProps{d.id, d.name, d.province, d.country, d.source, d.sourceID, d.administration})
		buf.WriteString(`,"geometry":{"type":"MultiPolygon","coordinates":`)
		appendMultiPolygon(&buf, d.geom)
		buf.WriteString("}}")
	}
	buf.WriteString("\n]}\n")
	return buf.Bytes()
}

func writeJSONValue(buf *bytes.Buffer, v any) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)           // strings and flat structs of strings cannot fail
	buf.Truncate(buf.Len() - 1) // Encode's newline
}

func appendMultiPolygon(buf *bytes.Buffer, mp orb.MultiPolygon) {
	var num []byte
	buf.WriteByte('[')
	for i, poly := range mp {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('[')
		for j, r := range poly {
			if j > 0 {
				buf.WriteByte(',')
			}
			buf.WriteByte('[')
			for k, p := range r {
				if k > 0 {
					buf.WriteByte(',')
				}
				buf.WriteByte('[')
				num = strconv.AppendFloat(num[:0], p[0], 'f', -1, 64)
				buf.Write(num)
				buf.WriteByte(',')
				num = strconv.AppendFloat(num[:0], p[1], 'f', -1, 64)
				buf.Write(num)
				buf.WriteByte(']')
			}
			buf.WriteByte(']')
		}
		buf.WriteByte(']')
	}
	buf.WriteByte(']')
}

// Provenance, in the layout of provenance.json (see data/SCHEMA.md) with a
// few additions (files, commit, features).

type provenanceDoc struct {
	Layers []provenanceLayer `json:"layers"`
}

type provenanceLayer struct {
	Layer               string           `json:"layer"`
	Country             string           `json:"country"`
	Source              string           `json:"source"`
	Package             string           `json:"package"`
	Commit              string           `json:"commit"`
	Input               string           `json:"input"`
	InputSHA256         string           `json:"input_sha256"`
	Files               []provenanceFile `json:"files"`
	Features            int              `json:"features"`
	Licence             string           `json:"licence"`
	Attribution         string           `json:"attribution"`
	Transformation      string           `json:"transformation"`
	ProvincesSHA256     string           `json:"provinces_sha256,omitempty"`
	ProvinceAssignment  string           `json:"province_assignment"`
	ProvinceCorrections []string         `json:"province_corrections,omitempty"`
}

type provenanceFile struct {
	Path   string `json:"path"`
	URL    string `json:"url,omitempty"` // pinned upstream URL; empty for local conversions
	SHA256 string `json:"sha256"`
	Pin    string `json:"pin"` // see InputReport.Pin
}

func (in *installer) provenance(set *inputSet, provSum string, nAFG, nPAK int, corrections []string) ([]byte, error) {
	pf := func(f *inputFile) provenanceFile {
		out := provenanceFile{Path: f.name, SHA256: f.sum, Pin: "unpinned"}
		if f.pin != nil {
			out.URL = f.pin.URL("")
			out.Path = f.pin.Path
			out.Pin = "verified"
			if f.pin.SHA256 != f.sum {
				out.Pin = "mismatch"
			}
		}
		return out
	}
	afg := provenanceLayer{
		Layer:   "districts",
		Country: "AFG",
		Source: "geoBoundaries gbOpen AFG ADM2 (boundaryID AFG-ADM2-17698898, build 2023-12-12), boundaries of 2014 by " +
			"Afghanistan Information Management Services and Esri Disaster Response Program",
		Package:  "https://github.com/" + afgRepo + "/tree/" + afgCommit,
		Commit:   afgCommit,
		Features: nAFG,
		Licence: "geoBoundaries data products: CC BY 4.0; this boundary's own licence per its geoBoundaries metadata: " +
			"Public Domain",
		Attribution: "Administrative boundaries courtesy of geoBoundaries (www.geoboundaries.org): Runfola, D. et al. (2020) " +
			"geoBoundaries: A global database of political administrative boundaries. PLoS ONE 15(4): e0231866. " +
			"Boundary source: Afghanistan Information Management Services, Esri Disaster Response Program.",
		ProvincesSHA256: provSum,
		ProvinceAssignment: "the AFG province of provinces.geojson with the largest overlap area (horizontal scan lines at most " +
			strconv.FormatFloat(scanMaxStep, 'f', -1, 64) + " degrees apart, at least " + strconv.Itoa(scanMinLines) +
			" per district, interval lengths weighted by cos(latitude)), except where corrected (see province_corrections)",
		ProvinceCorrections: corrections,
	}
	if set.afgGeoJSON != nil {
		afg.Input, afg.InputSHA256 = set.afgGeoJSON.name, set.afgGeoJSON.sum
		afg.Files = []provenanceFile{pf(set.afgGeoJSON)}
		afg.Transformation = "Read " + afgGeoJSONName + " (a GeoJSON conversion of the full-resolution shapefile " +
			"made outside this program; it has no upstream checksum). "
	} else {
		afg.Input, afg.InputSHA256 = set.afgShp.name, set.afgShp.sum
		afg.Files = []provenanceFile{pf(set.afgShp), pf(set.afgDbf)}
		afg.Transformation = "Read the full-resolution shapefile (" + afgShpName + " with " + afgDbfName + "); " +
			"rings grouped into polygons (each hole to the smallest outer ring containing it). "
	}
	afg.Transformation += "Coordinates rounded to 7 decimals and repeated points removed; rings re-oriented per RFC 7946 " +
		"(exterior counter-clockwise, holes clockwise); every geometry written as a MultiPolygon. " +
		"id = \"AFG-\" + shapeID, name = shapeName, source_id = shapeID, province by overlap (see province_assignment). " +
		"Other properties dropped; features sorted by id."
	pak := provenanceLayer{
		Layer:   "districts",
		Country: "PAK",
		Source: "OCHA Common Operational Dataset – Administrative Boundaries (COD-AB) Pakistan, admin level 2, layer " +
			"pak_admbnda_adm2_wfp_20220909, as simplified (about 5 % of vertices) in GitHub repository " + pakRepo,
		Package:     "https://github.com/" + pakRepo + "/tree/" + pakCommit,
		Commit:      pakCommit,
		Input:       set.pak.name,
		InputSHA256: set.pak.sum,
		Files:       []provenanceFile{pf(set.pak)},
		Features:    nPAK,
		Licence: "OCHA COD-AB via HDX: normally CC BY-IGO (unverified for this layer); the simplifying repository " +
			"is CC0 1.0",
		Attribution: "Administrative boundaries: OCHA, WFP, via the Humanitarian Data Exchange (HDX) COD-AB Pakistan; " +
			"simplified by the tiimaar-assets project.",
		ProvincesSHA256: provSum,
		ProvinceAssignment: "ADM1_EN matched by name to the PAK provinces of provinces.geojson (name or alt_names; " +
			"\"Gilgit Baltistan\" is Gilgit-Baltistan)",
		Transformation: "Coordinates rounded to 7 decimals and repeated points removed; rings re-oriented per RFC 7946; " +
			"every geometry written as a MultiPolygon. id = \"PAK-\" + ADM2_PCODE, name = ADM2_EN, source_id = that P-code. " +
			"The unit with ADM1_PCODE " + IndianAdministeredPCode + " (\"Jammu & Kashmir\", Indian-administered, with Srinagar " +
			"and Jammu) is left out: it is not administered by Pakistan. Districts of Azad Kashmir and Gilgit Baltistan " +
			"(ADM1_PCODE PK1, PK3) carry an administration property: " + AdministrationNote + " Other properties " +
			"(including the repository owner's added columns) dropped; features sorted by id.",
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(provenanceDoc{Layers: []provenanceLayer{afg, pak}}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type namedData struct {
	name string
	data []byte
}

// writeFiles writes each file to a temporary file in dir, then renames them
// into place in order. Temporary files are removed on failure.
func writeFiles(dir string, files []namedData) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &InstallError{File: dir, Err: err}
	}
	var tmps []string
	defer func() {
		for _, t := range tmps {
			os.Remove(t) // no-op once renamed
		}
	}()
	for _, f := range files {
		t, err := os.CreateTemp(dir, "."+f.name+".*.tmp")
		if err != nil {
			return &InstallError{File: filepath.Join(dir, f.name), Err: err}
		}
		tmps = append(tmps, t.Name())
		_, err = t.Write(f.data)
		if err == nil {
			err = t.Sync()
		}
		if cerr := t.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(t.Name(), 0o644)
		}
		if err != nil {
			return &InstallError{File: filepath.Join(dir, f.name), Err: err}
		}
	}
	for i, f := range files {
		if err := os.Rename(tmps[i], filepath.Join(dir, f.name)); err != nil {
			return &InstallError{File: filepath.Join(dir, f.name), Err: err}
		}
	}
	return nil
}
