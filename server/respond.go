package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/durandline/durand/geo"
)

// Media types, exactly as sent in Content-Type.
const (
	mediaJSON    = "application/json"
	mediaGeoJSON = "application/geo+json"
	mediaHTML    = "text/html; charset=utf-8"
	mediaOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
)

// Cache policies.
const (
	cacheData     = "public, max-age=300"  // answers computed from the atlas
	cacheDownload = "public, max-age=3600" // download files
	cacheNone     = "no-store"             // errors, health, metrics
)

// gzipMinBytes is the smallest body worth compressing.
const gzipMinBytes = 1024

// response is what a handler produces; respond turns it into HTTP.
type response struct {
	status      int // 0 means 200
	contentType string
	body        []byte
	// parts, when set, is the body in pieces (body is then unused): large
	// pages are written without being copied into one buffer.
	parts  [][]byte
	cache  string            // Cache-Control; "" means cacheData
	header map[string]string // extra headers, e.g. Content-Disposition
	// etag, when set, is the precomputed strong validator of body (quoted).
	etag string
	// gzipped, when set, is body already compressed (for cached bodies).
	gzipped []byte
}

// apiError is an error with its HTTP status and an OGC-style code; its
// description is shown to the client.
type apiError struct {
	status      int
	code        string
	description string
	allow       string // Allow header for 405
	retryAfter  int    // Retry-After in seconds for 503, when > 0
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.description) }

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "InvalidParameterValue", description: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, code: "NotFound", description: fmt.Sprintf(format, args...)}
}

func notAcceptable(offered []string) *apiError {
	return &apiError{status: http.StatusNotAcceptable, code: "NotAcceptable",
		description: "none of the media types in the Accept header is offered here; offered: " + strings.Join(offered, ", ")}
}

// classify maps any error to an apiError: errors of package geo about the
// caller's input become 400 or 404, anything else is an internal error
// whose details are logged, not shown.
func classify(err error) (*apiError, bool) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae, false
	case errors.Is(err, geo.ErrInvalidCoordinate), errors.Is(err, geo.ErrOutOfRange):
		return badRequest("%s", strings.TrimPrefix(err.Error(), "geo: ")), false
	case errors.Is(err, geo.ErrNotFound), errors.Is(err, geo.ErrUnknownLayer):
		return notFound("%s", strings.TrimPrefix(err.Error(), "geo: ")), false
	}
	return &apiError{status: http.StatusInternalServerError, code: "InternalServerError",
		description: "the server could not answer this request; the error has been logged"}, true
}

// writeError is the one place errors become responses: JSON
// {"code": ..., "description": ...} with the error's status.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ae, internal := classify(err)
	if internal {
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	body, _ := json.Marshal(struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	}{ae.code, ae.description})
	body = append(body, '\n')
	h := w.Header()
	h.Set("Content-Type", mediaJSON)
	h.Set("Cache-Control", cacheNone)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if ae.allow != "" {
		h.Set("Allow", ae.allow)
	}
	if ae.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(ae.retryAfter))
	}
	w.WriteHeader(ae.status)
	w.Write(body)
}

// etagOf returns the strong entity tag of body: a quoted hex SHA-256 prefix.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// gzipETag is the entity tag of the gzip-coded representation.
func gzipETag(etag string) string { return strings.TrimSuffix(etag, `"`) + `-gzip"` }

// Compression of answers without a precomputed gzip coding: a body of
// up to gzipInMemory bytes is compressed whole (with Content-Length);
// a larger one is compressed as it is written, through a bounded buffer,
// so that a client reading slowly pins no copy of its body: the memory of
// a connection is gzipStreamBuffer and the compressor's, whatever the
// size of the page. A HEAD request never compresses: its answer has the
// headers of the GET without a Content-Length (RFC 9110 9.3.2 allows it).
const (
	gzipInMemory     = 64 << 10
	gzipStreamBuffer = 32 << 10
)

