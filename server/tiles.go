package server

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/layers"
	"github.com/durandline/durand/tiles"
)

// Vector tile serving: /tiles/durand/{z}/{x}/{y}.mvt (every layer),
// /tiles/{collectionId}/{z}/{x}/{y}.mvt (one collection, with its label
// layer), their TileJSON documents and the same tiles through OGC API –
// Tiles (see tiles_ogc.go).

// Tile serving constants.
const (
	// mediaMVT is the media type of Mapbox Vector Tiles.
	mediaMVT = "application/vnd.mapbox-vector-tile"
	// allTiles is the id of the tileset of every layer.
	allTiles = "durand"
	// DefaultTileCacheBytes is the tile cache size used when
	// Config.TileCacheBytes is zero: 256 MiB.
	DefaultTileCacheBytes = 256 << 20
	// DefaultWarmZoom is the highest zoom WarmTiles fills by default.
	DefaultWarmZoom = 6
	// tileVersion is the semantic version of the tile schema, written
	// into TileJSON.
	tileVersion = "1.0.0"
)

// tileSet is one set of tiles served: every layer (index 0), or the layers
// of one collection.
type tileSet struct {
	id     string
	title  string
	layers []string    // tile layer names kept; nil keeps all
	coll   *collection // nil for every layer
}

// tileService builds the tiles on first use and serves them from a
// byte-bounded cache.
//
// The tiles come from two tilesets: the base one, of every collection
// available at once (built on first use, in a second or so), and the
// deferred one, of the collections computed on first use (the zones),
// built in the background once they are computed. A tile is the base
// tile followed by the layers of the deferred one (an MVT tile is a
// sequence of layers, so the concatenation of two tiles is a tile). Until
// the deferred tileset is ready the tiles have the base layers only; its
// arrival changes the data version, so no cached tile of the older
// version is served again.
type tileService struct {
	colls *registry
	log   *slog.Logger
	sets  []tileSet
	byID  map[string]int
	cache *tileCache
	gz    gzipPool
	state atomic.Pointer[tileState]
	// baseOnce builds the base tileset; deferredDone is closed once the
	// deferred one is built or has failed (at once when there is none).
	baseOnce     sync.Once
	baseErr      error
	deferredOnce sync.Once
	deferredDone chan struct{}
	// days are the tilesets of the dated layers by day (see tiles_day.go).
	days dayTiles
	// pmtiles is the archive of /downloads/durand.pmtiles.
	pmtiles pmtilesDownload
	// from, set by Live before first use, is the tile state of the
	// previous version of the data: building the tilesets reuses what
	// did not change (tiles.NewTilesetFrom). Dropped once both are built.
	from atomic.Pointer[tileState]
	// noDeferred, set by tests before first use, leaves the deferred
	// collections out (their computation takes seconds).
	noDeferred bool
	// Header values shared by every tile response (length = capacity).
	hdrType, hdrCache, hdrNoStore, hdrVary, hdrGzip []string
	// date is the Date header of the current second.
	date dateHeader
}

// dateHeader is the value of the Date header for the current second,
// formatted once a second rather than by net/http for every response (as
// nginx caches its time).
type dateHeader struct{ cur atomic.Pointer[dateValue] }

type dateValue struct {
	sec int64
	hdr []string // length and capacity one
}

// at returns the Date header value of t.
func (d *dateHeader) at(t time.Time) []string {
	sec := t.Unix()
	if v := d.cur.Load(); v != nil && v.sec == sec {
		return v.hdr
	}
	v := &dateValue{sec: sec, hdr: one(t.UTC().Format(http.TimeFormat))}
	d.cur.Store(v)
	return v.hdr
}

// tileState is the tilesets in use and the data version of their tiles.
type tileState struct {
	layers.Tiles // Deferred is nil until built (or when there is none)
	layers       []tiles.LayerInfo
	version      uint64 // a hash of every feature tiled
	versionText  string
	// partial is set while the deferred tileset is still being built:
	// these tiles lack layers they will have, so they are served as not
	// cacheable (Cache-Control: no-store), never as the complete tiles.
	partial bool
}

