// Command build regenerates the default dataset embedded by package data
// (border.geojson, countries.geojson, provinces.geojson, crossings.geojson,
// provenance.json and README.md) from pinned registry packages in
// node_modules, the curated data/crossings.csv and, for the derived
// crossing positions only, the district layers in the shared data folder.
//
// Usage:
//
//	go run ./data/build [-node-modules DIR] [-shared DIR] [-out DIR] [-crossings FILE] [-check] [--json]
//
// With -check nothing is written: the files are rebuilt in memory and
// compared byte for byte with those in -out; the command exits with status
// 1 and lists the files that differ. Progress goes to stderr; --json prints
// a machine-readable summary on stdout.
//
// Units: coordinates are WGS84 longitude/latitude degrees rounded to 7
// decimals; lengths and distances are geodesic metres on WGS84 (Karney),
// chainage in kilometres with 3 decimals.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// config holds the command-line settings.
type config struct {
	NodeModules string
	Shared      string
	Out         string
	Crossings   string
	Check       bool
	JSON        bool
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.NodeModules, "node-modules", "node_modules", "directory holding the installed registry packages")
	fs.StringVar(&cfg.Shared, "shared", filepath.Join("..", "shared", "data"), "directory holding the district layers used for derived crossings")
	fs.StringVar(&cfg.Out, "out", "data", "directory the data files are written to (or compared with under -check)")
	fs.StringVar(&cfg.Crossings, "crossings", filepath.Join("data", "crossings.csv"), "the curated crossings table")
	fs.BoolVar(&cfg.Check, "check", false, "rebuild in memory and report files that differ from those in -out")
	fs.BoolVar(&cfg.JSON, "json", false, "print a machine-readable summary on stdout")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	start := time.Now()
	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, "[%5.1fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, a...))
	}
	res, err := build(cfg, logf)
	if err != nil {
		fmt.Fprintf(stderr, "build: %v\n", err)
		return 1
	}
	status := 0
	var differ []string
	if cfg.Check {
		differ, err = compareFiles(cfg.Out, res.Files)
		if err != nil {
			fmt.Fprintf(stderr, "build: %v\n", err)
			return 1
		}
		for _, name := range differ {
			fmt.Fprintf(stderr, "differs: %s\n", filepath.ToSlash(filepath.Join(cfg.Out, name)))
		}
		if len(differ) > 0 {
			status = 1
		} else {
			logf("check: all %d files are up to date", len(res.Files))
		}
	} else {
		for _, f := range res.Files {
			if err := os.WriteFile(filepath.Join(cfg.Out, f.Name), f.Data, 0o644); err != nil {
				fmt.Fprintf(stderr, "build: %v\n", err)
				return 1
			}
			logf("wrote %s (%d bytes)", filepath.ToSlash(filepath.Join(cfg.Out, f.Name)), len(f.Data))
		}
	}
	logf("done in %.1f s", time.Since(start).Seconds())
	if cfg.JSON {
		res.Summary.Check = cfg.Check
		res.Summary.Differ = differ
		if res.Summary.Differ == nil {
			res.Summary.Differ = []string{}
		}
		res.Summary.Seconds = float64(time.Since(start).Milliseconds()) / 1000
		b, err := json.MarshalIndent(res.Summary, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "build: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", b)
	}
	return status
}

// compareFiles returns the names of files whose content in dir differs
// from (or is missing compared with) the built files.
func compareFiles(dir string, files []outFile) ([]string, error) {
	var differ []string
	for _, f := range files {
		old, err := os.ReadFile(filepath.Join(dir, f.Name))
		if errors.Is(err, os.ErrNotExist) {
			differ = append(differ, f.Name)
			continue
		}
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(old, f.Data) {
			differ = append(differ, f.Name)
		}
	}
	return differ, nil
}
