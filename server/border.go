package server

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/layers/export"
)

// borderMethod says how the border length is measured.
const borderMethod = "Sum of the geodesic lengths of the segments of the border line as stored, on the WGS84 ellipsoid " +
	"(Karney's algorithm, as in GeographicLib); chainage is measured the same way from the Iran–Afghanistan–Pakistan tripoint."

func (s *server) locate(r *http.Request, q query) (*response, error) {
	fm, err := s.negotiateQ(r, q, true)
	if err != nil {
		return nil, err
	}
	lon, err := q.requiredNumber("lon")
	if err != nil {
		return nil, err
	}
	lat, err := q.requiredNumber("lat")
	if err != nil {
		return nil, err
	}
	d, given, err := dayParam(q)
	if err != nil {
		return nil, err
	}
	loc, err := s.atlas.Locate(orb.Point{lon, lat})
	if err != nil {
		return nil, err
	}
	// The nearest crossing's status on the day (datetime, else the default
	// day of the crisis layers).
	if c := loc.NearestCrossing; c != nil && s.colls.crisis != nil {
		if !given {
			d = s.colls.crisis.defaultDay(time.Now())
		}
		if st, err := s.atlas.CrossingStatus(c.ID, d); err == nil {
			c.Status, c.StatusDate = st, d.Format(time.DateOnly)
		}
	}
	if fm == formatHTML {
		return s.locatePage(r, loc)
	}
	return jsonResponse(loc, mediaJSON)
}

// locatePage is the HTML answer of /locate, what the landing page's form
// opens: the answer in words, with the JSON a link away.
func (s *server) locatePage(r *http.Request, loc geo.Location) (*response, error) {
	base := s.baseURL(r)
	self := fmt.Sprintf("%s/locate?lon=%s&lat=%s", base, strconv.FormatFloat(loc.Lon, 'f', -1, 64), strconv.FormatFloat(loc.Lat, 'f', -1, 64))
	links := []link{{Href: self, Rel: "alternate", Type: mediaJSON, Title: "this answer as JSON"}}
	d := map[string]any{"loc": loc, "km": round(loc.Border.Metres/1000, 3), "base": base}
	if c := loc.NearestCrossing; c != nil {
		d["crossingKm"] = round(c.Metres/1000, 3)
	}
	title := fmt.Sprintf("%.5f° E, %.5f° N", loc.Lon, loc.Lat)
	return s.page(r, "locate", title, d, links)
}

// tripoint is one end of the border.
type tripoint struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Lon        float64 `json:"lon"`
	Lat        float64 `json:"lat"`
	ChainageKm float64 `json:"chainage_km"`
}