// newTileService prepares the tile sets of the collections; nothing is
// tiled until the first tile or WarmTiles.
func newTileService(colls *registry, cacheBytes int64, log *slog.Logger) (*tileService, error) {
	if cacheBytes == 0 {
		cacheBytes = DefaultTileCacheBytes
	}
	t := &tileService{colls: colls, log: log, cache: newTileCache(cacheBytes), byID: map[string]int{},
		deferredDone: make(chan struct{}),
		hdrType:      one(mediaMVT), hdrCache: one(cacheData), hdrNoStore: one(cacheNone), hdrVary: one("Accept-Encoding"), hdrGzip: one("gzip")}
	t.sets = append(t.sets, tileSet{id: allTiles, title: "Durand Line atlas: every layer"})
	t.byID[allTiles] = 0
	for _, c := range colls.list {
		if c.id == allTiles {
			return nil, fmt.Errorf("%w: collection id %q is reserved for the tileset of every layer", ErrConfig, c.id)
		}
		t.byID[c.id] = len(t.sets)
		t.sets = append(t.sets, tileSet{id: c.id, title: c.title, layers: []string{c.id, c.id + "_label"}, coll: c})
	}
	if len(t.sets) > 1<<16 {
		return nil, fmt.Errorf("%w: too many collections for the tile cache", ErrConfig)
	}
	return t, nil
}

// current returns the tilesets in use, building the base tileset on first
// use and starting the deferred one in the background.
func (t *tileService) current() (*tileState, error) {
	if st := t.state.Load(); st != nil {
		return st, nil
	}
	t.baseOnce.Do(func() {
		ts, digest, err := t.build(false)
		if err != nil {
			t.baseErr = err
			return
		}
		t.publish(ts, nil, digest, nil, t.hasDeferred())
		go t.buildDeferred(ts, digest)
	})
	if t.baseErr != nil {
		return nil, t.baseErr
	}
	return t.state.Load(), nil
}

// tileset returns the base tileset (for the tile grid and tests).
func (t *tileService) tileset() (*tiles.Tileset, error) {
	st, err := t.current()
	if err != nil {
		return nil, err
	}
	return st.Base, nil
}

// buildDeferred builds the tileset of the collections computed on first
// use and publishes it with the base one.
func (t *tileService) buildDeferred(base *tiles.Tileset, baseDigest []byte) {
	t.deferredOnce.Do(func() {
		defer close(t.deferredDone)
		defer t.from.Store(nil)
		if t.noDeferred {
			return
		}
		ts, digest, err := t.build(true)
		if err != nil {
			// They will not come: the tiles are what they will be.
			t.log.Warn("deferred layers left out of the vector tiles", "err", err)
			t.publish(base, nil, baseDigest, nil, false)
			return
		}
		if ts != nil {
			t.publish(base, ts, baseDigest, digest, false)
		} else if st := t.state.Load(); st != nil && st.partial {
			// Nothing to add after all: the base tiles are complete.
			t.publish(base, nil, baseDigest, nil, false)
		}
	})
}

// hasDeferred reports whether some collection joins the tiles later.
func (t *tileService) hasDeferred() bool {
	if t.noDeferred {
		return false
	}
	for _, c := range t.colls.list {
		if c.load != nil {
			return true
		}
	}
	return false
}

// publish makes a pair of tilesets current; partial says the deferred
// one is still to come.
func (t *tileService) publish(base, deferred *tiles.Tileset, baseDigest, deferredDigest []byte, partial bool) {
	st := &tileState{Tiles: layers.Tiles{Base: base, Deferred: deferred}, partial: partial}
	st.layers = st.Tiles.Layers()
	h := sha256.New()
	h.Write(baseDigest)
	h.Write(deferredDigest)
	if partial {
		h.Write([]byte("partial"))
	}
	st.version = binary.BigEndian.Uint64(h.Sum(nil))
	st.versionText = fmt.Sprintf("%016x", st.version)
	t.state.Store(st)
}

