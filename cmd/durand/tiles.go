package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/layers"
	"github.com/durandline/durand/tiles"
	"github.com/durandline/durand/tiles/mbtiles"
	"github.com/durandline/durand/tiles/pmtiles"
)

// tilesMaxZoom is the highest zoom `durand tiles` writes (the limit of
// package tiles).
const tilesMaxZoom = 20

// tilesDefaultMaxZoom is the highest zoom written when --maxzoom is not
// given: zooms 0-10 make a file of a few MB (about 1 km per pixel at z10
// there is still every district and crossing), where zoom 14 takes half a
// million tiles and about 100 MB. The server's tiles go deeper on demand.
const tilesDefaultMaxZoom = 10

// archiveMode is the permission of the archives written, as for exports
// (os.Create): readable by everyone, so that a web server can serve it.
const archiveMode = 0o644

// tilesSummary is the --json output of `durand tiles`.
type tilesSummary struct {
	Out          string     `json:"out"`
	Format       string     `json:"format"` // pmtiles or mbtiles
	MinZoom      int        `json:"minzoom"`
	MaxZoom      int        `json:"maxzoom"`
	Bounds       [4]float64 `json:"bounds"` // minlon, minlat, maxlon, maxlat
	Center       [3]float64 `json:"center"` // lon, lat, zoom
	Layers       []string   `json:"layers"` // tile layers, label layers included
	Tiles        int        `json:"tiles"`  // non-empty tiles written
	Distinct     int        `json:"distinct"`
	Empty        int        `json:"empty"` // candidate tiles that held nothing
	TileBytes    int64      `json:"tile_bytes"`
	MaxTileBytes int        `json:"max_tile_bytes"`
	Coarsened    int        `json:"coarsened"` // tiles simplified further to meet the size budget
	Dropped      int        `json:"dropped"`   // features dropped by the size budget
	FileBytes    int64      `json:"file_bytes"`
	Seconds      float64    `json:"seconds"` // building the tileset, generating and writing tiles
	TilesPerSec  float64    `json:"tiles_per_second"`
}

