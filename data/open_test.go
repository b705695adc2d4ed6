package data

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo"
)

// installedFixture copies the golden install output (3 AFG and 3 PAK
// districts with their provenance file) into a new data directory.
func installedFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{InstallDistrictsFile, InstallProvenanceFile} {
		b, err := os.ReadFile(filepath.Join("testdata", "install", "golden", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestOpenWithFaults(t *testing.T) {
	districts := func(t *testing.T, dir string) string {
		b, err := os.ReadFile(filepath.Join(dir, InstallDistrictsFile))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	write := func(t *testing.T, dir, name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		fault func(t *testing.T, dir string)
		file  string // the file the error names
		want  string // in the error text
	}{
		{"missing file listed in the provenance", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, InstallDistrictsFile))
		}, InstallDistrictsFile, "missing, though " + InstallProvenanceFile + " is there"},
		{"empty file", func(t *testing.T, dir string) {
			write(t, dir, InstallDistrictsFile, "")
		}, InstallDistrictsFile, "empty file"},
		{"truncated JSON", func(t *testing.T, dir string) {
			s := districts(t, dir)
			write(t, dir, InstallDistrictsFile, s[:len(s)/2])
		}, InstallDistrictsFile, "not a GeoJSON FeatureCollection"},
		{"not JSON at all", func(t *testing.T, dir string) {
			write(t, dir, InstallDistrictsFile, "\x00\x01\x02 binary")
		}, InstallDistrictsFile, "not a GeoJSON FeatureCollection"},
		{"wrong geometry type", func(t *testing.T, dir string) {
			s := districts(t, dir)
			i := strings.Index(s, `{"type":"MultiPolygon"`)
			j := strings.Index(s[i:], "}}") + i + 1
			write(t, dir, InstallDistrictsFile, s[:i]+`{"type":"Point","coordinates":[66.2,31.3]}`+s[j:])
		}, InstallDistrictsFile, "Point"},
		{"invalid coordinates", func(t *testing.T, dir string) {
			write(t, dir, InstallDistrictsFile, strings.Replace(districts(t, dir), "[66.1,31.2]", "[566.1,31.2]", 1))
		}, InstallDistrictsFile, "566.1"},
		{"feature without id", func(t *testing.T, dir string) {
			s := districts(t, dir)
			s = strings.Replace(s, `"id":"AFG-TEST0B1","properties":{"id":"AFG-TEST0B1",`, `"properties":{`, 1)
			write(t, dir, InstallDistrictsFile, s)
		}, InstallDistrictsFile, "no id"},
		{"valid but incomplete", func(t *testing.T, dir string) {
			s := districts(t, dir)
			lines := strings.Split(s, "\n")
			// Drop the first feature (the next one keeps its comma).
			write(t, dir, InstallDistrictsFile, strings.Join(append(lines[:1:1], lines[2:]...), "\n"))
		}, InstallDistrictsFile, "2 AFG features where " + InstallProvenanceFile + " records 3"},
		{"provenance removed", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, InstallProvenanceFile))
		}, InstallDistrictsFile, "installed without " + InstallProvenanceFile},
		{"provenance removed, one feature left", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, InstallProvenanceFile))
			lines := strings.Split(districts(t, dir), "\n")
			write(t, dir, InstallDistrictsFile, lines[0]+"\n"+strings.TrimSuffix(lines[1], ",")+"\n]}\n")
		}, InstallDistrictsFile, "installed without " + InstallProvenanceFile},
		{"provenance without counts", func(t *testing.T, dir string) {
			write(t, dir, InstallProvenanceFile, `{"layers":[{"layer":"districts","source":"mine","licence":"CC BY"}]}`)
		}, InstallProvenanceFile, "records no feature count"},
		{"corrupt provenance", func(t *testing.T, dir string) {
			write(t, dir, InstallProvenanceFile, `{"layers": [`)
		}, InstallProvenanceFile, "unexpected end of JSON input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := installedFixture(t)
			tc.fault(t, dir)
			a, err := OpenWith(dir, OpenOptions{})
			if err == nil {
				t.Fatalf("no error; atlas with %d districts", len(a.Districts()))
			}
			var le *LayerError
			if !errors.As(err, &le) || !errors.Is(err, ErrInvalidLayer) {
				t.Fatalf("error %v (%T) is not a *LayerError", err, err)
			}
			path := filepath.Join(dir, tc.file)
			if le.Layer != geo.LayerDistricts || le.Path != path || !strings.Contains(err.Error(), path) ||
				!strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q: want the layer, %s and %q", err, path, tc.want)
			}
			if a != nil {
				t.Error("an atlas with the error")
			}

			var warnings []error
			a, err = OpenWith(dir, OpenOptions{SkipInvalidLayers: true, Warn: func(err error) { warnings = append(warnings, err) }})
			if err != nil {
				t.Fatalf("with SkipInvalidLayers: %v", err)
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0].Error(), path) || !strings.Contains(warnings[0].Error(), tc.want) {
				t.Errorf("warnings %v", warnings)
			}
			if a.HasDistricts() || len(a.Districts()) != 0 {
				t.Errorf("the skipped layer is served: %d districts", len(a.Districts()))
			}
			if slices.Contains(a.Layers(), geo.LayerDistricts) {
				t.Errorf("the districts layer is there: %v", a.Layers())
			}
			if len(a.Provinces()) == 0 || len(a.Crossings()) == 0 {
				t.Error("the rest of the atlas is missing")
			}
		})
	}
}

