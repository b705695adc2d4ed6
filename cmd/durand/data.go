package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/durandline/durand/data"
)

const dataUsage = `usage:
  durand data install (--from DIR | --download) [--dir DIR] [--json]
  durand data path [--json]

install builds the district layer (admin level 2: 398 Afghan districts from
geoBoundaries, 160 Pakistani districts from OCHA COD-AB) into the data
directory: districts.geojson and districts.provenance.json.
  --from DIR    read the source files from DIR (top level, or its subfolders
                geoboundaries-afg-adm2/ and ocha-cod-ab-pak-adm2/)
  --download    download the pinned official files and verify their SHA-256
path prints the default data directory ($DURAND_DATA_DIR, else
$XDG_DATA_HOME/durand, else ~/.local/share/durand).
`

// runData implements `durand data install` and `durand data path`.
func runData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, args, stdout, stderr, dataUsage, []subcommand{
		{"install", runDataInstall},
		{"path", func(_ context.Context, args []string, stdout, stderr io.Writer) error {
			return runDataPath(args, stdout, stderr)
		}},
	})
}

func runDataInstall(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := newFlags("data install", stderr)
	from := fset.String("from", "", "directory holding the source files")
	download := fset.Bool("download", false, "download the pinned official files (checksums verified)")
	var dir string
	fset.StringVar(&dir, "dir", "", "target data directory (default: see 'durand data path')")
	fset.StringVar(&dir, "data-dir", "", "same as --dir")
	base := fset.String("download-base", "", "URL base for --download, for a mirror (default "+data.DefaultDownloadBase+")")
	asJSON := fset.Bool("json", false, "print the install report as JSON")
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	if fset.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fset.Arg(0))}
	}
	switch {
	case *from != "" && *download:
		return &usageError{"--from and --download are mutually exclusive"}
	case *from == "" && !*download:
		return &usageError{"need --from DIR (a local copy of the source files) or --download"}
	case *base != "" && !*download:
		return &usageError{"--download-base needs --download"}
	}
	dir, err := resolveDataDir(dir)
	if err != nil {
		return err
	}
	provs, err := provincesFS(dir)
	if err != nil {
		return err
	}
	rep, err := data.Install(ctx, data.InstallOptions{
		From:         *from,
		Download:     *download,
		DownloadBase: *base,
		Dir:          dir,
		Provinces:    provs,
		Progress:     stderr,
	})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	var parts []string
	for _, c := range rep.Countries {
		parts = append(parts, fmt.Sprintf("%s %d from %s", c.Country, c.Districts, c.Source))
	}
	fmt.Fprintf(stdout, "installed %d districts (%s) into %s\n", rep.Districts, strings.Join(parts, ", "), rep.Dir)
	if n := len(rep.Warnings); n > 0 {
		fmt.Fprintf(stdout, "%d warning(s), shown above on stderr\n", n)
	}
	return nil
}

// provincesFS returns the provinces the atlas will use with dir: a
// provinces.geojson in dir overrides the embedded one.
func provincesFS(dir string) (fs.FS, error) {
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return data.Merged(dir)
	}
	return data.FS(), nil
}

// dataPathReport is what `durand data path --json` prints.
type dataPathReport struct {
	Dir                string `json:"dir"`
	Exists             bool   `json:"exists"`
	DistrictsInstalled bool   `json:"districts_installed"`
}

func runDataPath(args []string, stdout, stderr io.Writer) error {
	fset := newFlags("data path", stderr)
	asJSON := fset.Bool("json", false, "print the directory, whether it exists and whether districts are installed there, as JSON")
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	if fset.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fset.Arg(0))}
	}
	dir, err := data.DefaultDir()
	if err != nil {
		return err
	}
	if !*asJSON {
		fmt.Fprintln(stdout, dir)
		return nil
	}
	rep := dataPathReport{Dir: dir}
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		rep.Exists = true
		_, err := os.Stat(filepath.Join(dir, data.InstallDistrictsFile))
		rep.DistrictsInstalled = err == nil
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