// runTiles implements `durand tiles`: it writes the atlas's vector tiles
// for a zoom range (and optionally a box and some layers) to a PMTiles or
// MBTiles archive, chosen by the extension of --out.
//
// Its length (about 150 lines) is the flags and their checks, then one
// straight sequence: layers.TileLayers, layers.NewTiles, bounds and view,
// metadata, the walk into the archive, the summary; the tiles themselves
// are package layers' and tiles' work.
func runTiles(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tiles", stderr)
	out := fs.String("out", "", "archive to write, FILE.pmtiles or FILE.mbtiles; replaced atomically if it exists")
	minZoom := fs.Int("minzoom", 0, "lowest zoom written")
	maxZoom := fs.Int("maxzoom", tilesDefaultMaxZoom, fmt.Sprintf("highest zoom written (at most %d; each zoom more holds about four times the tiles)", tilesMaxZoom))
	bbox := fs.String("bbox", "", "only tiles meeting this WGS84 box: minlon,minlat,maxlon,maxlat")
	layerList := fs.String("layers", "", "comma-separated layers to include, e.g. border,crossings (default: all, crisis layers events and zones included)")
	dataDir := fs.String("data-dir", "", "data directory with installed districts (default: see 'durand data path')")
	asJSON := fs.Bool("json", false, "print a JSON summary on standard output")
	workers := fs.Int("workers", 0, "goroutines generating tiles (default: one per CPU)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if *out == "" {
		return &usageError{"--out is required (durand tiles --out FILE.pmtiles|FILE.mbtiles)"}
	}
	format := strings.ToLower(strings.TrimPrefix(filepath.Ext(*out), "."))
	if format != "pmtiles" && format != "mbtiles" {
		return &usageError{fmt.Sprintf("--out %q: the extension must be .pmtiles or .mbtiles", *out)}
	}
	if *minZoom < 0 || *maxZoom > tilesMaxZoom || *minZoom > *maxZoom {
		return &usageError{fmt.Sprintf("zoom range %d–%d: want 0 ≤ --minzoom ≤ --maxzoom ≤ %d", *minZoom, *maxZoom, tilesMaxZoom)}
	}
	if *workers < 0 {
		return &usageError{fmt.Sprintf("--workers %d: want 0 (one per CPU) or more", *workers)}
	}
	var box orb.Bound
	if *bbox != "" {
		var err error
		if box, err = parseBBox(*bbox); err != nil {
			return &usageError{err.Error()}
		}
	}
	var names []string
	for _, n := range strings.Split(*layerList, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}

	a, err := openAtlas(*dataDir)
	if err != nil {
		return err
	}
	// The layers and tilesets the server serves (layers.TileLayers), built
	// to the served maximum zoom (or higher), so that the archive holds the
	// same tiles as /tiles/durand/{z}/{x}/{y}.
	now, err := layers.TileLayers(a, layers.TileOptions{Only: names})
	if err != nil {
		return err
	}
	deferred, err := layers.TileLayers(a, layers.TileOptions{Only: names, Deferred: true})
	if err != nil {
		return err
	}
	ls := append(slices.Clone(now), deferred...)
	if err := checkLayerNames(a, names); err != nil {
		return err
	}
	start := time.Now()
	ts, err := layers.NewTiles(now, deferred, tiles.Options{MaxZoom: max(tiles.DefaultMaxZoom, *maxZoom)})
	if err != nil {
		return err
	}
	// The bounds are the data's, clipped to the border region (the venues
	// of talks abroad would stretch them to Turkey; see geo.Atlas.Region),
	// as in the server's TileJSON.
	bounds := a.ClipToRegion(tilesBound(ts))
	if box != (orb.Bound{}) {
		bounds = orb.Bound{
			Min: orb.Point{max(bounds.Min[0], box.Min[0]), max(bounds.Min[1], box.Min[1])},
			Max: orb.Point{min(bounds.Max[0], box.Max[0]), min(bounds.Max[1], box.Max[1])},
		}
		if bounds.Min[0] >= bounds.Max[0] || bounds.Min[1] >= bounds.Max[1] {
			return &usageError{fmt.Sprintf("--bbox %s does not overlap the data (%.4f,%.4f,%.4f,%.4f)", *bbox,
				tilesBound(ts).Min[0], tilesBound(ts).Min[1], tilesBound(ts).Max[0], tilesBound(ts).Max[1])}
		}
	}
	sum := tilesSummary{
		Out: *out, Format: format, MinZoom: *minZoom, MaxZoom: *maxZoom,
		Bounds: [4]float64{bounds.Min[0], bounds.Min[1], bounds.Max[0], bounds.Max[1]},
	}
	// The initial view: the border region, the same centre as the
	// server's TileJSON and map, unless a box was asked for.
	view := a.Region()
	if box != (orb.Bound{}) {
		view = bounds
	}
	sum.Center = [3]float64{view.Center()[0], view.Center()[1], min(max(geo.ViewZoom(view), float64(*minZoom)), float64(*maxZoom))}
	vls := layers.VectorLayers(ts, *minZoom, *maxZoom)
	sum.Layers = []string{}
	for _, l := range vls {
		sum.Layers = append(sum.Layers, l.ID)
	}
	meta := tilesMetadata{
		name:         "durand",
		description:  "Afghanistan–Pakistan border (Durand Line) atlas: " + strings.Join(sum.Layers, ", "),
		attribution:  attribution(a, layers.TileLayerNames(ls)),
		vectorLayers: vls,
		tileStats:    layers.TileStats(ts, *minZoom, *maxZoom),
		sum:          &sum,
	}

	zooms := tiles.ZoomRange(*minZoom, *maxZoom)
	prog := newProgress(stderr, isTerminal(stderr), estimateTiles(ts.Base.Options(), tilesBound(ts), ls, zooms, box))
	aw, err := createArchive(format, *out, meta)
	if err != nil {
		return err
	}
	st, err := ts.Walk(ctx, tiles.WalkOptions{Zooms: zooms, Bound: box, Workers: *workers}, func(id tiles.TileID, data []byte) error {
		prog.update(id)
		return aw.add(id, data)
	})
	if err == nil && st.Tiles == 0 {
		err = errors.New("no tiles in the zoom range and box: nothing to write")
	}
	if err != nil {
		aw.abort()
		prog.stop(false)
		return err
	}
	distinct, err := aw.finish()
	if err != nil {
		prog.stop(false)
		return err
	}
	prog.stop(true)
	sum.Tiles, sum.Distinct, sum.Empty = st.Tiles, distinct, st.Empty
	sum.TileBytes, sum.MaxTileBytes, sum.Coarsened, sum.Dropped = st.Bytes, st.MaxBytes, st.Coarsened, st.Dropped
	if fi, err := os.Stat(*out); err == nil {
		sum.FileBytes = fi.Size()
	}
	sum.Seconds = time.Since(start).Seconds()
	if sum.Seconds > 0 {
		sum.TilesPerSec = float64(sum.Tiles) / sum.Seconds
	}
	fmt.Fprintf(stderr, "durand tiles: wrote %d tiles (%d distinct, z%d–%d, %s) to %s in %.1fs (%.0f tiles/s); %d of the %d tiles checked were empty\n",
		sum.Tiles, sum.Distinct, sum.MinZoom, sum.MaxZoom, humanBytes(sum.FileBytes), *out, sum.Seconds, sum.TilesPerSec, sum.Empty, sum.Tiles+sum.Empty)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	return nil
}

