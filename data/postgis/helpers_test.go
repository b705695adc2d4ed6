package postgis_test

import (
	"io/fs"
	"testing/fstest"
)

func memFile(name string, b []byte) (fs.File, error) {
	return fstest.MapFS{name: {Data: b}}.Open(name)
}
