//go:build !linux

package geotest

import "os/exec"

// dieWithParent does nothing outside Linux: Close stops the browser.
func dieWithParent(*exec.Cmd) {}

// killGroup does nothing outside Linux.
func killGroup(*exec.Cmd) {}