func TestOpenWithHealthy(t *testing.T) {
	dir := installedFixture(t)
	warned := false
	a, err := OpenWith(dir, OpenOptions{SkipInvalidLayers: true, Warn: func(error) { warned = true }})
	if err != nil || warned {
		t.Fatalf("OpenWith: %v (warned %v)", err, warned)
	}
	if len(a.Districts()) != 6 {
		t.Errorf("%d districts, want 6", len(a.Districts()))
	}
	// Not installed at all: the embedded atlas, no warning.
	a, err = OpenWith(t.TempDir(), OpenOptions{Warn: func(error) { warned = true }})
	if err != nil || warned || a.HasDistricts() {
		t.Errorf("empty directory: %v, warned %v", err, warned)
	}
	if a, err := OpenWith("", OpenOptions{}); err != nil || a.HasDistricts() {
		t.Errorf("no directory: %v", err)
	}
	if _, err := OpenWith(filepath.Join(t.TempDir(), "none"), OpenOptions{SkipInvalidLayers: true}); err == nil {
		t.Error("no error for a missing data directory")
	}
}

// TestOpenWithRequiredFault: a faulty file of a layer every atlas needs,
// put in the data directory, is an error even with SkipInvalidLayers.
func TestOpenWithRequiredFault(t *testing.T) {
	dir := installedFixture(t)
	if err := os.WriteFile(filepath.Join(dir, geo.FileBorder), []byte(`{"type":"FeatureCollection","features":[`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := OpenWith(dir, OpenOptions{SkipInvalidLayers: true, Warn: func(err error) { t.Errorf("warning %v", err) }})
	if err == nil || !strings.Contains(err.Error(), geo.FileBorder) {
		t.Errorf("error %v, want one naming %s", err, geo.FileBorder)
	}
}

// TestOpenDefault: OpenDefault gives the embedded atlas when the default
// data directory does not exist (nothing installed yet), and adds the
// installed districts when it holds them.
func TestOpenDefault(t *testing.T) {
	t.Setenv("DURAND_DATA_DIR", filepath.Join(t.TempDir(), "never-installed"))
	a, err := OpenDefault()
	if err != nil || a.HasDistricts() {
		t.Fatalf("nothing installed: %v (districts %v), want the embedded atlas and no error", err, a != nil && a.HasDistricts())
	}
	if dir, err := InstalledDir(); err != nil || dir != "" {
		t.Errorf("InstalledDir = %q, %v; want \"\" when the default directory does not exist", dir, err)
	}
	dir := installedFixture(t)
	t.Setenv("DURAND_DATA_DIR", dir)
	a, err = OpenDefault()
	if err != nil || len(a.Districts()) != 6 {
		t.Fatalf("installed: %v, want the 6 installed districts", err)
	}
	// A file where the directory should be is an error, not the embedded atlas.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DURAND_DATA_DIR", file)
	if _, err := OpenDefault(); err == nil {
		t.Error("no error when the default data directory is a file")
	}
	// A faulty installed layer is reported, naming its file.
	if err := os.WriteFile(filepath.Join(dir, InstallDistrictsFile), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DURAND_DATA_DIR", dir)
	if _, err := OpenDefault(); !errors.Is(err, ErrInvalidLayer) || !strings.Contains(err.Error(), InstallDistrictsFile) {
		t.Errorf("faulty install: %v, want ErrInvalidLayer naming %s", err, InstallDistrictsFile)
	}
}

// TestOpenDefaultPreparesZones: OpenDefault starts computing the zones in
// the background, so a program's first zones call does not pay for them.
// The zones of a freshly loaded atlas are first timed (cold); then, given
// an atlas from OpenDefault and that long again without any call,
// PrepareZones (which waits for the zones) must return in a fraction of
// it. Without the background start it computes them then and takes as
// long as the cold run. A machine busy enough to slow the background work
// gets two more tries with longer waits.
func TestOpenDefaultPreparesZones(t *testing.T) {
	t.Setenv("DURAND_DATA_DIR", filepath.Join(t.TempDir(), "never-installed"))
	var waited, cold time.Duration
	for try := 1; try <= 3; try++ {
		fresh, err := Default()
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := fresh.PrepareZones(); err != nil {
			t.Fatal(err)
		}
		cold = time.Since(start)

		a, err := OpenDefault()
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(1<<(try-1))*cold + 100*time.Millisecond)
		start = time.Now()
		if err := a.PrepareZones(); err != nil {
			t.Fatal(err)
		}
		waited = time.Since(start)
		if waited < cold/4 {
			t.Logf("try %d: zones computed in %v from cold; ready after OpenDefault: waited %v", try, cold, waited)
			if zs, err := a.ZonesAt(time.Date(2025, 10, 15, 0, 0, 0, 0, time.UTC)); err != nil || len(zs) == 0 {
				t.Errorf("ZonesAt(15 Oct 2025) after OpenDefault: %d zones, %v", len(zs), err)
			}
			return
		}
	}
	t.Errorf("after OpenDefault and %v idle, the zones still took %v (%v from cold): not computed in the background", 4*cold, waited, cold)
}
