package server

import (
	"net/http"
	"strconv"
	"strings"
)

// format is a representation a resource can be served in.
type format int

const (
	formatJSON format = iota
	formatHTML
)

// splitQ splits one element of an Accept-style header into its value and
// its quality (1 when absent, -1 when malformed).
func splitQ(part string) (string, float64) {
	fields := strings.Split(part, ";")
	name := strings.TrimSpace(fields[0])
	q := 1.0
	for _, p := range fields[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || x < 0 || x > 1 {
				return name, -1
			}
			q = x
		}
	}
	return name, q
}

// acceptQ returns the quality the Accept header gives to the media type
// typ ("type/subtype"), using the most specific matching range, or 0.
func acceptQ(ranges [][2]string, qs []float64, typ string) float64 {
	main, _, _ := strings.Cut(typ, "/")
	best, spec := 0.0, -1
	for i, rg := range ranges {
		s := -1
		switch {
		case rg[0] == typ:
			s = 2
		case rg[0] == main+"/*":
			s = 1
		case rg[0] == "*/*":
			s = 0
		}
		if s > spec || (s == spec && s >= 0 && qs[i] > best) {
			if s >= 0 {
				best, spec = qs[i], s
			}
		}
	}
	return best
}

// negotiate chooses the representation of a resource that offers JSON and,
// when html is true, HTML. The f query parameter (already validated as
// "json" or "html") wins over the Accept header; without either, JSON.
func negotiate(r *http.Request, f string, html bool) (format, error) {
	switch f {
	case "json":
		return formatJSON, nil
	case "html":
		if html {
			return formatHTML, nil
		}
	}
	header := r.Header.Get("Accept")
	if strings.TrimSpace(header) == "" {
		return formatJSON, nil
	}
	var ranges [][2]string
	var qs []float64
	for _, part := range strings.Split(header, ",") {
		name, q := splitQ(part)
		if name == "" || q < 0 {
			continue
		}
		ranges = append(ranges, [2]string{strings.ToLower(name)})
		qs = append(qs, q)
		// application/something+json counts as JSON.
		if n := strings.ToLower(name); strings.HasPrefix(n, "application/") && strings.HasSuffix(n, "+json") {
			ranges[len(ranges)-1][0] = mediaJSON
		}
	}
	qJSON := 0.0
	// The media types a client may ask for to get JSON.
	for _, t := range [...]string{mediaJSON, mediaGeoJSON, "application/schema+json", "application/vnd.oai.openapi+json", "application/openapi+json"} {
		qJSON = max(qJSON, acceptQ(ranges, qs, t))
	}
	qHTML := 0.0
	if html {
		qHTML = max(acceptQ(ranges, qs, "text/html"), acceptQ(ranges, qs, "application/xhtml+xml"))
	}
	switch {
	case qJSON <= 0 && qHTML <= 0:
		offered := []string{mediaJSON}
		if html {
			offered = append(offered, "text/html")
		}
		return 0, notAcceptable(offered)
	case qHTML > qJSON:
		return formatHTML, nil
	}
	return formatJSON, nil
}

// wantsOpenAPIType reports whether the Accept header names the OpenAPI
// media type explicitly.
func wantsOpenAPIType(r *http.Request) bool {
	a := strings.ToLower(r.Header.Get("Accept"))
	return strings.Contains(a, "application/vnd.oai.openapi+json")
}
