package server

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/layers/export"
)

// The map viewer: /map, a page that loads MapLibre GL JS (from
// Config.MapLibreURL, or from a local copy under /vendor/maplibre/ when
// Config.MapLibreDir is set) and shows /styles/durand.json.

// Media types of the viewer's files.
const (
	mediaJS  = "text/javascript; charset=utf-8"
	mediaCSS = "text/css; charset=utf-8"
)

// DefaultMapLibreURL is where the map page loads MapLibre GL JS from when
// neither Config.MapLibreURL nor Config.MapLibreDir is set: the public CDN
// copy of the npm package, fetched by the user's browser.
const DefaultMapLibreURL = "https://unpkg.com/maplibre-gl@6.17.0/dist"

// vendorPrefix is the path the local copy of MapLibre is served under.
const vendorPrefix = "/vendor/maplibre"

// maxVendorFile bounds the size of one file of the local MapLibre copy.
const maxVendorFile = 16 << 20

//go:embed templates/map.html templates/map.js templates/map.css
var mapFiles embed.FS

// staticFile is a file served from memory with its validator and gzip
// coding computed once.
type staticFile struct {
	contentType string
	body, gz    []byte
	etag        string
}

func newStaticFile(contentType string, body []byte, s *server) *staticFile {
	f := &staticFile{contentType: contentType, body: body, etag: etagOf(body)}
	if len(body) >= gzipMinBytes {
		f.gz = s.gzip(&response{body: body})
	}
	return f
}

func (f *staticFile) response() *response {
	return &response{contentType: f.contentType, body: f.body, etag: f.etag, gzipped: f.gz, cache: cacheDownload}
}

// mapView holds the parsed page and its assets.
type mapView struct {
	page      *template.Template
	assets    map[string]*staticFile
	maplibre  string // base URL of MapLibre's dist folder; may be a path on this server
	cspOrigin string // origin of MapLibre when not this server, for the CSP
}

// validateMapLibre checks Config.MapLibreURL and Config.MapLibreDir.
func validateMapLibre(c Config) error {
	if c.MapLibreURL != "" {
		u, err := url.Parse(c.MapLibreURL)
		abs := err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
		path := err == nil && u.Scheme == "" && u.Host == "" && strings.HasPrefix(u.Path, "/")
		if err != nil || (!abs && !path) || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("%w: MapLibreURL %q is not an absolute http(s) URL or a path starting with /", ErrConfig, c.MapLibreURL)
		}
	}
	if c.MapLibreDir != "" {
		st, err := os.Stat(filepath.Join(c.MapLibreDir, "maplibre-gl.mjs"))
		if err != nil || !st.Mode().IsRegular() {
			return fmt.Errorf("%w: MapLibreDir %q has no maplibre-gl.mjs (give the dist folder of the maplibre-gl npm package, 6.x)", ErrConfig, c.MapLibreDir)
		}
	}
	return nil
}

// newMapView parses the page and loads the local MapLibre copy, if any.
func (s *server) newMapView(cfg Config) error {
	if err := validateMapLibre(cfg); err != nil {
		return err
	}
	page, err := template.ParseFS(mapFiles, "templates/map.html")
	if err != nil {
		return fmt.Errorf("server: map page: %w", err)
	}
	mv := &mapView{page: page, assets: map[string]*staticFile{}}
	for name, typ := range map[string]string{"map.js": mediaJS, "map.css": mediaCSS} {
		b, err := mapFiles.ReadFile("templates/" + name)
		if err != nil {
			return fmt.Errorf("server: map asset: %w", err)
		}
		mv.assets[name] = newStaticFile(typ, b, s)
	}
	mv.maplibre = strings.TrimRight(cfg.MapLibreURL, "/")
	if mv.maplibre == "" {
		mv.maplibre = DefaultMapLibreURL
	}
	if cfg.MapLibreDir != "" {
		if s.vendor, err = s.loadVendor(cfg.MapLibreDir); err != nil {
			return err
		}
		mv.maplibre = vendorPrefix
	}
	if u, err := url.Parse(mv.maplibre); err == nil && u.Host != "" {
		mv.cspOrigin = u.Scheme + "://" + u.Host
	}
	s.mapView = mv
	return nil
}

// loadVendor reads the files of MapLibre's dist folder that a browser
// loads (modules, worker, stylesheet; not the -dev builds, source maps or
// type declarations) into memory.
func (s *server) loadVendor(dir string) (map[string]*staticFile, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: MapLibreDir: %v", ErrConfig, err)
	}
	out := map[string]*staticFile{}
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || strings.Contains(name, "-dev") {
			continue
		}
		var typ string
		switch filepath.Ext(name) {
		case ".mjs", ".js":
			typ = mediaJS
		case ".css":
			typ = mediaCSS
		default:
			continue
		}
		info, err := e.Info()
		if err != nil || info.Size() > maxVendorFile {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("%w: MapLibreDir: %v", ErrConfig, err)
		}
		out[name] = newStaticFile(typ, b, s)
	}
	return out, nil
}

