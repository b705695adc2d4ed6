package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo/geotest"
)

// The traps a new user met in the first minutes with the CLI, one test
// each (issue 15): every one of them failed on the code before the fix.

// TestFlagsAfterArguments: flags may follow the arguments, and a negative
// coordinate is an argument, not a flag, without `--`.
func TestFlagsAfterArguments(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		json    bool
		country string
	}{
		{"json after", []string{"locate", "66.39", "31.00", "--json"}, true, "AFG"},
		{"json between", []string{"locate", "66.39", "--json", "31.00"}, true, "AFG"},
		{"json before", []string{"locate", "--json", "66.39", "31.00"}, true, "AFG"},
		{"negative longitude", []string{"locate", "-70", "33"}, false, ""},
		{"negative latitude, json after", []string{"locate", "66.39", "-31", "--json"}, true, ""},
		{"negative after --", []string{"locate", "--json", "--", "-70", "33"}, true, ""},
		{"data-dir after", []string{"locate", "66.39", "31.00", "--data-dir", "", "--json"}, true, "AFG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCmd(t, tt.args...)
			if code != 0 {
				t.Fatalf("durand %s: exit %d: %s", strings.Join(tt.args, " "), code, stderr)
			}
			if !tt.json {
				if !strings.Contains(out, "outside Afghanistan and Pakistan") {
					t.Errorf("output %q", out)
				}
				return
			}
			var loc struct {
				Country string `json:"country"`
			}
			if err := json.Unmarshal([]byte(out), &loc); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			if loc.Country != tt.country {
				t.Errorf("country %q, want %q", loc.Country, tt.country)
			}
		})
	}
	// A flag's value may start with a minus sign; unknown flags are still
	// errors wherever they stand.
	if code, _, stderr := runCmd(t, "locate", "66.39", "31.00", "--nope"); code != 2 || !strings.Contains(stderr, "flag provided but not defined: -nope") {
		t.Errorf("unknown flag after the arguments: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, "tiles", "--out", "x.pmtiles", "--minzoom", "-1"); code != 2 || !strings.Contains(stderr, "zoom range -1") {
		t.Errorf("negative flag value: exit %d, %q", code, stderr)
	}
}

// TestOneErrorPrefix: an error line names the command once ("durand
// export: …"), not again through the package's own prefix ("durand
// export: export: …").
func TestOneErrorPrefix(t *testing.T) {
	dir := t.TempDir()
	tests := [][]string{
		{"export", "--layer", "crossings", "--out", filepath.Join(dir, "missing", "x.gpkg")},
		{"export", "--layer", "crossings", "--out", filepath.Join(dir, "missing", "x.csv")},
		{"data", "install", "--from", filepath.Join(dir, "missing"), "--dir", filepath.Join(dir, "d")},
		{"tiles", "--out", filepath.Join(dir, "missing", "x.pmtiles"), "--maxzoom", "1", "--layers", "border"},
		{"info", "--data-dir", filepath.Join(dir, "missing")},
	}
	for _, args := range tests {
		code, _, stderr := runCmd(t, args...)
		if code == 0 {
			t.Errorf("durand %s: exit 0", strings.Join(args, " "))
			continue
		}
		line := strings.TrimSpace(stderr[strings.LastIndex(strings.TrimSpace(stderr), "\n")+1:])
		prefix := "durand " + args[0] + ": "
		rest := strings.TrimPrefix(line, prefix)
		if !strings.HasPrefix(line, prefix) || slices.ContainsFunc(append(packagePrefixes(), args[0]), func(p string) bool { return strings.HasPrefix(rest, p+": ") }) {
			t.Errorf("durand %s: error line %q repeats its prefix", strings.Join(args, " "), line)
		}
	}
	if got := errorText("export", &usageError{"export: export: open x: no such file"}); got != "open x: no such file" {
		t.Errorf("errorText = %q", got)
	}
}

