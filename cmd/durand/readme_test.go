package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo/geotest"
)

// readmeSkips returns the commands of README.md that TestREADMECommands
// does not run, each with the reason. Every other command in a sh block
// runs.
func readmeSkips() []struct{ pattern, why string } {
	return []struct{ pattern, why string }{
		{`^(\S+=\S+ )*go test `, "the test suite itself"},
		{`^npm ci`, "downloads the npm packages (the tests that need them check node_modules)"},
		{`^go run \./data/build$`, "rewrites the repository's data files"},
		{`^go run \./data/build -check$`, "CI's data pipeline step; TestReproducible in data/build checks the same"},
		{`--download\b`, "downloads from the internet, which tests do not reach (TestInstallDownload serves the pinned files locally)"},
		{`\bdb (load|dump)\b`, "needs a PostgreSQL server (TestDBLoadDump runs these commands against a throwaway PostGIS)"},
		{`--source `, "needs a PostgreSQL server (the server's PostgreSQL tests run it against a throwaway PostGIS)"},
		{`^sudo `, "installs system packages as root"},
		{`^bench/run`, "the benchmark, minutes long"},
	}
}

// TestREADMECommands runs every command of the README's sh code blocks,
// in order, in a temporary directory, as a new user would after `go
// install ./cmd/durand`, and fails on any that fails. `go run
// ./cmd/durand` runs the same program as the installed durand, which the
// test builds once; go commands run at the module root; `durand serve`
// runs until it listens, then the commands that talk to a server at
// 127.0.0.1:8080 (ogrinfo, ogr2ogr) are sent to a running durand serve.
// The shared data (../shared/data) is the one beside the repository; the
// data directory is a temporary one. readmeSkips lists what is not run,
// and why.
func TestREADMECommands(t *testing.T) {
	geotest.Long(t, "runs every command of the README: a build, a district install, two tile archives, two servers, GDAL")
	root := geotest.RepoRoot(t)
	shared := geotest.SharedData(t)
	tmp := t.TempDir()
	work := filepath.Join(tmp, "repo")
	bin := filepath.Join(tmp, "bin")
	for _, d := range []string{work, bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The README's relative paths: examples/… and ../shared/data.
	if err := os.Symlink(filepath.Join(root, "examples"), filepath.Join(work, "examples")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(tmp, "shared"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(shared, filepath.Join(tmp, "shared", "data")); err != nil {
		t.Fatal(err)
	}
	gobin := filepath.Dir(goCommand())
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+gobin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GOBIN="+bin, "DURAND_DATA_DIR="+filepath.Join(tmp, "data"), "GOFLAGS=")

	// The server the OGC API commands talk to (the README's 127.0.0.1:8080
	// is replaced by its address), from the same build.
	if out, err := exec.Command(filepath.Join(gobin, "go"), "build", "-o", filepath.Join(bin, "durand"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var server string

	cmds, err := readmeCommands(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, c := range cmds {
		line := c.line
		if skip := readmeSkip(line); skip != "" {
			t.Logf("README.md:%d: not run (%s): %s", c.n, skip, line)
			continue
		}
		line = strings.ReplaceAll(line, "go run ./cmd/durand ", "durand ")
		dir := work
		if strings.HasPrefix(line, "go ") {
			dir = root
		}
		if strings.Contains(line, "127.0.0.1:8080") {
			for _, tool := range []string{"ogrinfo", "ogr2ogr"} {
				if strings.HasPrefix(line, tool+" ") {
					geotest.RequireTool(t, tool)
				}
			}
			if server == "" {
				server = startBinary(t, filepath.Join(bin, "durand"), work, "serve", "--addr", "127.0.0.1:0", "--no-warmup")
			}
			line = strings.ReplaceAll(line, "http://127.0.0.1:8080", server)
		}
		ran++
		if strings.HasPrefix(line, "durand serve") {
			// Runs until it listens; startBinary stops it at the end.
			args := strings.Fields(line)[1:]
			if !slices.Contains(args, "--addr") {
				args = append(args, "--addr", "127.0.0.1:0")
			}
			base := startBinaryEnv(t, filepath.Join(bin, "durand"), work, env, args...)
			t.Logf("README.md:%d: %s: listening on %s", c.n, line, base)
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		cmd := exec.CommandContext(ctx, "bash", "-o", "pipefail", "-c", line)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("README.md:%d: %s: %v\n%s", c.n, line, err, out)
			continue
		}
		t.Logf("README.md:%d: ok: %s", c.n, line)
	}
	if ran < 10 {
		t.Errorf("only %d README commands ran", ran)
	}
}

// readmeCommand is one command line of a sh block of the README.
type readmeCommand struct {
	n    int // line number
	line string
}

// readmeCommands returns the command lines of the ```sh blocks of a
// Markdown file, without their trailing comments.
func readmeCommands(path string) ([]readmeCommand, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []readmeCommand
	comment := regexp.MustCompile(`\s+#.*$`)
	in := false
	var cont *readmeCommand // a command continued on the next line (ending in \)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "```sh"):
			in = true
		case strings.HasPrefix(l, "```"):
			in = false
		case in:
			l = strings.TrimSpace(comment.ReplaceAllString(l, ""))
			if cont != nil {
				cont.line += " " + l
			} else if l != "" && !strings.HasPrefix(l, "#") {
				cont = &readmeCommand{n, l}
			}
			if cont == nil {
				continue
			}
			if strings.HasSuffix(cont.line, "\\") {
				cont.line = strings.TrimSpace(strings.TrimSuffix(cont.line, "\\"))
				continue
			}
			out = append(out, *cont)
			cont = nil
		}
	}
	return out, sc.Err()
}

// readmeSkip returns why line is not run, or "".
func readmeSkip(line string) string {
	for _, s := range readmeSkips() {
		if regexp.MustCompile(s.pattern).MatchString(strings.Replace(line, "go run ./cmd/durand ", "durand ", 1)) {
			return s.why
		}
	}
	return ""
}

// TestREADMEGoVersion: the Go release the README asks for is the go line
// of go.mod.
func TestREADMEGoVersion(t *testing.T) {
	root := geotest.RepoRoot(t)
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+(\.\d+)?)$`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("no go line in go.mod")
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	// "On a machine with Go X or later": what a user needs to build it.
	// (The Security section's advice on which release to deploy with is
	// another matter.)
	got := regexp.MustCompile(`machine with Go (\d+\.\d+(\.\d+)?) or later`).FindSubmatch(readme)
	if got == nil || string(got[1]) != string(m[1]) {
		t.Errorf("README.md asks for Go %q, go.mod's go line says %s", got, m[1])
	}
}
