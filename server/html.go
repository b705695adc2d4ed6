package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/durandline/durand/geo/geojsonio"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pageNames are the HTML pages, one template file each.
func pageNames() []string {
	return []string{"landing", "conformance", "api", "collections", "collection", "queryables", "items", "item", "downloads", "locate"}
}

// crumb is one step of the breadcrumb trail.
type crumb struct{ Title, Href string }

// pageData is what every page template receives.
type pageData struct {
	Title       string
	Site        string // the landing page title
	Base        string
	Crumbs      []crumb
	JSON        string // the JSON alternate of the page
	Attribution string
	D           any
}

// parsePages parses the layout with each page.
func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"pathEscape": url.PathEscape,
		"join":       strings.Join,
	}
	out := map[string]*template.Template{}
	for _, name := range pageNames() {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("server: template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// crumbs returns the breadcrumb trail of a request path.
func crumbs(base, path string, titles map[string]string) []crumb {
	out := []crumb{{"Home", base + "/"}}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	acc := ""
	for i, p := range parts {
		if p == "" {
			continue
		}
		acc += "/" + p
		t := p
		if x, ok := titles[p]; ok && i > 0 && parts[i-1] == "collections" {
			t = x
		} else if x, ok := map[string]string{"collections": "Collections", "items": "Features", "queryables": "Queryables",
			"conformance": "Conformance", "api": "API", "downloads": "Downloads"}[p]; ok && (i == 0 || i == 2) {
			t = x
		}
		if u, err := url.PathUnescape(t); err == nil {
			t = u
		}
		out = append(out, crumb{t, base + acc + "?f=html"})
	}
	return out
}

// page renders an HTML page.
func (s *server) page(r *http.Request, name, title string, d any, links []link) (*response, error) {
	base := s.baseURL(r)
	titles := map[string]string{}
	for _, c := range s.colls.list {
		titles[c.id] = c.title
	}
	pd := pageData{
		Title:       title,
		Site:        s.title,
		Base:        base,
		Crumbs:      crumbs(base, r.URL.EscapedPath(), titles),
		Attribution: s.atlas.Provenance().Attribution(""),
		D:           d,
	}
	for _, l := range links {
		if l.Rel == "alternate" && l.Type != "text/html" {
			pd.JSON = l.Href
		}
	}
	var buf bytes.Buffer
	if err := s.pages[name].Execute(&buf, pd); err != nil {
		return nil, fmt.Errorf("server: page %s: %w", name, err)
	}
	return &response{contentType: mediaHTML, body: buf.Bytes(),
		header: map[string]string{"Content-Security-Policy": s.pageCSP()}}, nil
}

// pageCSP is the Content-Security-Policy of the HTML pages: no scripts,
// no connections, no frames; of styles only the layout's own <style>
// element (by its hash); images only from this server or data: URLs; the
// landing page's form may submit to this server (or to BaseURL's origin,
// behind a proxy) only.
func (s *server) pageCSP() string {
	form := "'self'"
	if u, err := url.Parse(s.base); err == nil && u.Host != "" {
		form += " " + u.Scheme + "://" + u.Host
	}
	return "default-src 'none'; style-src " + layoutStyleSource() + "; img-src 'self' data:; base-uri 'none'; form-action " + form +
		"; frame-ancestors 'none'"
}

// layoutStyleSource is the CSP source allowing the <style> element of
// templates/layout.html: its SHA-256 hash ('unsafe-inline' if the layout
// had no single static <style> element).
func layoutStyleSource() string {
	b, err := templateFiles.ReadFile("templates/layout.html")
	if err != nil {
		return "'unsafe-inline'"
	}
	_, rest, ok1 := strings.Cut(string(b), "<style>")
	css, rest, ok2 := strings.Cut(rest, "</style>")
	if !ok1 || !ok2 || strings.Contains(css, "{{") || strings.Contains(rest, "<style") {
		return "'unsafe-inline'"
	}
	sum := sha256.Sum256([]byte(css))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// itemRow is one feature in the table of the items page.
type itemRow struct {
	ID, Name, Href string
	Props          [][2]string
}

func (s *server) itemsPage(r *http.Request, c *collection, page []int, matched, offset, limit int, links []link) (*response, error) {
	base := s.baseURL(r)
	rows := make([]itemRow, len(page))
	for k, i := range page {
		f := c.features[i]
		id := geojsonio.FeatureID(f)
		name, _ := f.Properties["name"].(string)
		var props [][2]string
		for _, q := range c.queryables {
			if q.name == "id" || q.name == "name" {
				continue
			}
			props = append(props, sortedProps(map[string]any{q.name: f.Properties[q.name]})...)
		}
		rows[k] = itemRow{ID: id, Name: name, Props: props,
			Href: base + "/collections/" + url.PathEscape(c.id) + "/items/" + url.PathEscape(id) + "?f=html"}
	}
	var cols []string
	for _, q := range c.queryables {
		if q.name != "id" && q.name != "name" {
			cols = append(cols, q.name)
		}
	}
	var next, prev string
	for _, l := range links {
		switch l.Rel {
		case "next":
			next = l.Href
		case "prev":
			prev = l.Href
		}
	}
	first := offset + 1
	if len(page) == 0 {
		first = 0
	}
	d := map[string]any{
		"c": c.view(), "rows": rows, "cols": cols, "matched": matched, "returned": len(page),
		"first": first, "last": offset + len(page), "limit": limit,
		"next": next, "prev": prev, "map": s.mapOf(base, c, page, ""),
	}
	return s.page(r, "items", c.title+": features", d, links)
}

func (s *server) itemPage(r *http.Request, c *collection, i int, links []link) (*response, error) {
	f := c.features[i]
	id := geojsonio.FeatureID(f)
	name, _ := f.Properties["name"].(string)
	title := name
	if title == "" {
		title = id
	}
	d := map[string]any{
		"c": c.view(), "id": id, "name": name, "type": f.Geometry.GeoJSONType(),
		"props": sortedProps(f.Properties), "map": s.mapOf(s.baseURL(r), c, []int{i}, id),
	}
	return s.page(r, "item", title, d, links)
}

// collView is the part of a collection that pages show.
type collView struct {
	ID, Title, Description, Attribution string
	Count                               int
	GeomType                            string
	BBox                                [4]float64
	Start, End                          string // temporal extent, dates
	Queryables                          []queryView
}

type queryView struct{ Name, Type string }

func (c *collection) view() collView {
	v := collView{ID: c.id, Title: c.title, Description: c.description, Attribution: c.attribution,
		Count: len(c.features), GeomType: c.geomType,
		BBox: [4]float64{c.extent().Min[0], c.extent().Min[1], c.extent().Max[0], c.extent().Max[1]}}
	if c.temporal != nil {
		v.Start, v.End = c.temporal.min.Format("2006-01-02"), c.temporal.max.Format("2006-01-02")
	}
	for _, q := range c.queryables {
		v.Queryables = append(v.Queryables, queryView{q.name, q.typ})
	}
	return v
}
