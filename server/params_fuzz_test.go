package server

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The parameter parsers on their own (FuzzQuery drives them through the
// handlers): each answers a value within its documented range or a 400,
// never a panic. Seed corpora are in testdata/fuzz/FuzzX.

// is400 reports whether err is a 400 apiError.
func is400(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.status == http.StatusBadRequest
}

func FuzzBBox(f *testing.F) {
	for _, s := range []string{"60,29,70,35", "60,29,0,70,35,100", "-180,-90,180,90", "1,2,3", "NaN,0,1,1", "1e400,0,1,1",
		"70,29,60,35", " 60 , 29 , 70 , 35 ", "0x10,0,1,1", "1_0,0,1,1", ",,,", "60,29,5,70,35,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, ok, err := query{"bbox": s}.bbox()
		if err != nil {
			if !is400(err) {
				t.Fatalf("bbox %q: %v is not a 400", s, err)
			}
			return
		}
		if !ok {
			t.Fatalf("bbox %q: not given", s)
		}
		for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("bbox %q: %v", s, b)
			}
		}
		if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 || b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
			t.Fatalf("bbox %q: %v out of range", s, b)
		}
	})
}

func FuzzLimitOffset(f *testing.F) {
	f.Add("10", "0")
	f.Add("0", "-1")
	f.Add("99999999999999999999", "9223372036854775807")
	f.Add("+5", "1e3")
	f.Add("", "")
	f.Add("0x10", " 1")
	f.Fuzz(func(t *testing.T, limit, offset string) {
		q := query{}
		if limit != "" {
			q["limit"] = limit
		}
		if offset != "" {
			q["offset"] = offset
		}
		l, o, err := q.limitOffset()
		if err != nil {
			if !is400(err) {
				t.Fatalf("limit %q offset %q: %v is not a 400", limit, offset, err)
			}
			return
		}
		if l < 1 || l > maxLimit || o < 0 {
			t.Fatalf("limit %q offset %q: %d, %d", limit, offset, l, o)
		}
	})
}

// FuzzLonLat: the numbers of /locate, /border/point and bbox are finite
// plain decimals or a 400.
func FuzzLonLat(f *testing.F) {
	for _, s := range []string{"67.5", "-0", "+1e2", "1e309", "NaN", "Inf", "-inf", "0x1p3", "1_000", ".5", "5.", "1e", "--1", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := query{"lon": s}.requiredNumber("lon")
		if err != nil {
			if !is400(err) {
				t.Fatalf("%q: %v is not a 400", s, err)
			}
			return
		}
		if math.IsNaN(x) || math.IsInf(x, 0) || !isDecimal(s) {
			t.Fatalf("%q parsed as %v", s, x)
		}
	})
}

// FuzzTilePath sends any tileset, tile matrix set and z/x/y to both tile
// URL forms (/tiles/{set}/{z}/{x}/{y}.{format} and the OGC API – Tiles
// path): a tile (200 or 204) or a 4xx JSON error, never a 5xx.
func FuzzTilePath(f *testing.F) {
	f.Add("crossings", "WebMercatorQuad", "0", "0", "0", "mvt")
	f.Add("durand", "WebMercatorQuad", "5", "22", "13", "pbf")
	f.Add("..", "..", "..", "..", "..", "..")
	f.Add("crossings", "WorldCRS84Quad", "15", "0", "0", "png")
	f.Add("crossings", "webmercatorquad", "-1", "+1", "1e3", "mvt")
	f.Add("crossings/../x", "WebMercatorQuad", "4294967296", "0", "0", "mvt\x00")
	_, h := tileServer(f, Config{TileCacheBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, set, tms, z, x, y, format string) {
		e := url.PathEscape
		for _, target := range []string{
			"/tiles/" + e(set) + "/" + e(z) + "/" + e(x) + "/" + e(y) + "." + e(format),
			"/collections/" + e(set) + "/tiles/" + e(tms) + "/" + e(z) + "/" + e(y) + "/" + e(x),
		} {
			req := httptest.NewRequest("GET", "http://example.com/", nil)
			req.URL.Path = "" // set from the escaped form below
			u, err := url.Parse("http://example.com" + target)
			if err != nil {
				continue
			}
			req.URL = u
			req.RequestURI = target
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			switch {
			case w.Code == 200 || w.Code == 204:
			case w.Code >= 400 && w.Code < 500:
				var ae struct{ Code, Description string }
				if err := json.Unmarshal(w.Body.Bytes(), &ae); err != nil || ae.Code == "" {
					t.Fatalf("%s: %d with body %q", target, w.Code, w.Body.String())
				}
				if strings.Contains(w.Body.String(), ".go:") {
					t.Fatalf("%s: source position in %q", target, w.Body.String())
				}
			default:
				t.Fatalf("%s: status %d: %s", target, w.Code, w.Body.String())
			}
		}
	})
}
