package server

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/durandline/durand/tiles"
	"github.com/durandline/durand/tiles/pmtiles"
)

// /downloads/durand.pmtiles: the tiles of every layer, zooms 0 to
// pmtilesMaxZoom, as one PMTiles v3 archive that a PMTiles client
// (pmtiles.js, MapLibre's pmtiles:// protocol, GDAL) reads straight from
// the server with HTTP range requests.
//
// The archive is built on first request (in about a second: a few hundred
// tiles, most of them already in the tile cache's warm-up range), kept in
// memory, and built again when the data version of the tiles changes.
// Concurrent first requests wait for one build. It holds exactly the tiles
// /tiles/durand/{z}/{x}/{y}.mvt serves, gzip-compressed.

const (
	// pmtilesPath is the URL path of the archive.
	pmtilesPath = "/downloads/" + allTiles + ".pmtiles"
	// mediaPMTiles is the media type of PMTiles archives (registered with
	// IANA; the PMTiles specification recommends it).
	mediaPMTiles = "application/vnd.pmtiles"
	// pmtilesMaxZoom is the highest zoom in the archive: zoom 8 tiles are
	// about 600 m a pixel, enough for districts and crossings; clients
	// overzoom beyond, and /tiles serves the full range (0 to 14).
	pmtilesMaxZoom = 8
)

// pmtilesArchive is one build of the archive, for one data version.
type pmtilesArchive struct {
	version uint64
	done    chan struct{} // closed when the fields below are set
	body    []byte
	etag    string
	built   time.Time // Last-Modified (second resolution, as HTTP dates)
	tiles   int
	err     error
}

// pmtilesDownload holds the archive of the current data version (or the
// build in progress).
type pmtilesDownload struct {
	mu  sync.Mutex
	cur *pmtilesArchive
}

