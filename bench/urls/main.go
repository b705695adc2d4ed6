// Command urls writes the fixed request lists of the side-by-side benchmark
// (bench/run): the same lists go to every server, so that their numbers
// compare.
//
// It writes three files into -out, one request a line:
//
//   - tiles.txt: "z/x/y" of every tile, at zooms -minzoom to -maxzoom,
//     that holds a point of the border sampled every -step-km kilometres of
//     chainage, or a crossing; deduplicated, then shuffled with a fixed seed
//     so that every stretch of the list mixes zooms;
//   - items.txt: "limit offset" pages of -limit districts covering the
//     whole layer (offsets 0, limit/2, limit, …), shuffled the same way;
//   - locate.txt: "lon lat" of -points points near the border: border
//     points at even chainage steps moved by up to ±1° in each direction
//     (a fixed pseudo-random sequence), in WGS84 degrees to 4 decimals.
//
// The lists depend only on the data and the flags: two runs on the same
// data write the same bytes.
//
// Usage:
//
//	go run ./bench/urls -data-dir DIR -out DIR
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
)

// config holds the flags.
type config struct {
	dataDir          string
	out              string
	minZoom, maxZoom int
	stepKm           float64
	limit            int
	points           int
}

// seed fixes the shuffles and the point offsets.
const seed = 20251012

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "urls:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	var c config
	fs := flag.NewFlagSet("urls", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.dataDir, "data-dir", "", "data directory with installed districts (required: the items list pages the districts)")
	fs.StringVar(&c.out, "out", "", "directory to write tiles.txt, items.txt and locate.txt into (required)")
	fs.IntVar(&c.minZoom, "minzoom", 4, "lowest zoom of the tile list")
	fs.IntVar(&c.maxZoom, "maxzoom", 12, "highest zoom of the tile list")
	fs.Float64Var(&c.stepKm, "step-km", 2, "border sampling step in km for the tile list")
	fs.IntVar(&c.limit, "limit", 100, "features per items page")
	fs.IntVar(&c.points, "points", 500, "points in the locate list")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case c.dataDir == "" || c.out == "":
		return errors.New("-data-dir and -out are required")
	case c.minZoom < 0 || c.maxZoom > 20 || c.minZoom > c.maxZoom:
		return fmt.Errorf("zooms %d–%d: want 0 ≤ -minzoom ≤ -maxzoom ≤ 20", c.minZoom, c.maxZoom)
	case !(c.stepKm > 0) || c.limit < 1 || c.points < 1:
		return errors.New("-step-km, -limit and -points must be positive")
	}
	a, err := data.Open(c.dataDir)
	if err != nil {
		return err
	}
	districts, err := a.Features(geo.LayerDistricts)
	if err != nil {
		return fmt.Errorf("districts (install them first): %w", err)
	}
	tl, err := tileList(a, c)
	if err != nil {
		return err
	}
	pts, err := locateList(a, c.points)
	if err != nil {
		return err
	}
	files := map[string][]string{
		"tiles.txt":  tl,
		"items.txt":  itemsList(len(districts), c.limit),
		"locate.txt": pts,
	}
	for name, lines := range files {
		if err := os.WriteFile(filepath.Join(c.out, name), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "urls: %s: %d lines\n", name, len(lines))
	}
	return nil
}

// tileList returns the shuffled "z/x/y" tiles along the border.
func tileList(a *geo.Atlas, c config) ([]string, error) {
	var pts []orb.Point
	length := a.BorderLength() / 1000 // metres to km
	for km := 0.0; km <= length; km += c.stepKm {
		p, err := a.PointAt(km)
		if err != nil {
			return nil, fmt.Errorf("border point at %.1f km: %w", km, err)
		}
		pts = append(pts, p)
	}
	for _, x := range a.Crossings() {
		pts = append(pts, x.Point)
	}
	seen := map[maptile.Tile]bool{}
	var out []string
	for z := c.minZoom; z <= c.maxZoom; z++ {
		for _, p := range pts {
			t := maptile.At(p, maptile.Zoom(z))
			if !seen[t] {
				seen[t] = true
				out = append(out, fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y))
			}
		}
	}
	shuffle(out, 1)
	return out, nil
}

// itemsList returns "limit offset" pages over n features, starting every
// half page so that pages overlap as a client's scrolling would.
func itemsList(n, limit int) []string {
	var out []string
	step := max(limit/2, 1)
	for off := 0; off < n; off += step {
		out = append(out, fmt.Sprintf("%d %d", limit, off))
	}
	shuffle(out, 2)
	return out
}

// locateList returns n "lon lat" points near the border.
func locateList(a *geo.Atlas, n int) ([]string, error) {
	r := rand.New(rand.NewPCG(seed, 3))
	length := a.BorderLength() / 1000
	out := make([]string, 0, n)
	for i := range n {
		km := length * (float64(i) + 0.5) / float64(n)
		p, err := a.PointAt(km)
		if err != nil {
			return nil, fmt.Errorf("border point at %.1f km: %w", km, err)
		}
		lon := p[0] + 2*r.Float64() - 1
		lat := math.Max(-89, math.Min(89, p[1]+2*r.Float64()-1))
		out = append(out, fmt.Sprintf("%.4f %.4f", lon, lat))
	}
	return out, nil
}

// shuffle permutes s with the fixed seed and stream.
func shuffle(s []string, stream uint64) {
	slices.Sort(s) // the input order must not matter
	r := rand.New(rand.NewPCG(seed, stream))
	r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
}
