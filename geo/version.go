package geo

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
)

// dataFiles are the atlas files Load reads, in the order DataVersion
// hashes them.
var dataFiles = []string{
	FileBorder, FileCountries, FileProvinces, FileCrossings, FileDistricts,
	FileProvenance, FileDistrictsProvenance, FileAltNames,
	FileEvents, FileCrossingStatus, FilePlaces,
}

// DataFiles returns the names of the files Load reads (those present in a
// file system), in a fixed order.
func DataFiles() []string { return append([]string(nil), dataFiles...) }

// DataVersion returns the content hash of the atlas files in fsys
// ("sha256:" and 64 hex digits): the SHA-256 of each present file's name,
// length and bytes, in the order of DataFiles. Equal files give equal
// versions, wherever they are read from (a data directory, a database), so
// replicas of the same data agree on it.
func DataVersion(fsys fs.FS) (string, error) {
	h := sha256.New()
	for _, name := range dataFiles {
		b, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("geo: %s: %w", name, err)
		}
		h.Write([]byte(name))
		h.Write([]byte{0})
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
		h.Write(b)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
