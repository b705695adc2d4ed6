//go:build linux

package geotest

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill cmd when the test binary dies, so
// that a test binary killed by go test's timeout leaves no browser behind,
// and gives cmd a process group of its own (see killGroup).
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}

// killGroup kills what is left of cmd's process group once cmd has
// exited: Chromium helpers that outlive the browser for a moment and would
// write to (or re-create) its profile directory after Close removed it.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