// TestJSONEverywhere: every command and subcommand that prints takes
// --json, and what it then prints on standard output is one JSON value.
func TestJSONEverywhere(t *testing.T) {
	for _, args := range [][]string{{"info"}, {"locate"}, {"serve"}, {"export"}, {"tiles"}, {"data", "install"}, {"data", "path"}, {"db", "load"}, {"db", "dump"}} {
		_, _, stderr := runCmd(t, append(args, "-h")...)
		if !strings.Contains(stderr, "-json") {
			t.Errorf("durand %s -h lists no -json flag:\n%s", strings.Join(args, " "), stderr)
		}
	}
	dir := t.TempDir()
	for _, args := range [][]string{
		{"info", "--json"},
		{"locate", "66.39", "31.00", "--json"},
		{"data", "path", "--json"},
		{"export", "--layer", "crossings", "--out", filepath.Join(dir, "c.csv"), "--json"},
		{"tiles", "--out", filepath.Join(dir, "b.pmtiles"), "--maxzoom", "2", "--layers", "border", "--json"},
	} {
		code, out, stderr := runCmd(t, args...)
		var v map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &v) != nil || len(v) == 0 {
			t.Errorf("durand %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, out, stderr)
		}
	}
	if code, _, stderr := runCmd(t, "export", "--layer", "crossings", "--format", "csv", "--out", "-", "--json"); code != 2 || !strings.Contains(stderr, "--json needs --out FILE") {
		t.Errorf("export --out - --json: exit %d, %q", code, stderr)
	}
	// data path --json tells whether districts are installed there.
	t.Setenv("DURAND_DATA_DIR", dir)
	var out strings.Builder
	if err := runDataPath([]string{"--json"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var p dataPathReport
	if err := json.Unmarshal([]byte(out.String()), &p); err != nil || p.Dir != dir || !p.Exists || p.DistrictsInstalled {
		t.Errorf("data path --json: %+v %v", p, err)
	}
}

// TestServeBanner: durand serve says how many collections it serves (the
// number /collections lists, computed layers included), where the map is
// and where MapLibre comes from; with --json the same as one JSON object
// on standard output. Run from inside the repository after `npm ci`, it
// finds MapLibre in node_modules by itself.
func TestServeBanner(t *testing.T) {
	pr, pw := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--no-warmup", "--json"}, outW, pw)
		pw.Close()
		outW.Close()
	}()
	defer func() { cancel(); <-done }()
	sc := bufio.NewScanner(pr)
	var lines []string
	for len(lines) < 2 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	go func() {
		for sc.Scan() {
		}
	}()
	var banner serveBanner
	if err := json.NewDecoder(outR).Decode(&banner); err != nil {
		t.Fatalf("serve --json: %v (stderr %q)", err, lines)
	}
	go io.Copy(io.Discard, outR)
	resp, err := http.Get(strings.TrimSuffix(banner.Listen, "/") + "/collections")
	if err != nil {
		t.Fatal(err)
	}
	var colls struct {
		Collections []struct{ ID string } `json:"collections"`
	}
	err = json.NewDecoder(resp.Body).Decode(&colls)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if banner.Collections != len(colls.Collections) || banner.Collections < 6 {
		t.Errorf("banner says %d collections, /collections lists %d", banner.Collections, len(colls.Collections))
	}
	if len(lines) < 2 || !strings.Contains(lines[0], "serving "+strconv.Itoa(len(colls.Collections))+" collections on "+banner.Listen) ||
		!strings.Contains(lines[1], banner.Map) || !strings.Contains(lines[1], banner.Landing) {
		t.Errorf("banner lines %q do not match %+v", lines, banner)
	}
	// From the repository with node_modules installed, the local copy is
	// found; without it, the banner says to run npm ci.
	if _, err := os.Stat(filepath.Join(geotest.RepoRoot(t), "node_modules", "maplibre-gl", "package.json")); err == nil {
		if !strings.Contains(banner.MapLibre, filepath.Join("node_modules", "maplibre-gl", "dist")) {
			t.Errorf("MapLibre from %q, want the repository's node_modules", banner.MapLibre)
		}
		resp, err := http.Get(strings.TrimSuffix(banner.Listen, "/") + "/vendor/maplibre/maplibre-gl.mjs")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("the local MapLibre is not served: %d", resp.StatusCode)
		}
	} else if !strings.Contains(banner.MapLibre, "npm ci") {
		t.Errorf("without node_modules the banner does not say how to get MapLibre: %q", banner.MapLibre)
	}
}

