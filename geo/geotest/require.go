package geotest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// InCI reports whether the test runs under continuous integration: the
// environment variable CI is set to a non-empty value other than "false"
// and "0".
func InCI() bool {
	switch os.Getenv("CI") {
	case "", "0", "false", "FALSE", "False":
		return false
	}
	return true
}

// Missing applies the project's rule for an absent prerequisite: it skips
// the test outside CI and fails it under CI (see InCI). what names the
// missing thing, install says how to get it, for example
// "install the Debian package gdal-bin". Missing does not return.
func Missing(t testing.TB, what, install string) {
	t.Helper()
	msg := fmt.Sprintf("%s is not available: %s", what, install)
	if InCI() {
		t.Fatalf("%s (CI is set, so a missing prerequisite is a failure)", msg)
	}
	recordMissing(t, what)
	t.Skipf("%s (skipping outside CI)", msg)
}

// RequireTool returns the path of the executable name found on PATH
// (exec.LookPath), or else of the first of aliases found there (the same
// tool installed under another name, as go install names the PMTiles CLI
// go-pmtiles). If none is present the test is skipped, or failed under
// CI, with a message naming the package that provides it.
func RequireTool(t testing.TB, name string, aliases ...string) string {
	t.Helper()
	for _, n := range append([]string{name}, aliases...) {
		if path, err := exec.LookPath(n); err == nil {
			return path
		}
	}
	Missing(t, fmt.Sprintf("tool %q", name), InstallHint(name))
	return ""
}

// InstallHint returns a short instruction for installing the tool name on
// the project's Debian machines, for example
// "install the Debian package gdal-bin".
func InstallHint(name string) string {
	deb := func(p string) string { return "install the Debian package " + p }
	switch name {
	case "ogrinfo", "ogr2ogr", "gdalinfo", "gdalsrsinfo":
		return deb("gdal-bin")
	case "psql", "pg_dump", "pg_restore":
		return deb("postgresql-client-15")
	case "initdb", "pg_ctl", "postgres", "pg_isready":
		return deb("postgresql-15")
	case "chromium":
		return deb("chromium")
	case "chromedriver":
		return deb("chromium-driver")
	case "nginx":
		return deb("nginx")
	case "wrk":
		return deb("wrk")
	case "node", "nodejs":
		return deb("nodejs")
	case "npm", "npx":
		return deb("npm")
	case "git":
		return deb("git")
	case "sqlite3":
		return deb("sqlite3")
	case "curl":
		return deb("curl")
	case "cs2cs", "proj":
		return deb("proj-bin")
	case "qgis":
		return "install the Debian packages qgis python3-qgis qgis-providers"
	}
	return fmt.Sprintf("install %s and put it on PATH (see .ci/run for how CI installs tools)", name)
}

// ErrNoModuleRoot is returned when no directory holding go.mod is found
// above the starting directory.
var ErrNoModuleRoot = errors.New("geotest: no go.mod found above the working directory")

// FindRepoRoot walks up from dir to the first directory that holds a go.mod
// file and returns it.
func FindRepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoModuleRoot
		}
		dir = parent
	}
}

// RepoRoot returns the module root: the nearest directory at or above the
// working directory (the package directory under go test) that holds
// go.mod. It fails the test if there is none.
func RepoRoot(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("geotest: %v", err)
	}
	root, err := FindRepoRoot(wd)
	if err != nil {
		t.Fatalf("%v (from %s)", err, wd)
	}
	return root
}

// SharedData returns the directory of third-party inputs that are kept
// outside the repository: ../shared/data relative to the module root. If
// it is absent the test is skipped, or failed under CI.
func SharedData(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(filepath.Dir(RepoRoot(t)), "shared", "data")
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		Missing(t, "shared data directory "+dir,
			"place the shared/ folder beside the repository (../shared/data from the module root)")
	}
	return dir
}

// LongEnv is the environment variable that asks for the long tests (load,
// soak, shutdown and attack runs against a built server) outside CI.
const LongEnv = "DURAND_LONG_TESTS"

// Long skips the calling test unless long tests are asked for: under CI
// (see InCI) or with DURAND_LONG_TESTS set to a non-empty value other than
// "0". A plain `go test ./...` on a developer's machine then stays short;
// CI runs everything. why says what makes the test long, for the skip
// message.
func Long(t testing.TB, why string) {
	t.Helper()
	if InCI() {
		return
	}
	if v := os.Getenv(LongEnv); v != "" && v != "0" {
		return
	}
	recordLong(t)
	t.Skipf("long test (%s): runs under CI=true or with %s=1", why, LongEnv)
}