// parseBBox parses minlon,minlat,maxlon,maxlat.
func parseBBox(s string) (orb.Bound, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return orb.Bound{}, fmt.Errorf("--bbox %q: want minlon,minlat,maxlon,maxlat", s)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return orb.Bound{}, fmt.Errorf("--bbox %q: %q is not a number", s, p)
		}
		v[i] = f
	}
	if v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 {
		return orb.Bound{}, fmt.Errorf("--bbox %q: outside longitude ±180, latitude ±90", s)
	}
	if v[0] >= v[2] || v[1] >= v[3] {
		return orb.Bound{}, fmt.Errorf("--bbox %q: min must be below max", s)
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

// tilesBound is the bounding box of both tilesets.
func tilesBound(ts *layers.Tiles) orb.Bound {
	switch {
	case ts.Deferred == nil:
		return ts.Base.Bound()
	case len(ts.Base.Layers()) == 0:
		return ts.Deferred.Bound()
	}
	return ts.Base.Bound().Union(ts.Deferred.Bound())
}

// checkLayerNames refuses a --layers name that is no layer of the
// catalogue (a layer tiled by kind, the events, comes with all its tile
// layers).
func checkLayerNames(a *geo.Atlas, names []string) error {
	known := layers.Layers(a)
	for _, n := range names {
		if !slices.Contains(known, n) {
			return &usageError{fmt.Sprintf("%v %q (layers: %s)", layers.ErrUnknownLayer, n, strings.Join(known, ", "))}
		}
	}
	return nil
}

// attribution joins the attributions of the layers, each part once.
func attribution(a *geo.Atlas, names []string) string {
	var parts []string
	seen := map[string]bool{}
	for _, l := range names {
		h, err := layers.Header(a, l)
		if err != nil {
			continue
		}
		for _, p := range strings.Split(h.Attribution, "; ") {
			if p != "" && !seen[p] {
				seen[p] = true
				parts = append(parts, p)
			}
		}
	}
	return strings.Join(parts, "; ")
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// tilesMetadata is what both archive formats record about the tileset.
type tilesMetadata struct {
	name, description, attribution string
	vectorLayers                   []tiles.VectorLayer
	tileStats                      map[string]any
	sum                            *tilesSummary // zooms, bounds and centre, filled before writing
}

// archive is an archive being written to a temporary file beside its
// destination; finish renames it into place, abort removes it.
type archive interface {
	add(id tiles.TileID, data []byte) error
	finish() (distinct int, err error)
	abort()
}

func createArchive(format, out string, md tilesMetadata) (archive, error) {
	dir, base := filepath.Split(out)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, err
	}
	if format == "mbtiles" {
		// SQLite creates the file itself.
		tmp.Close()
		os.Remove(tmp.Name())
		w, err := mbtiles.Create(tmp.Name())
		if err != nil {
			return nil, err
		}
		return &mbtilesArchive{w: w, tmp: tmp.Name(), out: out, md: md}, nil
	}
	s := md.sum
	w, err := pmtiles.NewWriter(tmp, pmtiles.Options{
		TileType: pmtiles.TileTypeMVT, TileCompression: pmtiles.CompressionGzip,
		MinLon: s.Bounds[0], MinLat: s.Bounds[1], MaxLon: s.Bounds[2], MaxLat: s.Bounds[3],
		CenterLon: s.Center[0], CenterLat: s.Center[1], CenterZoom: int(s.Center[2]),
		TempDir: dir, // spool beside the output, not in a possibly small /tmp
		Metadata: map[string]any{
			"name": md.name, "description": md.description, "attribution": md.attribution,
			"type": "overlay", "format": "pbf",
			"minzoom": strconv.Itoa(s.MinZoom), "maxzoom": strconv.Itoa(s.MaxZoom),
			"vector_layers": md.vectorLayers, "tilestats": md.tileStats,
		},
	})
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return &pmtilesArchive{w: w, f: tmp, out: out}, nil
}

type pmtilesArchive struct {
	w   *pmtiles.Writer
	f   *os.File
	out string
}

func (p *pmtilesArchive) add(id tiles.TileID, data []byte) error {
	return p.w.Add(uint8(id.Z), id.X, id.Y, data)
}

func (p *pmtilesArchive) finish() (int, error) {
	st, err := p.w.Close()
	if err == nil {
		err = p.f.Sync()
	}
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(p.f.Name(), archiveMode) // os.CreateTemp made it 0600
	}
	if err == nil {
		err = os.Rename(p.f.Name(), p.out)
	}
	if err != nil {
		os.Remove(p.f.Name())
		return 0, err
	}
	return st.Contents, nil
}