// build tiles the layers available at once (deferred false) or those
// computed on first use (deferred true, waiting for them): the
// catalogue's layers as layers.TileLayers assembles them, followed by the
// collections of Config.ExtraLayers. It returns the tileset with a digest
// of the collections' features. A layer that cannot be tiled is left out
// with a warning. With deferred true and no such layer, the tileset is
// nil.
func (t *tileService) build(deferred bool) (*tiles.Tileset, []byte, error) {
	start := time.Now()
	a := t.colls.crisis.atlas
	catalogue := layers.Layers(a)
	h := sha256.New()
	var extra []tiles.Layer
	for _, c := range t.colls.list {
		if (c.load != nil) != deferred {
			continue
		}
		if err := c.ready(); err != nil {
			t.log.Warn("layer left out of the vector tiles", "layer", c.id, "err", err)
			continue
		}
		h.Write([]byte(c.id))
		for _, d := range c.digests {
			h.Write(d[:])
		}
		if slices.Contains(catalogue, c.id) {
			continue
		}
		// A layer of Config.ExtraLayers: typed by its schema if it has
		// one, its types inferred if not.
		located := slices.DeleteFunc(slices.Clone(c.layer.Features), func(f *geojson.Feature) bool { return f == nil || f.Geometry == nil })
		ul := c.layer
		ul.Tiles = layers.SpecFor(c.id)
		l, err := layers.Convert(c.id, located, ul.TileSpec())
		if err != nil {
			t.log.Warn("layer left out of the vector tiles", "layer", c.id, "err", err)
			continue
		}
		if len(l.Features) > 0 {
			extra = append(extra, l)
		}
	}
	warn := func(layer string, err error) {
		t.log.Warn("layer left out of the vector tiles", "layer", layer, "err", err)
	}
	tls, err := layers.TileLayers(a, layers.TileOptions{Deferred: deferred, Day: t.colls.crisis.defaultDay(time.Now()), OnError: warn})
	if err != nil {
		return nil, nil, err
	}
	tls = append(tls, extra...)
	if deferred && len(tls) == 0 {
		return nil, nil, nil
	}
	var prev *tiles.Tileset
	if from := t.from.Load(); from != nil {
		prev = from.Base
		if deferred {
			prev = from.Deferred
		}
	}
	ts, err := layers.NewTilesetFrom(prev, tls, tiles.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("server: tileset: %w", err)
	}
	t.log.Info("tileset built", "layers", strings.Join(layers.TileLayerNames(tls), ","), "deferred", deferred,
		"topology_reused", ts.Reused(), "duration", time.Since(start).Round(time.Millisecond))
	return ts, h.Sum(nil), nil
}

// entry returns the cached tile of a set, computing it on a miss. The
// tile of a collection is cut from the tile of every layer (which is
// cached too), so both always agree.
func (t *tileService) entry(set int, day uint32, z, x, y uint32) (*tileEntry, error) {
	st, err := t.current()
	if err != nil {
		return nil, err
	}
	key := tileKey{set: uint16(set), z: uint8(z), x: x, y: y, day: day, version: st.version}
	if e := t.cache.lookup(key); e != nil {
		return e, nil
	}
	return t.cache.get(key, func() (*tileEntry, error) {
		if set == 0 && day != 0 { // a day's tile is made from the tile without datetime
			all, err := t.entry(0, 0, z, x, y)
			if err != nil {
				return nil, err
			}
			if all.empty {
				return newTileEntry(key, nil, &t.gz), nil
			}
			data, err := t.dayTile(st, all.raw, day, z, x, y)
			if err != nil {
				return nil, err
			}
			return newTileEntry(key, data, &t.gz), nil
		}
		if set != 0 {
			all, err := t.entry(0, day, z, x, y)
			if err != nil {
				return nil, err
			}
			if all.empty {
				return newTileEntry(key, nil, &t.gz), nil
			}
			data, err := selectLayers(all.raw, t.sets[set].layers)
			if err != nil {
				return nil, err
			}
			return newTileEntry(key, data, &t.gz), nil
		}
		data, err := st.tile(z, x, y)
		if err != nil {
			return nil, err
		}
		return newTileEntry(key, data, &t.gz), nil
	})
}

