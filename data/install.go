package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/durandline/durand/geo"
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
