package geotest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestInCI(t *testing.T) {
	tests := []struct {
		name, value string
		want        bool
	}{
		{"unset", "", false},
		{"true", "true", true},
		{"one", "1", true},
		{"false", "false", false},
		{"zero", "0", false},
		{"other", "github-actions", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CI", tc.value)
			if got := InCI(); got != tc.want {
				t.Errorf("InCI() with CI=%q = %v, want %v", tc.value, got, tc.want)
			}
		})
	}
}

// recorder is a testing.TB that records Skip and Fatal calls instead of
// acting on them. Like the real ones they do not return: they end the
// goroutine, so the code under test runs in run.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatal(args ...any) {
	r.failed, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

// run calls f with a recorder in a new goroutine and waits for it.
func run(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestRequireTool(t *testing.T) {
	dir := t.TempDir()
	tool := filepath.Join(dir, "durand-fake-tool")
	if err := os.WriteFile(tool, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)

	tests := []struct {
		name, tool, ci       string
		wantSkip, wantFail   bool
		wantPath, wantInText string
	}{
		{name: "found", tool: "durand-fake-tool", wantPath: tool},
		{name: "found under CI", tool: "durand-fake-tool", ci: "true", wantPath: tool},
		{name: "missing outside CI skips", tool: "ogrinfo", wantSkip: true, wantInText: "gdal-bin"},
		{name: "missing under CI fails", tool: "ogrinfo", ci: "true", wantFail: true, wantInText: "gdal-bin"},
		{name: "unknown tool", tool: "durand-no-such-tool", ci: "true", wantFail: true, wantInText: "durand-no-such-tool"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			var got string
			r := run(t, func(tb testing.TB) { got = RequireTool(tb, tc.tool) })
			if r.skipped != tc.wantSkip || r.failed != tc.wantFail {
				t.Fatalf("skipped=%v failed=%v (%q), want skipped=%v failed=%v",
					r.skipped, r.failed, r.msg, tc.wantSkip, tc.wantFail)
			}
			if got != tc.wantPath {
				t.Errorf("path = %q, want %q", got, tc.wantPath)
			}
			if !strings.Contains(r.msg, tc.wantInText) {
				t.Errorf("message %q does not mention %q", r.msg, tc.wantInText)
			}
		})
	}
}

func TestInstallHint(t *testing.T) {
	tests := []struct{ tool, want string }{
		{"ogrinfo", "gdal-bin"},
		{"psql", "postgresql-client-15"},
		{"initdb", "postgresql-15"},
		{"chromium", "Debian package chromium"},
		{"chromedriver", "chromium-driver"},
		{"wrk", "wrk"},
		{"npx", "npm"},
		{"something-else", "something-else"},
	}
	for _, tc := range tests {
		t.Run(tc.tool, func(t *testing.T) {
			if got := InstallHint(tc.tool); !strings.Contains(got, tc.want) {
				t.Errorf("InstallHint(%q) = %q, want it to mention %q", tc.tool, got, tc.want)
			}
		})
	}
}

func TestFindRepoRoot(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "mod", "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "mod", "go.mod"), []byte("module example.com/m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A directory named go.mod is not a module root.
	if err := os.Mkdir(filepath.Join(deep, "go.mod"), 0o755); err != nil {
		t.Fatal(err)
	}

	t.Run("from a subdirectory", func(t *testing.T) {
		got, err := FindRepoRoot(deep)
		if err != nil || got != filepath.Join(root, "mod") {
			t.Errorf("FindRepoRoot = %q, %v; want %q", got, err, filepath.Join(root, "mod"))
		}
	})
	t.Run("at the root", func(t *testing.T) {
		got, err := FindRepoRoot(filepath.Join(root, "mod"))
		if err != nil || got != filepath.Join(root, "mod") {
			t.Errorf("FindRepoRoot = %q, %v", got, err)
		}
	})
	t.Run("no module", func(t *testing.T) {
		if _, err := FindRepoRoot(root); !errors.Is(err, ErrNoModuleRoot) {
			// Some machine might have a go.mod above the temp dir; say so.
			t.Errorf("FindRepoRoot(%q) error = %v, want ErrNoModuleRoot", root, err)
		}
	})
}

func TestRepoRoot(t *testing.T) {
	root := RepoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "module github.com/durandline/durand") {
		t.Errorf("%s/go.mod is not the durand module", root)
	}
	if _, err := os.Stat(filepath.Join(root, "geo", "geotest", "doc.go")); err != nil {
		t.Errorf("RepoRoot = %q does not hold geo/geotest: %v", root, err)
	}
}

func TestSharedData(t *testing.T) {
	dir := SharedData(t)
	if filepath.Base(dir) != "data" || filepath.Base(filepath.Dir(dir)) != "shared" {
		t.Errorf("SharedData = %q, want .../shared/data", dir)
	}
	if filepath.Dir(filepath.Dir(dir)) != filepath.Dir(RepoRoot(t)) {
		t.Errorf("SharedData = %q is not beside the repository %q", dir, RepoRoot(t))
	}
}

func TestMissing(t *testing.T) {
	for _, ci := range []string{"", "true"} {
		t.Run("CI="+ci, func(t *testing.T) {
			t.Setenv("CI", ci)
			r := run(t, func(tb testing.TB) { Missing(tb, "thing", "install thing") })
			if r.skipped == (ci != "") || r.failed == (ci == "") {
				t.Errorf("skipped=%v failed=%v under CI=%q", r.skipped, r.failed, ci)
			}
			if !strings.Contains(r.msg, "thing is not available: install thing") {
				t.Errorf("message = %q", r.msg)
			}
		})
	}
}

func TestParseRows(t *testing.T) {
	tests := []struct {
		name, out string
		want      [][]string
	}{
		{"empty", "", nil},
		{"one value", "1\n", [][]string{{"1"}}},
		{"columns", "a\tb\t\n", [][]string{{"a", "b", ""}}},
		{"rows", "1\tx\n2\ty\n", [][]string{{"1", "x"}, {"2", "y"}}},
		{"null row", "\n", [][]string{{""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := parseRows(tc.out)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || len(got) != len(tc.want) {
				t.Errorf("parseRows(%q) = %q, want %q", tc.out, got, tc.want)
			}
		})
	}
}

func ExampleInstallHint() {
	fmt.Println(InstallHint("ogrinfo"))
	fmt.Println(InstallHint("chromedriver"))
	// Output:
	// install the Debian package gdal-bin
	// install the Debian package chromium-driver
}

func ExampleFindRepoRoot() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	_ = os.MkdirAll(filepath.Join(dir, "geo", "geotest"), 0o755)
	_ = os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n"), 0o644)

	root, err := FindRepoRoot(filepath.Join(dir, "geo", "geotest"))
	fmt.Println(root == dir, err)
	// Output: true <nil>
}
