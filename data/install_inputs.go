// The input files of Install: read from a local directory or downloaded
// from pinned URLs and checked against their SHA-256.

package data

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

type inputFile struct {
	name     string // base name
	location string // local path or URL
	data     []byte
	sum      string
	pin      *PinnedFile
}

type inputSet struct {
	afgGeoJSON     *inputFile // either this
	afgShp, afgDbf *inputFile // or these
	pak            *inputFile
}

func pinFor(name string) *PinnedFile {
	for _, p := range PinnedFiles() {
		if path.Base(p.Path) == name {
			return &p
		}
	}
	return nil
}

func (in *installer) addInput(f *inputFile) {
	sum := sha256.Sum256(f.data)
	f.sum = hex.EncodeToString(sum[:])
	f.pin = pinFor(f.name)
	status := "unpinned"
	if f.pin != nil {
		status = "verified"
		if f.pin.SHA256 != f.sum {
			status = "mismatch"
			in.warn("%s: SHA-256 %s differs from the pinned upstream file (%s); installing it anyway", f.location, f.sum, f.pin.SHA256)
		}
	}
	in.rep.Inputs = append(in.rep.Inputs, InputReport{Name: f.name, Location: f.location, Size: int64(len(f.data)), SHA256: f.sum, Pin: status})
}

// readLocal finds and reads the inputs in opt.From.
func (in *installer) readLocal(ctx context.Context) (*inputSet, error) {
	root := in.opt.From
	st, err := os.Stat(root)
	if err != nil {
		return nil, &InstallError{File: root, Err: err}
	}
	if !st.IsDir() {
		return nil, &InstallError{File: root, Err: fmt.Errorf("%w: not a directory", ErrInstallOptions)}
	}
	fsys := os.DirFS(root)
	find := func(sub, name string) (string, bool) {
		for _, p := range []string{name, sub + "/" + name} {
			if st, err := fs.Stat(fsys, p); err == nil && st.Mode().IsRegular() {
				return p, true
			}
		}
		return "", false
	}
	read := func(rel string) (*inputFile, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		loc := filepath.Join(root, filepath.FromSlash(rel))
		st, err := fs.Stat(fsys, rel)
		if err != nil {
			return nil, &InstallError{File: loc, Err: err}
		}
		if st.Size() > maxInputSize {
			return nil, invalid(loc, "file is %d bytes, more than the %d accepted", st.Size(), maxInputSize)
		}
		b, err := fs.ReadFile(fsys, rel)
		if err != nil {
			return nil, &InstallError{File: loc, Err: err}
		}
		in.progress("read %s (%d bytes)", loc, len(b))
		f := &inputFile{name: path.Base(rel), location: loc, data: b}
		in.addInput(f)
		return f, nil
	}
	missing := func(sub string, names ...string) error {
		return &InstallError{File: filepath.Join(root, names[0]), Err: fmt.Errorf("%w: %s not found in %s or %s",
			fs.ErrNotExist, strings.Join(names, " or "), root, filepath.Join(root, sub))}
	}

	set := &inputSet{}
	if p, ok := find(afgSubdir, afgGeoJSONName); ok {
		if set.afgGeoJSON, err = read(p); err != nil {
			return nil, err
		}
	} else if p, ok := find(afgSubdir, afgShpName); ok {
		if set.afgShp, err = read(p); err != nil {
			return nil, err
		}
		dbf := strings.TrimSuffix(p, ".shp") + ".dbf"
		if _, err := fs.Stat(fsys, dbf); err != nil {
			return nil, &InstallError{File: filepath.Join(root, filepath.FromSlash(dbf)),
				Err: fmt.Errorf("%w: the shapefile's attribute table (.dbf, with shapeName and shapeID) is missing", fs.ErrNotExist)}
		}
		if set.afgDbf, err = read(dbf); err != nil {
			return nil, err
		}
	} else {
		return nil, missing(afgSubdir, afgGeoJSONName, afgShpName)
	}
	p, ok := find(pakSubdir, pakGeoJSONName)
	if !ok {
		return nil, missing(pakSubdir, pakGeoJSONName)
	}
	if set.pak, err = read(p); err != nil {
		return nil, err
	}
	return set, nil
}

// download fetches the pinned files and verifies their checksums.
func (in *installer) download(ctx context.Context) (*inputSet, error) {
	client := in.opt.Client
	if client == nil {
		client = http.DefaultClient
	}
	set := &inputSet{}
	for _, p := range PinnedFiles() {
		if !p.Install {
			continue
		}
		url := p.URL(in.opt.DownloadBase)
		in.progress("downloading %s (%d bytes)", url, p.Size)
		b, err := fetch(ctx, client, url, p.Size)
		if err != nil {
			return nil, &InstallError{File: url, Err: err}
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != p.SHA256 {
			return nil, &InstallError{File: url, Err: fmt.Errorf("%w: got SHA-256 %s (%d bytes), want %s (%d bytes); the file changed upstream or the download was corrupted; nothing was installed",
				ErrChecksum, got, len(b), p.SHA256, p.Size)}
		}
		f := &inputFile{name: path.Base(p.Path), location: url, data: b}
		in.addInput(f)
		switch f.name {
		case afgShpName:
			set.afgShp = f
		case afgDbfName:
			set.afgDbf = f
		case pakGeoJSONName:
			set.pak = f
		}
	}
	if set.afgShp == nil || set.afgDbf == nil || set.pak == nil {
		return nil, fmt.Errorf("data: internal error: pinned download set incomplete")
	}
	return set, nil
}

func fetch(ctx context.Context, client *http.Client, url string, size int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download failed: HTTP %s", resp.Status)
	}
	// Read at most one byte more than expected: a longer body cannot match.
	b, err := io.ReadAll(io.LimitReader(resp.Body, size+1))
	if err != nil {
		return nil, fmt.Errorf("download failed: %w", err)
	}
	return b, nil
}
