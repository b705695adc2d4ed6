package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/durandline/durand/layers"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
)

// runCmd runs the command line args and returns exit code, stdout, stderr.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("DURAND_DATA_DIR", t.TempDir()+"/none") // never the user's own data
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"no command", nil, 2, "usage: durand"},
		{"help", []string{"help"}, 0, "commands:"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"info bad flag", []string{"info", "--nope"}, 2, "flag provided but not defined"},
		{"info extra arg", []string{"info", "x"}, 2, "unexpected argument"},
		{"locate one arg", []string{"locate", "66"}, 2, "want two arguments"},
		{"locate letters", []string{"locate", "abc", "31"}, 2, "must be numbers"},
		{"locate NaN", []string{"locate", "NaN", "31"}, 2, "coordinate is NaN"},
		{"locate lat 95", []string{"locate", "66", "95"}, 2, "latitude outside"},
		{"locate missing data dir", []string{"locate", "--data-dir", "/nonexistent/durand", "66", "31"}, 1, "/nonexistent/durand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.inStderr)
			}
		})
	}
}

func TestRunInfo(t *testing.T) {
	code, out, stderr := runCmd(t, "info")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"border", "crossings", "2611 km commonly cited", "© OpenStreetMap contributors, ODbL", "not installed"} {
		if !strings.Contains(out, want) {
			t.Errorf("info output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCmd(t, "info", "--json")
	var r infoReport
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("info --json: exit %d, %q", code, out)
	}
	counts := map[string]int{}
	for _, l := range r.Layers {
		counts[l.Name] = l.Features
	}
	if counts["border"] != 1 || counts["countries"] != 2 || counts["crossings"] != 10 || counts["provinces"] < 40 {
		t.Errorf("layer counts %v", counts)
	}
	// Every layer served is listed with its count and licence: the
	// crisis layers too.
	a := defaultAtlas(t)
	for _, name := range layers.Layers(a) {
		l, err := layers.FromAtlas(a, name)
		if err != nil {
			t.Fatal(err)
		}
		if counts[name] != len(l.Features) {
			t.Errorf("info counts %d %s, the layer has %d", counts[name], name, len(l.Features))
		}
	}
	for _, l := range r.Layers {
		if l.Licence == "" {
			t.Errorf("info gives %s no licence", l.Name)
		}
	}
	for _, name := range []string{"events", "zones", "crossing_status"} {
		if _, ok := counts[name]; !ok {
			t.Errorf("info does not list %s", name)
		}
	}
	if r.CitedLengthKm != geo.CitedBorderLengthKm || r.BorderLengthKm < 2600 || len(r.Sources) == 0 {
		t.Errorf("report %+v", r)
	}
}

func TestRunLocate(t *testing.T) {
	code, out, stderr := runCmd(t, "locate", "66.39", "31.00")
	if code != 0 || !strings.Contains(out, "Afghanistan") || !strings.Contains(out, "Kandahar") || !strings.Contains(out, "Chaman") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = runCmd(t, "locate", "--json", "--", "66.45", "30.92")
	var loc geo.Location
	if code != 0 || json.Unmarshal([]byte(out), &loc) != nil || loc.Country != "PAK" || loc.Province != "Balochistan" {
		t.Fatalf("locate --json: exit %d %q", code, out)
	}
	// Negative coordinates need -- before them, like any flag-like argument.
	code, out, _ = runCmd(t, "locate", "--json", "--", "-70", "-30")
	if code != 0 || !strings.Contains(out, `"country": ""`) {
		t.Errorf("locate far away: exit %d %q", code, out)
	}
}

// defaultAtlas returns a new embedded atlas whose zone buffers come from
// the command's cache (zoneCache: the test binary's own directory, see
// geotest.Main), as the command's atlases do: the zones of the runs are
// traced once.
func defaultAtlas(t testing.TB) *geo.Atlas {
	t.Helper()
	a, err := data.Default()
	if err != nil {
		t.Fatal(err)
	}
	if c := zoneCache(); c != nil {
		a.UseBufferCache(c)
	}
	return a
}
