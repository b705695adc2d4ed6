package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo/geotest"
)

// dataFixtures returns a new directory holding the hand-made district
// sources of geotest (in the geoBoundaries and OCHA layouts), for
// `durand data install --from`.
func dataFixtures(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := geotest.WriteDistrictSources(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunDataPath(t *testing.T) {
	t.Setenv("DURAND_DATA_DIR", "/srv/durand-test")
	var out, errb bytes.Buffer
	if err := runData(context.Background(), []string{"path"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if out.String() != "/srv/durand-test\n" {
		t.Errorf("stdout = %q", out.String())
	}
}

func TestRunDataInstallFixtures(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	var out, errb bytes.Buffer
	err := runData(context.Background(), []string{"install", "--from", dataFixtures(t), "--dir", dir, "--json"}, &out, &errb)
	if err != nil {
		t.Fatalf("%v\nstderr: %s", err, errb.String())
	}
	var rep data.InstallReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out.String())
	}
	if rep.Districts != 6 || rep.Dir != dir || len(rep.Files) != 2 {
		t.Errorf("report: %+v", rep)
	}
	if !strings.Contains(errb.String(), "durand data install: writing") {
		t.Errorf("no progress on stderr: %s", errb.String())
	}
	for _, f := range rep.Files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}

	// Plain output, into the same (now existing) directory.
	out.Reset()
	if err := runData(context.Background(), []string{"install", "--from", dataFixtures(t), "--data-dir", dir}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "installed 6 districts (AFG 3 from geoBoundaries, PAK 3 from OCHA COD-AB) into "+dir) {
		t.Errorf("stdout = %q", out.String())
	}
}

func TestRunDataInstallDefaultDir(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DURAND_DATA_DIR", dir)
	if err := runData(context.Background(), []string{"install", "--from", dataFixtures(t)}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, data.InstallDistrictsFile)); err != nil {
		t.Error(err)
	}
}

func TestRunDataErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "tampered") }))
	defer srv.Close()
	tmp := t.TempDir()
	for _, tc := range []struct {
		name  string
		args  []string
		usage bool  // a *usageError
		want  error // or an error matching this
		msg   string
	}{
		{"no subcommand", nil, true, nil, "missing subcommand"},
		{"unknown subcommand", []string{"fetch"}, true, nil, `unknown subcommand "fetch"`},
		{"help", []string{"-h"}, false, flag.ErrHelp, ""},
		{"install help", []string{"install", "-h"}, false, flag.ErrHelp, ""},
		{"neither source", []string{"install", "--dir", tmp}, true, nil, "need --from DIR"},
		{"both sources", []string{"install", "--from", dataFixtures(t), "--download"}, true, nil, "mutually exclusive"},
		{"base without download", []string{"install", "--from", dataFixtures(t), "--download-base", srv.URL}, true, nil, "needs --download"},
		{"bad flag", []string{"install", "--frm", "x"}, true, nil, "flag provided but not defined"},
		{"extra argument", []string{"install", "--from", dataFixtures(t), "extra"}, true, nil, `unexpected argument "extra"`},
		{"path argument", []string{"path", "x"}, true, nil, `unexpected argument "x"`},
		{"missing from", []string{"install", "--from", filepath.Join(tmp, "nope"), "--dir", tmp}, false, os.ErrNotExist, "nope"},
		{"checksum mismatch", []string{"install", "--download", "--download-base", srv.URL, "--dir", tmp}, false, data.ErrChecksum, "checksum mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errb bytes.Buffer
			err := runData(context.Background(), tc.args, io.Discard, &errb)
			var ue *usageError
			if tc.usage != errors.As(err, &ue) {
				t.Errorf("err = %v (%T), usage error wanted: %v", err, err, tc.usage)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v, want it to mention %q", err, tc.msg)
			}
		})
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("failed installs left files: %v", entries)
	}
}

// TestRunDataInstallShared installs the real districts with the embedded
// provinces, as a user would with a local copy of the source files.
func TestRunDataInstallShared(t *testing.T) {
	shared := geotest.SharedData(t)
	dir := t.TempDir()
	var out bytes.Buffer
	if err := runData(context.Background(), []string{"install", "--from", shared, "--dir", dir, "--json"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var rep data.InstallReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Districts != 558 {
		t.Errorf("installed %d districts, want 558", rep.Districts)
	}
	a, err := openAtlas(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := a.District("Chaman"); err != nil || d.Province != "Balochistan" {
		t.Errorf("Chaman: %+v, %v", d, err)
	}
}