// vendorFile serves /vendor/maplibre/{file}.
func (s *server) vendorFile(r *http.Request, q query) (*response, error) {
	name := mux.Vars(r)["file"]
	f, ok := s.vendor[name]
	if !ok {
		return nil, notFound("no file %q in the MapLibre copy served here", truncate(name, 100))
	}
	return f.response(), nil
}

// mapAsset serves /map/{asset}.
func (s *server) mapAsset(r *http.Request, q query) (*response, error) {
	name := mux.Vars(r)["asset"]
	f, ok := s.mapView.assets[name]
	if !ok {
		return nil, notFound("no file %q of the map page (map.js, map.css)", truncate(name, 100))
	}
	return f.response(), nil
}

// contentSecurityPolicy is the CSP of the map page: scripts, styles and
// workers from this server and MapLibre's origin (workers also from blob:
// URLs, which MapLibre uses to start a worker from another origin), data
// only from this server, nothing framed, no forms.
func (mv *mapView) contentSecurityPolicy() string {
	o := ""
	if mv.cspOrigin != "" {
		o = " " + mv.cspOrigin
	}
	return "default-src 'none'; script-src 'self'" + o + "; style-src 'self'" + o +
		"; worker-src 'self' blob:" + o + "; child-src 'self' blob:" + o + "; connect-src 'self'" + o +
		"; img-src 'self' data: blob:; font-src 'self'" + o +
		"; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// mapDownload is one link of the page's download list.
type mapDownload struct {
	Title string
	Links []link
}

// mapConfig is what map.js reads from the page.
type mapConfig struct {
	MapLibre string `json:"maplibre"`
	Style    string `json:"style"`
	Base     string `json:"base"`
	// Bounds is the border region (geo.Atlas.Region), the first view
	// when the URL does not give one.
	Bounds [4]float64 `json:"bounds"`
}

// mapPage serves /map.
func (s *server) mapPage(r *http.Request, q query) (*response, error) {
	if d, ok := q["day"]; ok {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return nil, badRequest("day %q: want a date, YYYY-MM-DD", truncate(d, 40))
		}
	}
	base := s.baseURL(r)
	st, err := s.tiles.current()
	if err != nil {
		return nil, err
	}
	fields := map[string]string{}
	for _, li := range st.layers {
		if li.Name == geo.LayerCrossings {
			fields = li.Fields
		}
	}
	prop, colours := crossingColours(fields)
	var dls []mapDownload
	for _, c := range s.colls.list {
		d := mapDownload{Title: c.title}
		for _, f := range export.Formats() {
			d.Links = append(d.Links, link{Href: base + "/downloads/" + url.PathEscape(c.id) + "." + f.Ext(), Title: formatTitle(f)})
		}
		d.Links = append(d.Links, link{Href: base + "/tiles/" + url.PathEscape(c.id) + ".json", Title: "TileJSON"})
		dls = append(dls, d)
	}
	dls = append(dls, mapDownload{Title: "Vector tiles of every layer", Links: []link{pmtilesLink(base), {Href: base + "/tiles/" + allTiles + ".json", Title: "TileJSON"}}})
	ml := s.mapView.maplibre
	if strings.HasPrefix(ml, "/") {
		ml = base + ml
	}
	// html/template writes cfg as JSON into the script element.
	region := s.atlas.Region()
	cfg := mapConfig{MapLibre: ml, Style: base + "/styles/durand.json", Base: base,
		Bounds: [4]float64{region.Min[0], region.Min[1], region.Max[0], region.Max[1]}}
	var layers []string
	for _, li := range st.layers {
		layers = append(layers, li.Name)
	}
	zoneLegend, eventLegend := crisisLegend(st.layers)
	d := map[string]any{
		"Zones": zoneLegend, "Events": eventLegend,
		"Title": s.title + ": map", "Site": s.title, "Base": base, "MapLibre": ml, "LocalMapLibre": s.vendor != nil,
		"Config": cfg, "CrossingProp": prop, "Crossings": colours, "Downloads": dls, "Extra": extraLegend(st.layers),
		"Layers": layers, "Attribution": s.atlas.Provenance().Attribution(""), "HasDistricts": s.atlas.HasDistricts(),
	}
	var buf bytes.Buffer
	if err := s.mapView.page.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("server: map page: %w", err)
	}
	return &response{contentType: mediaHTML, body: buf.Bytes(),
		header: map[string]string{"Content-Security-Policy": s.mapView.contentSecurityPolicy()}}, nil
}