// cached reports whether the tile is in the cache (without counting a
// hit or moving it in the recency list).
func (t *tileService) cached(set int, day uint32, z, x, y uint32) bool {
	st := t.state.Load()
	if st == nil {
		return false
	}
	key := tileKey{set: uint16(set), z: uint8(z), x: x, y: y, day: day, version: st.version}
	t.cache.mu.Lock()
	_, ok := t.cache.entries[key]
	t.cache.mu.Unlock()
	return ok
}

// tile encodes the tile z/x/y of both tilesets: nil when empty.
func (st *tileState) tile(z, x, y uint32) ([]byte, error) {
	data, err := st.Tile(z, x, y)
	switch {
	case errors.Is(err, tiles.ErrEmpty):
		return nil, nil
	case errors.Is(err, tiles.ErrTileAddress):
		return nil, notFound("no tile %d/%d/%d: %v", z, x, y, err)
	}
	return data, err
}

// warm generates every non-empty tile of zooms 0 to maxZoom into the
// cache, for every tile set, logging each zoom. Once the deferred tileset
// is built it warms again, in the background, until ctx is done.
func (t *tileService) warm(ctx context.Context, maxZoom int) error {
	st, err := t.current()
	if err != nil {
		return err
	}
	if err := t.warmState(ctx, st, maxZoom); err != nil {
		return err
	}
	go func() {
		select {
		case <-t.deferredDone:
		case <-ctx.Done():
			return
		}
		if st2 := t.state.Load(); st2 != st {
			t.warmState(ctx, st2, maxZoom) // errors: logged, and ctx's own
		}
	}()
	return nil
}

// warmState warms the tiles of one state: those of the base tileset's
// pyramid (the deferred layers lie where the base ones do).
func (t *tileService) warmState(ctx context.Context, st *tileState, maxZoom int) error {
	maxZoom = min(maxZoom, st.Base.Options().MaxZoom)
	start := time.Now()
	for z := 0; z <= maxZoom; z++ {
		zs := time.Now()
		n, size := 0, 0
		_, err := st.Walk(ctx, tiles.WalkOptions{Zooms: []int{z}}, func(id tiles.TileID, data []byte) error {
			n++
			size += len(data)
			t.cache.put(newTileEntry(tileKey{z: uint8(id.Z), x: id.X, y: id.Y, version: st.version}, data, &t.gz))
			for i := 1; i < len(t.sets); i++ {
				part, err := selectLayers(data, t.sets[i].layers)
				if err != nil {
					return err
				}
				t.cache.put(newTileEntry(tileKey{set: uint16(i), z: uint8(id.Z), x: id.X, y: id.Y, version: st.version}, part, &t.gz))
			}
			return nil
		})
		if err != nil {
			t.log.Info("tile warm-up stopped", "zoom", z, "err", err)
			return err
		}
		cs := t.cache.stats()
		t.log.Info("tile warm-up", "zoom", z, "tiles", n, "bytes", size, "data_version", st.versionText,
			"duration", time.Since(zs).Round(time.Millisecond), "cache_entries", cs.Entries, "cache_bytes", cs.Bytes)
	}
	t.log.Info("tile warm-up done", "zooms", fmt.Sprintf("0-%d", maxZoom), "data_version", st.versionText,
		"duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// handler is what New returns: the server's handler, which WarmTiles can
// reach.
type handler struct {
	http.Handler
	s *server
}

// WarmTiles builds the vector tiles of a handler returned by New (if no
// request has yet) and fills its tile cache with every non-empty tile of
// zooms 0 to maxZoom (DefaultWarmZoom is the usual choice), logging the
// progress of each zoom. It returns once those tiles are cached, or with
// ctx's error when ctx is done first. The layers computed on first use
// (zones) join the tiles later: when they do, the tiles are warmed again
// in the background, until ctx is done. Requests are served meanwhile; a
// tile asked for before the warm-up reaches it is generated on demand.
func WarmTiles(ctx context.Context, h http.Handler, maxZoom int) error {
	hh, ok := h.(*handler)
	if !ok {
		return fmt.Errorf("%w: WarmTiles needs a handler returned by New", ErrConfig)
	}
	return hh.s.tiles.warm(ctx, maxZoom)
}

// parseTileAddr parses the z, x and y path segments: non-negative
// decimal integers (else 400) of a tile that exists, z at most the
// tileset's maximum zoom and x, y below 2^z (else 404).
func parseTileAddr(zs, xs, ys string) (z, x, y uint32, err error) {
	parse := func(name, s string) (uint32, error) {
		if s == "" || len(s) > 10 {
			return 0, badRequest("tile %s %q is not a non-negative integer", name, truncate(s, 20))
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, badRequest("tile %s %q is not a non-negative integer", name, truncate(s, 20))
			}
		}
		v, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return 0, notFound("tile %s %s is out of range", name, s)
		}
		return uint32(v), nil
	}
	if z, err = parse("zoom", zs); err != nil {
		return
	}
	if x, err = parse("column (x)", xs); err != nil {
		return
	}
	if y, err = parse("row (y)", ys); err != nil {
		return
	}
	if z > tiles.DefaultMaxZoom {
		return 0, 0, 0, notFound("no tile at zoom %d: tiles exist for zooms 0 to %d (clients overzoom)", z, tiles.DefaultMaxZoom)
	}
	if n := uint32(1) << z; x >= n || y >= n {
		return 0, 0, 0, notFound("no tile %d/%d/%d: at zoom %d, x and y run from 0 to %d", z, x, y, z, n-1)
	}
	return z, x, y, nil
}