// respond writes a response with a strong ETag, conditional 304, Cache-Control,
// Vary, and gzip when the client accepts it. HEAD gets the same headers and
// no body.
func (s *server) respond(w http.ResponseWriter, r *http.Request, resp *response) {
	h := w.Header()
	status := resp.status
	if status == 0 {
		status = http.StatusOK
	}
	etag := resp.etag
	if etag == "" {
		etag = resp.etagOf()
	}
	cache := resp.cache
	if cache == "" {
		cache = cacheData
	}
	h.Set("Content-Type", resp.contentType)
	if resp.contentType == mediaHTML {
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
	}
	h.Set("Cache-Control", cache)
	h.Add("Vary", "Accept, Accept-Encoding")
	for k, v := range resp.header {
		h.Set(k, v)
	}
	size := resp.size()
	useGzip := size >= gzipMinBytes && acceptsGzip(r.Header.Get("Accept-Encoding"))
	if useGzip {
		etag = gzipETag(etag)
	}
	h.Set("ETag", etag)
	if status == http.StatusOK && ifNoneMatch(r.Header.Get("If-None-Match"), etag) {
		h.Del("Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if useGzip {
		h.Set("Content-Encoding", "gzip")
		switch {
		case resp.gzipped != nil:
			h.Set("Content-Length", strconv.Itoa(len(resp.gzipped)))
			w.WriteHeader(status)
			if r.Method != http.MethodHead {
				writeChunked(w, resp.gzipped)
			}
		case r.Method == http.MethodHead:
			w.WriteHeader(status)
		case size <= gzipInMemory:
			body := s.gzip(resp)
			h.Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(status)
			w.Write(body)
		default:
			w.WriteHeader(status)
			s.gzipStream(r.Context(), w, resp)
		}
		return
	}
	h.Set("Content-Length", strconv.Itoa(size))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if resp.parts == nil {
		writeChunked(w, resp.body)
		return
	}
	bw := bufio.NewWriterSize(w, gzipStreamBuffer)
	for _, p := range resp.parts {
		bw.Write(p)
	}
	bw.Flush()
}

// writeChunked writes body in pieces of gzipStreamBuffer bytes, so that
// the write-progress deadline (see progress) is renewed between them.
func writeChunked(w io.Writer, body []byte) {
	for len(body) > 0 {
		n := min(len(body), gzipStreamBuffer)
		if _, err := w.Write(body[:n]); err != nil {
			return
		}
		body = body[n:]
	}
}

// size returns the length of the body.
func (r *response) size() int {
	if r.parts == nil {
		return len(r.body)
	}
	n := 0
	for _, p := range r.parts {
		n += len(p)
	}
	return n
}

// etagOf is etagOf of the body, hashed part by part (no joined copy).
func (r *response) etagOf() string {
	if r.parts == nil {
		return etagOf(r.body)
	}
	h := sha256.New()
	for _, p := range r.parts {
		h.Write(p)
	}
	return `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
}

// gzip compresses the body of resp with a pooled writer.
func (s *server) gzip(resp *response) []byte {
	if resp.parts == nil {
		return s.gzPool.compress(resp.body)
	}
	return s.gzPool.compress(resp.parts...)
}

// gzipStream writes the body of resp gzip-coded to w as it compresses
// it, gzipStreamBuffer bytes at a time, each compressed on its own (the
// stateless coding keeps no window between chunks, so a connection holds
// no compressor state while it waits for its client). Compressing is the
// expensive part of a large answer, so each chunk is compressed within
// the work budget (waiting as long as the client stays), and the slot is
// given back before the chunk is written: however many clients read
// large answers, slowly or fast, at most MaxBusy compress at once, and a
// client that reads slowly holds no slot while it waits. A failed write
// (the client gone, or too slow: see progress) or a client gone ends it.
func (s *server) gzipStream(ctx context.Context, w io.Writer, resp *response) {
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.StatelessCompression)
	in := make([]byte, 0, gzipStreamBuffer)
	send := func(final bool) bool {
		release, err := s.budget.acquireWait(ctx)
		if err != nil {
			return false
		}
		zw.Write(in)
		if final {
			zw.Close()
		}
		release()
		in = in[:0]
		_, err = w.Write(out.Bytes())
		out.Reset()
		return err == nil
	}
	parts := resp.parts
	if parts == nil {
		parts = [][]byte{resp.body}
	}
	for _, p := range parts {
		for len(p) > 0 {
			n := min(len(p), cap(in)-len(in))
			in = append(in, p[:n]...)
			p = p[n:]
			if len(in) == cap(in) && !send(false) {
				return
			}
		}
	}
	send(true)
}

// ifNoneMatch reports whether an If-None-Match header matches etag, by the
// weak comparison RFC 9110 prescribes for it. A tag of the plain
// representation also matches its gzip-coded one and vice versa.
func ifNoneMatch(header, etag string) bool {
	plain := strings.Replace(etag, `-gzip"`, `"`, 1)
	return etagListMatches(header, func(tag string) bool {
		return tag == etag || tag == plain || tag == gzipETag(plain)
	})
}

// etagListMatches walks an If-None-Match header without allocating: it
// reports whether it is "*" or lists a tag (its W/ prefix removed, weak
// comparison) for which match is true.
func etagListMatches(header string, match func(tag string) bool) bool {
	for header != "" {
		var tag string
		tag, header, _ = strings.Cut(header, ",")
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || match(tag) {
			return true
		}
	}
	return false
}