// tripointName turns "IRN-AFG-PAK" into "Iran–Afghanistan–Pakistan tripoint".
func tripointName(code string) string {
	names := map[string]string{"AFG": "Afghanistan", "PAK": "Pakistan", "IRN": "Iran", "CHN": "China", "IND": "India", "TJK": "Tajikistan"}
	parts := strings.Split(code, "-")
	for i, p := range parts {
		if n, ok := names[p]; ok {
			parts[i] = n
		}
	}
	return strings.Join(parts, "–") + " tripoint"
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func (s *server) border(r *http.Request, q query) (*response, error) {
	if _, err := s.negotiateQ(r, q, false); err != nil {
		return nil, err
	}
	b := s.atlas.Border()
	base := s.baseURL(r)
	from, to := "start", "end"
	if fs, err := s.atlas.Features(geo.LayerBorder); err == nil && len(fs) > 0 {
		if v, ok := fs[0].Properties["from"].(string); ok && v != "" {
			from = v
		}
		if v, ok := fs[0].Properties["to"].(string); ok && v != "" {
			to = v
		}
	}
	first, last := b.Line[0], b.Line[len(b.Line)-1]
	lengthKm := b.Length() / 1000
	doc := map[string]any{
		"id":              b.ID,
		"name":            b.Name,
		"length_m":        round(b.Length(), 3),
		"length_km":       round(lengthKm, 3),
		"vertices":        b.Vertices(),
		"cited_length_km": geo.CitedBorderLengthKm,
		"length_note":     geo.BorderLengthNote,
		"method":          borderMethod,
		"tripoints": []tripoint{
			{ID: from, Name: tripointName(from), Lon: first[0], Lat: first[1], ChainageKm: 0},
			{ID: to, Name: tripointName(to), Lon: last[0], Lat: last[1], ChainageKm: round(lengthKm, 3)},
		},
		"attribution": s.atlas.Provenance().Attribution(geo.LayerBorder),
		"links": []link{
			{Href: base + "/border", Rel: "self", Type: mediaJSON, Title: "this document"},
			{Href: base + "/collections/border", Rel: "related", Type: mediaJSON, Title: "the border as a feature collection"},
			{Href: base + "/border/point?km=" + strconv.FormatFloat(round(lengthKm/2, 1), 'f', -1, 64), Rel: "related", Type: mediaGeoJSON, Title: "the point half-way along"},
			{Href: base + "/border/segment?from_km=0&to_km=100", Rel: "related", Type: mediaGeoJSON, Title: "the first 100 km"},
		},
	}
	return jsonResponse(doc, mediaJSON)
}

// featureResponse encodes a GeoJSON feature with links.
func featureResponse(g orb.Geometry, props geojson.Properties, links []link) (*response, error) {
	f := geojson.NewFeature(g)
	f.Properties = props
	b, err := f.MarshalJSON()
	if err != nil {
		return nil, err
	}
	b = bytes.TrimRight(b, " \n")
	lr, err := jsonResponse(links, mediaJSON)
	if err != nil {
		return nil, err
	}
	body := append(b[:len(b)-1:len(b)-1], `,"links":`...)
	body = append(body, bytes.TrimRight(lr.body, "\n")...)
	body = append(body, "}\n"...)
	return &response{contentType: mediaGeoJSON, body: body}, nil
}

func (s *server) borderPoint(r *http.Request, q query) (*response, error) {
	if _, err := s.negotiateQ(r, q, false); err != nil {
		return nil, err
	}
	km, err := q.requiredNumber("km")
	if err != nil {
		return nil, err
	}
	p, err := s.atlas.Border().PointAt(km)
	if err != nil {
		return nil, err
	}
	base := s.baseURL(r)
	return featureResponse(p, geojson.Properties{"km": km, "lon": p[0], "lat": p[1]}, []link{
		{Href: base + "/border/point?km=" + url.QueryEscape(q["km"]), Rel: "self", Type: mediaGeoJSON},
		{Href: base + "/border", Rel: "related", Type: mediaJSON, Title: "the border"},
	})
}

func (s *server) borderSegment(r *http.Request, q query) (*response, error) {
	if _, err := s.negotiateQ(r, q, false); err != nil {
		return nil, err
	}
	from, err := q.requiredNumber("from_km")
	if err != nil {
		return nil, err
	}
	to, err := q.requiredNumber("to_km")
	if err != nil {
		return nil, err
	}
	line, err := s.atlas.Border().Between(from, to)
	if err != nil {
		return nil, err
	}
	base := s.baseURL(r)
	return featureResponse(line, geojson.Properties{
		"from_km":   math.Min(from, to),
		"to_km":     math.Max(from, to),
		"length_km": round(geo.LineLength(line)/1000, 3),
		"vertices":  len(line),
	}, []link{
		{Href: base + "/border/segment?from_km=" + url.QueryEscape(q["from_km"]) + "&to_km=" + url.QueryEscape(q["to_km"]), Rel: "self", Type: mediaGeoJSON},
		{Href: base + "/border", Rel: "related", Type: mediaJSON, Title: "the border"},
	})
}

func (s *server) healthz(r *http.Request, q query) (*response, error) {
	resp, err := jsonResponse(map[string]any{"status": "ok", "collections": len(s.colls.list)}, mediaJSON)
	if err != nil {
		return nil, err
	}
	resp.cache = cacheNone
	return resp, nil
}

func (s *server) downloads(r *http.Request, q query) (*response, error) {
	fm, err := s.negotiateQ(r, q, true)
	if err != nil {
		return nil, err
	}
	base := s.baseURL(r)
	type file struct {
		Collection string `json:"collection"`
		Format     string `json:"format"`
		Href       string `json:"href"`
		Type       string `json:"type"`
		Title      string `json:"title"`
	}
	var files []file
	for _, c := range s.colls.list {
		for _, f := range export.Formats() {
			files = append(files, file{Collection: c.id, Format: string(f),
				Href:  base + "/downloads/" + url.PathEscape(c.id) + "." + f.Ext(),
				Type:  strings.Split(f.ContentType(), ";")[0],
				Title: c.title + " (" + formatTitle(f) + ")"})
		}
	}
	pm := pmtilesLink(base)
	files = append(files, file{Collection: allTiles, Format: "pmtiles", Href: pm.Href, Type: pm.Type, Title: "Every layer: " + pm.Title})
	links := selfLinks(base, "/downloads", fm, mediaJSON, nil)
	doc := map[string]any{"downloads": files, "attribution": s.atlas.Provenance().Attribution(""), "links": links}
	if fm == formatHTML {
		return s.page(r, "downloads", "Downloads", doc, links)
	}
	return jsonResponse(doc, mediaJSON)
}

func (s *server) download(r *http.Request, q query) (*response, error) {
	c, err := s.collectionOf(r)
	if err != nil {
		return nil, err
	}
	ext := mux.Vars(r)["format"]
	switch ext {
	case "csvt", "prj": // the CSV's sidecars: column types and CRS
		body := export.PRJ
		if ext == "csvt" {
			body = export.CSVTypes(c.downloads[export.CSV].layer) // the columns of the CSV download
		}
		return &response{contentType: "text/plain; charset=utf-8", body: []byte(body), cache: cacheDownload}, nil
	}
	f, err := export.ParseFormat(ext)
	if err != nil || f.Ext() != ext {
		return nil, notFound("no download %q for %s: formats are geojson, gpkg, kml and csv (with its sidecars csvt and prj)", truncate(ext, 50), c.id)
	}
	d := c.downloads[f]
	if !d.built.Load() { // built on first request: expensive work, within the budget
		release, err := s.budget.acquire(r.Context(), "a download")
		if err != nil {
			return nil, err
		}
		defer release()
	}
	d.once.Do(func() {
		defer d.built.Store(true)
		var buf bytes.Buffer
		if d.err = export.Write(&buf, d.layer, f); d.err != nil {
			return
		}
		d.body = buf.Bytes()
		d.etag = etagOf(d.body)
		if len(d.body) >= gzipMinBytes {
			d.gz = s.gzip(&response{body: d.body})
		}
	})
	if d.err != nil {
		return nil, fmt.Errorf("server: download %s.%s: %w", c.id, ext, d.err)
	}
	return &response{
		contentType: f.ContentType(),
		body:        d.body,
		etag:        d.etag,
		gzipped:     d.gz,
		cache:       cacheDownload,
		header:      map[string]string{"Content-Disposition": `attachment; filename="` + export.FileName(c.id, f) + `"`},
	}, nil
}