// TestTilesDefaults: `durand tiles --out FILE` writes zooms 0-10 by
// default, to a file readable by everyone (0644, as exports; a web server
// serving it must be able to read it), with plain progress lines when
// stderr is not a terminal, and counts that agree between the progress
// and the summary. (A box around Chaman keeps it short; TestTilesDefaultSize
// writes the whole default archive.)
func TestTilesDefaults(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{"pmtiles", "mbtiles"} {
		t.Run(ext, func(t *testing.T) {
			out := filepath.Join(dir, "durand."+ext)
			args := []string{"--out", out, "--bbox", "66.3,30.8,66.6,31.1", "--layers", "border,countries,crossings"}
			if ext == "mbtiles" {
				args = append(args, "--maxzoom", "3") // the mode only
			}
			sum, stderr := runTilesJSON(t, args...)
			fi, err := os.Stat(out)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o644 {
				t.Errorf("%s created with mode %v, want 0644", out, fi.Mode().Perm())
			}
			if strings.Contains(stderr, "\r") {
				t.Errorf("carriage returns in the progress written to a non-terminal: %q", stderr)
			}
			if ext == "mbtiles" {
				return
			}
			if sum.MaxZoom != tilesDefaultMaxZoom || sum.MinZoom != 0 {
				t.Errorf("default zooms %d–%d", sum.MinZoom, sum.MaxZoom)
			}
			// The last progress line and the summary give the same counts.
			m := regexp.MustCompile(`100% (\d+)/(\d+) tiles checked, (\d+) written`).FindStringSubmatch(stderr)
			w := regexp.MustCompile(`wrote (\d+) tiles .*; (\d+) of the (\d+) tiles checked were empty`).FindStringSubmatch(stderr)
			if m == nil || w == nil || m[3] != w[1] || m[2] != w[3] || m[3] != strconv.Itoa(sum.Tiles) || w[2] != strconv.Itoa(sum.Empty) {
				t.Errorf("progress %v and summary %v disagree (tiles %d, empty %d):\n%s", m, w, sum.Tiles, sum.Empty, stderr)
			}
			for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
				if !strings.HasPrefix(l, "durand tiles: ") {
					t.Errorf("progress line %q", l)
				}
			}
		})
	}
}

// TestTilesDefaultSize: the archive `durand tiles --out FILE` writes with
// no other flag is a file of a few MB (zoom 14, the old default, made
// 98 MiB of 510,384 tiles in a minute).
func TestTilesDefaultSize(t *testing.T) {
	geotest.Long(t, "writes the whole default archive, zooms 0-10 of every layer")
	out := filepath.Join(t.TempDir(), "durand.pmtiles")
	sum, _ := runTilesJSON(t, "--out", out)
	if sum.MaxZoom != tilesDefaultMaxZoom || sum.FileBytes < 500<<10 || sum.FileBytes > 10<<20 {
		t.Errorf("default archive: zooms %d-%d, %d bytes; want zooms 0-%d and a few MB", sum.MinZoom, sum.MaxZoom, sum.FileBytes, tilesDefaultMaxZoom)
	}
}

// TestProgressEstimate: no time left is guessed in the first seconds, when
// the first (low-zoom, costly) tiles would make it absurd; later it is
// the time at the rate so far.
func TestProgressEstimate(t *testing.T) {
	est := &tileEstimate{total: 1000}
	var b strings.Builder
	p := newProgress(&b, false, est)
	p.done, p.written = 1, 1
	p.start = time.Now().Add(-200 * time.Millisecond)
	p.draw(false)
	if strings.Contains(b.String(), "left") {
		t.Errorf("a first estimate after 200 ms: %q", b.String())
	}
	b.Reset()
	p.done, p.written = 500, 400
	p.start = time.Now().Add(-10 * time.Second)
	p.draw(false)
	if !strings.Contains(b.String(), "10s left") || strings.Contains(b.String(), "\r") || !strings.Contains(b.String(), "500/1000 tiles checked, 400 written") {
		t.Errorf("halfway after 10 s: %q", b.String())
	}
}
