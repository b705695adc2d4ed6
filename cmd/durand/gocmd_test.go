package main

import (
	"os/exec"
	"path/filepath"
)

// goCommand is the go command running the tests: go test puts its
// GOROOT/bin first on PATH (runtime.GOROOT is deprecated: it is where the
// test binary was built, not where it runs).
func goCommand() string {
	if p, err := exec.LookPath("go"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return r
		}
		return p
	}
	return "go"
}

// goRoot is the GOROOT of goCommand.
func goRoot() string { return filepath.Dir(filepath.Dir(goCommand())) }
