package server

import (
	"strings"
	"testing"
)

// FuzzAcceptsGzip checks the allocation-free Accept-Encoding reader
// against the general Accept-style element parser (splitQ, used for
// content negotiation): the header allows gzip when gzip or x-gzip is
// listed with q > 0, or, when neither is listed, * is listed with q > 0.
func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"", "gzip", "gzip, deflate, br", "br;q=1, gzip;q=0", "*", "*;q=0", "x-gzip", "GZIP;Q=0.5",
		"identity", "gzip;q=abc", "deflate, *;q=0.1", "gzip;q=2", " gzip ; q=0 , *"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		want := false
		if header != "" {
			gz, star := -1.0, -1.0
			for _, part := range strings.Split(header, ",") {
				switch name, q := splitQ(part); strings.ToLower(name) {
				case "gzip", "x-gzip":
					gz = q
				case "*":
					star = q
				}
			}
			want = gz > 0 || (gz < 0 && star > 0)
		}
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, the Accept-style parser says %v", header, got, want)
		}
	})
}

// FuzzParseTileAddr checks that any z/x/y text gives a tile that exists
// or a 400/404 error, never a panic.
func FuzzParseTileAddr(f *testing.F) {
	f.Add("0", "0", "0")
	f.Add("14", "16383", "16383")
	f.Add("15", "0", "0")
	f.Add("3", "-1", "x")
	f.Add("4294967296", "0", "0")
	f.Fuzz(func(t *testing.T, zs, xs, ys string) {
		z, x, y, err := parseTileAddr(zs, xs, ys)
		if err != nil {
			ae, ok := err.(*apiError)
			if !ok || (ae.status != 400 && ae.status != 404) {
				t.Errorf("parseTileAddr(%q, %q, %q): %v", zs, xs, ys, err)
			}
			return
		}
		if z > 14 || x >= 1<<z || y >= 1<<z {
			t.Errorf("parseTileAddr(%q, %q, %q) = %d/%d/%d", zs, xs, ys, z, x, y)
		}
	})
}
