package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeLayout keeps the README's Layout table true: every path it
// names exists, every top-level directory of the repository is in it (or
// a path below it), and every Go package is in it or below a row that is
// not itself a package (examples/, bench/) — so a package added, moved
// or removed without its row fails here.
func TestReadmeLayout(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := map[string]bool{} // paths named in the first column, without a trailing slash
	in := false
	code := regexp.MustCompile("`([^`]+)`")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			in = line == "## Layout"
		case in && strings.HasPrefix(line, "| `"):
			first := strings.SplitN(line, "|", 3)[1]
			for _, m := range code.FindAllStringSubmatch(first, -1) {
				rows[strings.TrimSuffix(m[1], "/")] = true
			}
		}
	}
	if len(rows) < 10 {
		t.Fatalf("the Layout table names %d paths: %v", len(rows), rows)
	}
	for p := range rows {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Errorf("the Layout table names %s: %v", p, err)
		}
	}
	// Every directory at the top, bar what git ignores.
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == ".git" {
			continue
		}
		if exec.Command("git", "-C", root, "check-ignore", "-q", e.Name()).Run() == nil {
			continue // node_modules and the like
		}
		named := rows[e.Name()]
		for p := range rows {
			named = named || strings.HasPrefix(p, e.Name()+"/")
		}
		if !named {
			t.Errorf("top-level directory %s/ is not in the README's Layout table", e.Name())
		}
	}
	// Every package.
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "github.com/durandline/durand/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	pkgs := map[string]bool{}
	for _, dir := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		pkgs[filepath.ToSlash(rel)] = true
	}
	for p := range pkgs {
		covered := rows[p]
		for d := filepath.Dir(p); !covered && d != "."; d = filepath.Dir(d) {
			if pkgs[d] {
				break // a package's own row is needed below a package
			}
			covered = rows[d]
		}
		if !covered {
			t.Errorf("package %s is not in the README's Layout table", p)
		}
	}
}