func (p *pmtilesArchive) abort() {
	p.w.Abort()
	p.f.Close()
	os.Remove(p.f.Name())
}

type mbtilesArchive struct {
	w        *mbtiles.Writer
	tmp, out string
	md       tilesMetadata
}

func (m *mbtilesArchive) add(id tiles.TileID, data []byte) error {
	return m.w.Put(uint8(id.Z), id.X, id.Y, data)
}

func (m *mbtilesArchive) finish() (int, error) {
	s := m.md.sum
	err := m.w.Close(mbtiles.Metadata{
		Name: m.md.name, Description: m.md.description, Attribution: m.md.attribution, Type: "overlay",
		MinZoom: s.MinZoom, MaxZoom: s.MaxZoom, Bounds: s.Bounds, Center: s.Center,
		VectorLayers: m.md.vectorLayers, TileStats: m.md.tileStats,
	})
	if err == nil {
		err = os.Chmod(m.tmp, archiveMode)
	}
	if err == nil {
		err = os.Rename(m.tmp, m.out)
	}
	if err != nil {
		os.Remove(m.tmp)
		return 0, err
	}
	return m.w.Images, nil
}

func (m *mbtilesArchive) abort() { m.w.Abort() }

// tileEstimate counts the tiles Tileset.Walk considers, following its
// documented rule (tiles whose buffered extent meets the bounding box of a
// feature of a layer visible at that zoom), so that progress can be shown
// as done/total. rank gives, for a tile Walk delivers, how many
// candidates come up to and including it in Walk's z, x, y order.
type tileEstimate struct {
	total int
	zooms map[uint32]*zoomCount
}

type zoomCount struct {
	before         int // candidates of lower zooms
	x0, y0, nx, ny int
	cum            []int32 // candidates up to each cell, column-major (x, then y)
}

// maxEstimateCells bounds the memory of the estimate; beyond it progress
// shows the tiles written without a total.
const maxEstimateCells = 1 << 24

func estimateTiles(opt tiles.Options, b orb.Bound, ls []tiles.Layer, zooms []int, box orb.Bound) *tileEstimate {
	if box != (orb.Bound{}) {
		b = orb.Bound{
			Min: orb.Point{max(b.Min[0], box.Min[0]), max(b.Min[1], box.Min[1])},
			Max: orb.Point{min(b.Max[0], box.Max[0]), min(b.Max[1], box.Max[1])},
		}
	}
	buf := float64(opt.Buffer) / float64(opt.Extent)
	est := &tileEstimate{zooms: map[uint32]*zoomCount{}}
	cells := 0
	for _, z := range zooms {
		n := math.Exp2(float64(z))
		rng := func(bb orb.Bound) (x0, x1, y0, y1 int) {
			wx0, wy0 := worldXY(bb.Min[0], bb.Max[1])
			wx1, wy1 := worldXY(bb.Max[0], bb.Min[1])
			cl := func(v float64) int { return int(min(max(math.Floor(v), 0), n-1)) }
			return cl(wx0*n - buf), cl(wx1*n + buf), cl(wy0*n - buf), cl(wy1*n + buf)
		}
		x0, x1, y0, y1 := rng(b)
		zc := &zoomCount{before: est.total, x0: x0, y0: y0, nx: x1 - x0 + 1, ny: y1 - y0 + 1}
		cells += zc.nx * zc.ny
		if cells > maxEstimateCells {
			return nil
		}
		zc.cum = make([]int32, zc.nx*zc.ny)
		for _, l := range ls {
			hi := l.MaxZoom
			if hi == 0 {
				hi = opt.MaxZoom
			}
			if z < l.MinZoom || z > hi {
				continue
			}
			for _, f := range l.Features {
				fx0, fx1, fy0, fy1 := rng(f.Geometry.Bound())
				for x := max(fx0, x0); x <= min(fx1, x1); x++ {
					for y := max(fy0, y0); y <= min(fy1, y1); y++ {
						zc.cum[(x-x0)*zc.ny+(y-y0)] = 1
					}
				}
			}
		}
		var c int32
		for i, v := range zc.cum {
			c += v
			zc.cum[i] = c
		}
		est.total += int(c)
		est.zooms[uint32(z)] = zc
	}
	return est
}