// tileFormat checks the extension of a tile URL: mvt or pbf.
func tileFormat(ext string) error {
	if ext != "mvt" && ext != "pbf" {
		return notFound("tiles are served as .mvt (or .pbf), not .%s", truncate(ext, 20))
	}
	return nil
}

// serveTileXYZ serves /tiles/durand/{z}/{x}/{y}.{tileFormat} and
// /tiles/{collectionId}/{z}/{x}/{y}.{tileFormat}.
func (s *server) serveTileXYZ(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	set := 0
	if id, ok := v["collectionId"]; ok {
		i, found := s.tiles.byID[id]
		if !found || i == 0 {
			s.writeError(w, r, notFound("no collection %q (see /collections)", truncate(id, 100)))
			return
		}
		set = i
	}
	if err := tileFormat(v["tileFormat"]); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.serveTile(w, r, set, v["z"], v["x"], v["y"])
}

// serveTile writes one tile of a set.
func (s *server) serveTile(w http.ResponseWriter, r *http.Request, set int, zs, xs, ys string) {
	z, x, y, err := parseTileAddr(zs, xs, ys)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	day, err := s.tileDay(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if day != 0 && !s.tiles.cached(set, day, z, x, y) {
		// A tile of a day not cached: expensive work, within the budget.
		release, err := s.budget.acquire(r.Context(), "tiles of a day")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		defer release()
	}
	e, err := s.tiles.entry(set, day, z, x, y)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.tiles.write(w, r, e, s.tiles.complete(e))
}

// complete reports whether a tile entry is of the current, complete
// tiles: an entry of partial tiles (or of tiles since replaced) is not
// served as cacheable.
func (t *tileService) complete(e *tileEntry) bool {
	st := t.state.Load()
	return st != nil && !st.partial && st.version == e.key.version
}

// write sends a tile entry: 204 for an empty tile; else the tile (gzip
// coded when the client accepts it and it helps) with its strong ETag,
// or 304 when If-None-Match matches. It allocates nothing of its own.
func (t *tileService) write(w http.ResponseWriter, r *http.Request, e *tileEntry, complete bool) {
	h := w.Header()
	h["Date"] = t.date.at(time.Now())
	h["Cache-Control"] = t.hdrCache
	if !complete {
		h["Cache-Control"] = t.hdrNoStore
	}
	if v, ok := h["Vary"]; ok {
		h["Vary"] = append(v, "Accept-Encoding")
	} else {
		h["Vary"] = t.hdrVary
	}
	if e.empty {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	etag, length, body := e.etag, e.length, e.raw
	gz := e.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding"))
	if gz {
		etag, length, body = e.etagGz, e.lengthGz, e.gz
	}
	h["Etag"] = etag // the canonical form of ETag
	if inm := r.Header.Get("If-None-Match"); inm != "" && tileETagMatch(inm, e) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = t.hdrType
	if gz {
		h["Content-Encoding"] = t.hdrGzip
	}
	h["Content-Length"] = length
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// tileETagMatch reports whether an If-None-Match header lists either
// representation of a tile (weak comparison, as RFC 9110 prescribes for
// If-None-Match), or is "*".
func tileETagMatch(header string, e *tileEntry) bool {
	return etagListMatches(header, func(tag string) bool {
		return tag == e.etag[0] || (e.etagGz != nil && tag == e.etagGz[0])
	})
}

// acceptsGzip reports, without allocating, whether an Accept-Encoding
// header allows gzip: gzip (or x-gzip) is acceptable when listed with a
// non-zero q, or, when not listed, when * is listed with a non-zero q
// (RFC 9110 12.5.3). A malformed q counts as not listed.
func acceptsGzip(header string) bool {
	gz, star := -1.0, -1.0
	for header != "" {
		var part string
		part, header, _ = strings.Cut(header, ",")
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		q := 1.0 // as splitQ: -1 for a malformed q, which counts as not listed
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
				if err != nil || f < 0 || f > 1 {
					q = -1
					break
				}
				q = f
			}
		}
		switch {
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			gz = q
		case name == "*":
			star = q
		}
	}
	if gz >= 0 {
		return gz > 0
	}
	return star > 0
}

// tileSetOf returns the tile set named by the request's collectionId
// variable, or every layer when the route has none.
func (s *server) tileSetOf(r *http.Request) (int, error) {
	id, ok := mux.Vars(r)["collectionId"]
	if !ok {
		return 0, nil
	}
	i, found := s.tiles.byID[id]
	if !found || i == 0 {
		return 0, notFound("no collection %q (see /collections)", truncate(id, 100))
	}
	return i, nil
}

// tileJSON serves /tiles/durand.json and /tiles/{collectionId}.json.
func (s *server) tileJSON(r *http.Request, q query) (*response, error) {
	set, err := s.tileSetOf(r)
	if err != nil {
		return nil, err
	}
	if _, err := q.format("json"); err != nil {
		return nil, err
	}
	day, err := s.dayFromQuery(q)
	if err != nil {
		return nil, err
	}
	doc, err := s.tileJSONDoc(r.Context(), s.baseURL(r), set)
	if err != nil {
		return nil, err
	}
	if day != 0 { // the tiles of that day
		for i := range doc.Tiles {
			doc.Tiles[i] += "?datetime=" + dayOfNumber(day).Format(time.DateOnly)
		}
	}
	resp, err := jsonResponse(doc, mediaJSON)
	if err == nil && s.tiles.partial() {
		resp.cache = cacheNone // its layers are not all there yet
	}
	return resp, err
}

// partial reports whether the current tiles still lack their deferred
// layers (see tileState.partial).
func (t *tileService) partial() bool {
	st := t.state.Load()
	return st != nil && st.partial
}

// tileJSONDoc builds the TileJSON 3.0.0 document of a tile set. For a
// collection computed on first use it waits (as long as ctx allows) for
// the collection and its tiles.
func (s *server) tileJSONDoc(ctx context.Context, base string, set int) (*tiles.TileJSON, error) {
	tset := s.tiles.sets[set]
	if c := tset.coll; c != nil && c.load != nil {
		if err := c.ready(); err != nil {
			return nil, err
		}
		if _, err := s.tiles.current(); err != nil { // starts the deferred tileset
			return nil, err
		}
		select {
		case <-s.tiles.deferredDone:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	st, err := s.tiles.current()
	if err != nil {
		return nil, err
	}
	descs := map[string]string{}
	for _, li := range st.layers {
		descs[li.Name] = layers.TileDescription(li.Name)
	}
	attribution := s.atlas.Provenance().Attribution("")
	desc := "Vector tiles of the Afghanistan–Pakistan border (Durand Line): border, countries, provinces, districts when installed, crossings and the computed layers (events, zones), with label points."
	if tset.coll != nil {
		attribution = tset.coll.attribution
		desc = "Vector tiles of one collection: " + tset.coll.title + ". " + tset.coll.description
	}
	opt := tiles.TileJSONOptions{
		Tiles:             []string{base + "/tiles/" + tset.id + "/{z}/{x}/{y}.mvt"},
		Name:              tset.title,
		Description:       desc,
		Version:           tileVersion,
		Attribution:       html.EscapeString(attribution), // clients show it as HTML
		LayerDescriptions: descs,
	}
	doc, err := st.TileJSON(opt)
	if err != nil {
		return nil, err
	}
	if tset.coll != nil {
		doc.VectorLayers = slices.DeleteFunc(doc.VectorLayers, func(v tiles.VectorLayer) bool { return !slices.Contains(tset.layers, v.ID) })
		if b := tset.coll.extent(); len(tset.coll.features) > 0 {
			lat := func(v float64) float64 { return max(-tiles.MaxLatitude, min(tiles.MaxLatitude, v)) }
			doc.Bounds = [4]float64{b.Min[0], lat(b.Min[1]), b.Max[0], lat(b.Max[1])}
		}
	}
	if len(doc.VectorLayers) > 0 {
		doc.MinZoom = doc.MaxZoom
		for _, v := range doc.VectorLayers {
			doc.MinZoom = min(doc.MinZoom, v.MinZoom)
		}
	}
	// Bounds and centre describe the border region (geo.Atlas.Region):
	// the data's box clipped to it, so that the venues of talks abroad do
	// not pull the view to Iran. The centre of the whole set is the
	// region's, as in the style, the map and `durand tiles --json`; a
	// collection's is the centre of its clipped box.
	b := s.atlas.ClipToRegion(orb.Bound{Min: orb.Point{doc.Bounds[0], doc.Bounds[1]}, Max: orb.Point{doc.Bounds[2], doc.Bounds[3]}})
	doc.Bounds = [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	view := b
	if tset.coll == nil {
		view = s.atlas.Region()
	}
	doc.Center = [3]float64{view.Center()[0], view.Center()[1],
		max(float64(doc.MinZoom), min(float64(doc.MaxZoom), geo.ViewZoom(view)))}
	return doc, nil
}

// fastTiles serves the tile requests of the XYZ routes, GET or HEAD of
// /tiles/{set}/{z}/{x}/{y}.mvt (or .pbf) with decimal z, x, y and no
// query, without going through the router: they are most of what a map
// asks for, and matching them against the route table costs far more than
// answering them from the cache. The answer is the one the routes give;
// anything else (other paths, a query, odd segments) goes to next.
func (s *server) fastTiles(next http.Handler) http.Handler {
	templates := []string{"/tiles/" + allTiles + "/{z}/{x}/{y}.{tileFormat}", "/tiles/{collectionId}/{z}/{x}/{y}.{tileFormat}"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if set, zs, xs, ys, ok := s.fastTilePath(r); ok {
			setRoute(w, templates[min(set, 1)])
			s.serveTile(w, r, set, zs, xs, ys)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// fastTilePath splits a plain tile URL; ok is false for anything else.
func (s *server) fastTilePath(r *http.Request) (set int, zs, xs, ys string, ok bool) {
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || r.URL.RawQuery != "" || r.URL.RawPath != "" {
		return
	}
	rest, found := strings.CutPrefix(r.URL.Path, "/tiles/")
	if !found {
		return
	}
	var id, ext string
	var ok1, ok2, ok3, ok4 bool
	id, rest, ok1 = strings.Cut(rest, "/")
	zs, rest, ok2 = strings.Cut(rest, "/")
	xs, rest, ok3 = strings.Cut(rest, "/")
	ys, ext, ok4 = strings.Cut(rest, ".")
	if !ok1 || !ok2 || !ok3 || !ok4 || (ext != "mvt" && ext != "pbf") || !digits(zs) || !digits(xs) || !digits(ys) {
		return
	}
	set, found = s.tiles.byID[id]
	return set, zs, xs, ys, found
}

// digits reports whether s is 1 to 10 decimal digits.
func digits(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
