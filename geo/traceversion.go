package geo

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// sources are this package's Go files: what a zone buffer is traced with.
//
//go:embed *.go
var sources embed.FS

// TraceVersion names the code that traces the zone buffers: a SHA-256, in
// hexadecimal, of this package's Go sources (tests left out), the versions
// of the modules it imports (orb, geodesic, rtree, geoindex, go-geom), the
// Go release and the architecture. Two
// programs with the same TraceVersion trace every buffer alike, bit for
// bit, so a cache of buffers kept between programs (package zonecache)
// is shared by the programs built from the same code and by no other.
func TraceVersion() string { return traceVersion() }

var traceVersion = sync.OnceValue(func() string {
	h := sha256.New()
	names, _ := fs.Glob(sources, "*.go") // sorted
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, _ := sources.ReadFile(name)
		h.Write([]byte(name + "\x00"))
		h.Write(b)
		h.Write([]byte{0})
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "github.com/paulmach/orb", "github.com/tidwall/geodesic", "github.com/tidwall/rtree",
				"github.com/tidwall/geoindex", "github.com/twpayne/go-geom":
				h.Write([]byte(d.Path + "@" + d.Version + "\x00"))
			}
		}
	}
	h.Write([]byte(runtime.Version() + "\x00" + runtime.GOARCH))
	return hex.EncodeToString(h.Sum(nil))
})