// worldXY is Web Mercator in [0, 1]², y down.
func worldXY(lon, lat float64) (float64, float64) {
	lat = min(max(lat, -tiles.MaxLatitude), tiles.MaxLatitude)
	s := math.Sin(lat * math.Pi / 180)
	return (lon + 180) / 360, 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)
}

func (e *tileEstimate) rank(id tiles.TileID) int {
	zc := e.zooms[id.Z]
	if zc == nil {
		return 0
	}
	x := min(max(int(id.X)-zc.x0, 0), zc.nx-1)
	y := min(max(int(id.Y)-zc.y0, 0), zc.ny-1)
	return zc.before + int(zc.cum[x*zc.ny+y])
}

// progress shows on stderr how far the writing is: tiles checked of the
// estimated total (every candidate tile, written or found empty), tiles
// written, the current zoom, the rate and the time left. On a terminal it
// redraws one line at most every 200 ms; otherwise (a log file, a pipe) it
// writes a plain line every 5 seconds, with no carriage returns.
type progress struct {
	w       io.Writer
	tty     bool
	est     *tileEstimate
	start   time.Time
	last    time.Time
	written int
	done    int
	zoom    uint32
}

// progress intervals on a terminal and elsewhere.
const (
	progressTTYEvery   = 200 * time.Millisecond
	progressPlainEvery = 5 * time.Second
)

// etaAfter and etaMinFraction: no time left is shown before this long or
// this fraction of the tiles: the first tiles (low zooms, whole countries)
// cost far more than the average, and an early guess is off by orders of
// magnitude.
const (
	etaAfter       = 3 * time.Second
	etaMinFraction = 0.02
)

func newProgress(w io.Writer, tty bool, est *tileEstimate) *progress {
	now := time.Now()
	return &progress{w: w, tty: tty, est: est, start: now, last: now}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) update(id tiles.TileID) {
	p.written++
	p.zoom = id.Z
	if p.est != nil {
		p.done = max(p.done, p.est.rank(id))
	}
	every := progressPlainEvery
	if p.tty {
		every = progressTTYEvery
	}
	if now := time.Now(); now.Sub(p.last) >= every {
		p.last = now
		p.draw(false)
	}
}

func (p *progress) draw(final bool) {
	elapsed := time.Since(p.start)
	el := elapsed.Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(p.written) / el
	}
	var line string
	if p.est != nil && p.est.total > 0 {
		done := p.done
		if final {
			done = p.est.total
		}
		frac := min(float64(done)/float64(p.est.total), 1)
		eta := ""
		if !final && frac >= etaMinFraction && elapsed >= etaAfter {
			eta = fmt.Sprintf(", %s left", (time.Duration((el/frac - el) * float64(time.Second))).Round(time.Second))
		}
		line = fmt.Sprintf("%3.0f%% %d/%d tiles checked, %d written, z%d, %.0f tiles/s%s", 100*frac, done, p.est.total, p.written, p.zoom, rate, eta)
		if p.tty {
			const width = 30
			line = "[" + strings.Repeat("#", int(frac*width)) + strings.Repeat("-", width-int(frac*width)) + "] " + line
		}
	} else {
		line = fmt.Sprintf("%d tiles written, z%d, %.0f tiles/s", p.written, p.zoom, rate)
	}
	if p.tty {
		fmt.Fprintf(p.w, "\rdurand tiles: %-100s", line)
	} else {
		fmt.Fprintf(p.w, "durand tiles: %s\n", line)
	}
}

// stop draws the last state (complete when ok) and ends the line.
func (p *progress) stop(ok bool) {
	p.draw(ok)
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
