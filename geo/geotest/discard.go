package geotest

import "net/http"

// DiscardResponse is an http.ResponseWriter that keeps the headers, the
// status and the number of body bytes written, and nothing else, so that a
// benchmark measures the handler rather than a response recorder.
type DiscardResponse struct {
	Code  int // the status written, 0 before WriteHeader
	Bytes int // body bytes written
	h     http.Header
}

// NewDiscardResponse returns an empty DiscardResponse.
func NewDiscardResponse() *DiscardResponse { return &DiscardResponse{h: http.Header{}} }

// Header returns the response headers.
func (d *DiscardResponse) Header() http.Header { return d.h }

// WriteHeader records the status.
func (d *DiscardResponse) WriteHeader(code int) { d.Code = code }

// Write counts the bytes of b and drops them.
func (d *DiscardResponse) Write(b []byte) (int, error) { d.Bytes += len(b); return len(b), nil }

// Reset clears the headers, status and count for the next request.
func (d *DiscardResponse) Reset() {
	clear(d.h)
	d.Code, d.Bytes = 0, 0
}
