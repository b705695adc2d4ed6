//go:build !unix

package geotest

import (
	"errors"
	"os/exec"
)

// account is an operating-system user that server programs run as; only
// Unix systems can switch to one.
type account struct {
	uid, gid int
}

func lookupAccount(string) (*account, error) {
	return nil, errors.New("geotest: switching users is supported on Unix only")
}

func (a *account) apply(*exec.Cmd) {}