// archive returns the archive of the tiles' current data version,
// starting its build if no request has yet, and waiting for the build
// (as long as ctx allows). A failed build is not kept: the next request
// tries again.
func (t *tileService) archive(ctx context.Context, attribution string) (*pmtilesArchive, error) {
	if _, err := t.current(); err != nil {
		return nil, err
	}
	// The deferred layers (zones) change the tiles when they arrive: wait
	// for them rather than build an archive that is out of date at once.
	select {
	case <-t.deferredDone:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	st := t.state.Load()
	d := &t.pmtiles
	d.mu.Lock()
	a := d.cur
	if a == nil || a.version != st.version || (isClosed(a.done) && a.err != nil) {
		a = &pmtilesArchive{version: st.version, done: make(chan struct{})}
		d.cur = a
		// The build goes on if the request that started it goes away:
		// the next one will want it.
		go func() {
			defer close(a.done)
			a.body, a.tiles, a.err = t.buildArchive(context.WithoutCancel(ctx), st, attribution)
			if a.err == nil {
				a.etag = etagOf(a.body)
				a.built = time.Now().UTC().Truncate(time.Second)
			}
		}()
	}
	d.mu.Unlock()
	select {
	case <-a.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if a.err != nil {
		return nil, a.err
	}
	return a, nil
}

// isClosed reports whether ch is closed.
func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// buildArchive writes the tiles of zooms 0 to pmtilesMaxZoom of a state
// (the base tiles followed by the deferred layers, as entry makes them)
// into a PMTiles archive in memory.
func (t *tileService) buildArchive(ctx context.Context, st *tileState, attribution string) ([]byte, int, error) {
	start := time.Now()
	doc, err := t.archiveMetadata(st, attribution)
	if err != nil {
		return nil, 0, err
	}
	var buf bytes.Buffer
	w, err := pmtiles.NewWriter(&buf, pmtiles.Options{
		TileType: pmtiles.TileTypeMVT, TileCompression: pmtiles.CompressionGzip,
		MinLon: doc.Bounds[0], MinLat: doc.Bounds[1], MaxLon: doc.Bounds[2], MaxLat: doc.Bounds[3],
		CenterLon: doc.Center[0], CenterLat: doc.Center[1], CenterZoom: int(doc.Center[2]),
		Metadata: map[string]any{
			"name": doc.Name, "description": doc.Description, "attribution": doc.Attribution,
			"version": doc.Version, "type": "overlay", "format": "pbf",
			"minzoom": strconv.Itoa(doc.MinZoom), "maxzoom": strconv.Itoa(doc.MaxZoom),
			"vector_layers": doc.VectorLayers,
		},
	})
	if err != nil {
		return nil, 0, fmt.Errorf("server: pmtiles: %w", err)
	}
	n := 0
	_, err = st.Walk(ctx, tiles.WalkOptions{Zooms: tiles.ZoomRange(0, min(pmtilesMaxZoom, st.Base.Options().MaxZoom))},
		func(id tiles.TileID, data []byte) error {
			n++
			return w.Add(uint8(id.Z), id.X, id.Y, data)
		})
	if err != nil {
		w.Abort()
		return nil, 0, fmt.Errorf("server: pmtiles: %w", err)
	}
	stats, err := w.Close()
	if err != nil {
		return nil, 0, fmt.Errorf("server: pmtiles: %w", err)
	}
	t.log.Info("pmtiles archive built", "tiles", n, "contents", stats.Contents, "bytes", stats.Bytes,
		"zooms", fmt.Sprintf("0-%d", pmtilesMaxZoom), "data_version", st.versionText,
		"duration", time.Since(start).Round(time.Millisecond))
	return buf.Bytes(), n, nil
}

// archiveTileURL stands for the tile URLs TileJSON needs, which the
// archive's metadata does not carry.
const archiveTileURL = "http://localhost/{z}/{x}/{y}.mvt"

// archiveMetadata is the TileJSON of every layer, cut to the archive's
// zooms: the metadata and bounds of the archive.
func (t *tileService) archiveMetadata(st *tileState, attribution string) (*tiles.TileJSON, error) {
	doc, err := st.TileJSON(tiles.TileJSONOptions{Tiles: []string{archiveTileURL}, Name: t.sets[0].title,
		Description: "Vector tiles of the Afghanistan–Pakistan border (Durand Line), zooms 0 to " + strconv.Itoa(pmtilesMaxZoom) + ", as served by /tiles/durand.",
		Version:     tileVersion, Attribution: attribution})
	if err != nil {
		return nil, err
	}
	var kept []tiles.VectorLayer
	for _, v := range doc.VectorLayers {
		if v.MinZoom <= pmtilesMaxZoom {
			v.MaxZoom = min(v.MaxZoom, pmtilesMaxZoom)
			kept = append(kept, v)
		}
	}
	doc.VectorLayers = kept
	doc.MaxZoom = min(doc.MaxZoom, pmtilesMaxZoom)
	doc.MinZoom = min(doc.MinZoom, doc.MaxZoom)
	doc.Center[0] = (doc.Bounds[0] + doc.Bounds[2]) / 2
	doc.Center[1] = (doc.Bounds[1] + doc.Bounds[3]) / 2
	doc.Center[2] = max(float64(doc.MinZoom), min(float64(doc.MaxZoom), doc.Center[2]))
	return doc, nil
}

// pmtilesRoute is the route of the archive, listed in the route table
// before /downloads/{collectionId}.{format}, which would take it for the
// download of a collection named durand.
func (s *server) pmtilesRoute() route {
	binary := obj{"type": "string", "format": "binary"}
	return route{name: "getPMTiles", path: pmtilesPath, tag: tagDownloads,
		summary: "Vector tiles as a PMTiles archive",
		description: "The tiles of /tiles/" + allTiles + "/{z}/{x}/{y}.mvt for zooms 0 to " + strconv.Itoa(pmtilesMaxZoom) +
			" as one PMTiles v3 archive (tiles gzip-compressed inside, metadata with vector_layers), for PMTiles clients " +
			"(pmtiles.js, MapLibre's pmtiles:// protocol, GDAL) to read straight from this server with HTTP range requests: " +
			"Accept-Ranges: bytes, single and multiple ranges (206, multipart/byteranges), 416 for a range beyond the end, " +
			"If-Range, strong ETag and Last-Modified. Built on first request and again when the data change.",
		raw: http.HandlerFunc(s.servePMTiles), produces: []string{mediaPMTiles}, schema: binary,
		responses: obj{
			"206": obj{"description": "The bytes of the requested range(s).", "content": obj{
				mediaPMTiles:           obj{"schema": binary},
				"multipart/byteranges": obj{"schema": binary}}},
			"416": obj{"description": "No requested range overlaps the archive, or the Range header asks for more than 16 ranges or is longer than 1,024 bytes (Content-Range: bytes */size)."}}}
}

// servePMTiles serves /downloads/durand.pmtiles with range requests
// (http.ServeContent: single and multiple ranges, 206 and 416, If-Range,
// If-Match, If-None-Match, If-Modified-Since, HEAD), a strong ETag and
// Last-Modified. The archive is never content-coded: its tiles are
// gzip-compressed inside it, and ranges address its bytes.
func (s *server) servePMTiles(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery != "" {
		if _, err := parseQuery(r, nil); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	a, err := s.tiles.archive(r.Context(), html.EscapeString(s.atlas.Provenance().Attribution("")))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if rg := r.Header.Get("Range"); len(rg) > maxRangeHeader || strings.Count(rg, ",") >= maxRanges {
		// RFC 9110 14.2 lets a server reject a set of many small ranges,
		// the sign of a broken client or a denial-of-service attempt; Go
		// before 1.26.9 and 1.27.2 spends CPU on them in ServeContent
		// (GO-2026-6609).
		w.Header().Set("Content-Range", "bytes */"+strconv.Itoa(len(a.body)))
		s.writeError(w, r, &apiError{status: http.StatusRequestedRangeNotSatisfiable, code: "RangeNotSatisfiable",
			description: fmt.Sprintf("at most %d ranges in at most %d bytes of Range header", maxRanges, maxRangeHeader)})
		return
	}
	h := w.Header()
	h.Set("Content-Type", mediaPMTiles)
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", cacheDownload)
	h.Set("Content-Disposition", `attachment; filename="`+allTiles+`.pmtiles"`)
	http.ServeContent(w, r, "", a.built, bytes.NewReader(a.body))
}

// A PMTiles client asks for one range at a time; a Range header with more
// than maxRanges ranges or longer than maxRangeHeader bytes is refused
// with 416.
const (
	maxRanges      = 16
	maxRangeHeader = 1024
)

// pmtilesLink is the link to the archive, for the landing page, the
// downloads and the map.
func pmtilesLink(base string) link {
	return link{Href: base + pmtilesPath, Rel: "enclosure", Type: mediaPMTiles,
		Title: "vector tiles of every layer, zooms 0-" + strconv.Itoa(pmtilesMaxZoom) + " (PMTiles, HTTP range requests)"}
}
