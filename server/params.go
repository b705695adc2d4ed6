package server

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Paging limits of the items resources.
const (
	defaultLimit = 100
	maxLimit     = 10000
	// maxValueLen bounds the length of one query parameter value.
	maxValueLen = 256
	// maxFilterLen bounds a CQL2 filter (the query string is bounded to
	// 4 KiB before, see maxRawQuery).
	maxFilterLen = 4096
)

// query is a validated query string: each parameter at most once.
type query map[string]string

// parseQuery validates the query string of r: well-formed, only the
// parameters named in allowed, none repeated, none empty, none longer than
// maxValueLen bytes.
func parseQuery(r *http.Request, allowed []string) (query, error) {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("malformed query string: %v", err)
	}
	q := make(query, len(vals))
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := vals[k]
		if !slices.Contains(allowed, k) {
			if len(k) > 64 {
				k = k[:64] + "…"
			}
			if len(allowed) == 0 {
				return nil, badRequest("unknown parameter %q: this resource takes no parameters", k)
			}
			return nil, badRequest("unknown parameter %q (allowed: %s)", k, strings.Join(allowed, ", "))
		}
		if len(v) > 1 {
			return nil, badRequest("parameter %q is given %d times; give it once", k, len(v))
		}
		if v[0] == "" {
			return nil, badRequest("parameter %q is empty", k)
		}
		if limit := valueLimit(k); len(v[0]) > limit {
			return nil, badRequest("parameter %q is longer than %d bytes", k, limit)
		}
		q[k] = v[0]
	}
	return q, nil
}

// valueLimit is the longest value parameter k may have.
func valueLimit(k string) int {
	if k == "filter" {
		return maxFilterLen
	}
	return maxValueLen
}

// isDecimal reports whether s is a plain decimal number: an optional sign,
// digits with at most one point, an optional exponent; no NaN, Inf, hex or
// underscores.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits, point := 0, false
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			digits++
		} else if c == '.' && !point {
			point = true
		} else {
			break
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// parseNumber parses a finite decimal number.
func parseNumber(name, s string) (float64, error) {
	if !isDecimal(s) {
		return 0, badRequest("parameter %q: %q is not a decimal number", name, s)
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, badRequest("parameter %q: %q is out of range", name, s)
	}
	return x, nil
}

// parseInt parses a decimal integer.
func parseInt(name, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, badRequest("parameter %q: %q is out of range", name, s)
		}
		return 0, badRequest("parameter %q: %q is not an integer", name, s)
	}
	return n, nil
}

// requiredNumber returns the number in parameter name, which must be present.
func (q query) requiredNumber(name string) (float64, error) {
	s, ok := q[name]
	if !ok {
		return 0, badRequest("parameter %q is required", name)
	}
	return parseNumber(name, s)
}

// limitOffset returns the limit (default 100, values above 10,000 clamped)
// and the offset (default 0).
func (q query) limitOffset() (limit, offset int, err error) {
	limit, offset = defaultLimit, 0
	if s, ok := q["limit"]; ok {
		if limit, err = parseInt("limit", s); err != nil {
			return 0, 0, err
		}
		if limit < 1 {
			return 0, 0, badRequest("parameter \"limit\" must be at least 1, not %d", limit)
		}
		limit = min(limit, maxLimit)
	}
	if s, ok := q["offset"]; ok {
		if offset, err = parseInt("offset", s); err != nil {
			return 0, 0, err
		}
		if offset < 0 {
			return 0, 0, badRequest("parameter \"offset\" must not be negative, not %d", offset)
		}
	}
	return limit, offset, nil
}

// bbox returns the bounding box of the bbox parameter (4 numbers, or 6
// with heights that are ignored), in CRS84, and whether one was given.
func (q query) bbox() (orb.Bound, bool, error) {
	s, ok := q["bbox"]
	if !ok {
		return orb.Bound{}, false, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return orb.Bound{}, false, badRequest("parameter \"bbox\" must be 4 numbers (minLon,minLat,maxLon,maxLat), got %d values", len(parts))
	}
	v := make([]float64, len(parts))
	for i, p := range parts {
		x, err := parseNumber("bbox", strings.TrimSpace(p))
		if err != nil {
			return orb.Bound{}, false, err
		}
		v[i] = x
	}
	if len(v) == 6 {
		if v[2] > v[5] {
			return orb.Bound{}, false, badRequest("parameter \"bbox\": minimum height %v is above maximum %v", v[2], v[5])
		}
		v = []float64{v[0], v[1], v[3], v[4]}
	}
	minx, miny, maxx, maxy := v[0], v[1], v[2], v[3]
	switch {
	case minx < -180 || maxx > 180 || minx > 180 || maxx < -180:
		return orb.Bound{}, false, badRequest("parameter \"bbox\": longitudes must be within [-180, 180]")
	case miny < -90 || maxy > 90 || miny > 90 || maxy < -90:
		return orb.Bound{}, false, badRequest("parameter \"bbox\": latitudes must be within [-90, 90]")
	case minx > maxx:
		return orb.Bound{}, false, badRequest("parameter \"bbox\": minimum longitude %v is east of maximum %v (boxes across the antimeridian are not supported)", minx, maxx)
	case miny > maxy:
		return orb.Bound{}, false, badRequest("parameter \"bbox\": minimum latitude %v is north of maximum %v", miny, maxy)
	}
	return orb.Bound{Min: orb.Point{minx, miny}, Max: orb.Point{maxx, maxy}}, true, nil
}

// interval is a closed time interval; a zero end is open.
type interval struct{ start, end time.Time }

// contains reports whether the interval [a, b] (b zero: the instant a)
// intersects iv.
func (iv interval) intersects(a, b time.Time) bool {
	if b.IsZero() {
		b = a
	}
	if !iv.start.IsZero() && b.Before(iv.start) {
		return false
	}
	if !iv.end.IsZero() && a.After(iv.end) {
		return false
	}
	return true
}

// parseTime parses an RFC 3339 date-time or full date; a date stands for
// the whole day (its start, or its end when end is true).
func parseTime(s string, end bool) (time.Time, error) {
	if strings.ContainsAny(s, "tz") { // RFC 3339 allows T and Z in lower case
		s = strings.ToUpper(s)
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, err
	}
	if end {
		t = t.Add(24*time.Hour - time.Nanosecond)
	}
	return t, nil
}

// datetime returns the interval of the datetime parameter: an instant, or
// start/end with ".." or "" for an open end.
func (q query) datetime() (interval, bool, error) {
	s, ok := q["datetime"]
	if !ok {
		return interval{}, false, nil
	}
	bad := func() (interval, bool, error) {
		return interval{}, false, badRequest("parameter \"datetime\": %q is not an RFC 3339 date-time, date or interval (start/end, with .. for an open end)", s)
	}
	a, b, isInterval := strings.Cut(s, "/")
	if !isInterval {
		t0, err := parseTime(s, false)
		if err != nil {
			return bad()
		}
		t1, _ := parseTime(s, true)
		if err := checkYears(interval{t0, t1}); err != nil {
			return interval{}, false, err
		}
		return interval{t0, t1}, true, nil
	}
	var iv interval
	var err error
	if a != ".." && a != "" {
		if iv.start, err = parseTime(a, false); err != nil {
			return bad()
		}
	}
	if b != ".." && b != "" {
		if iv.end, err = parseTime(b, true); err != nil {
			return bad()
		}
	}
	if (a == ".." || a == "") && (b == ".." || b == "") {
		return bad()
	}
	if !iv.start.IsZero() && !iv.end.IsZero() && iv.end.Before(iv.start) {
		return interval{}, false, badRequest("parameter \"datetime\": the interval ends before it starts")
	}
	if err := checkYears(iv); err != nil {
		return interval{}, false, err
	}
	return iv, true, nil
}

// The years a datetime may name: every date of the border's record (the
// Durand Line agreement is of 1893) and far beyond, and nothing that
// could wrap a day number (year 0000) or that no record can hold.
const (
	minYear = 1800
	maxYear = 2200
)

// checkYears refuses an interval whose given ends (in UTC) lie outside
// minYear to maxYear.
func checkYears(iv interval) error {
	for _, t := range []time.Time{iv.start, iv.end} {
		if y := t.UTC().Year(); !t.IsZero() && (y < minYear || y > maxYear) {
			return badRequest("parameter \"datetime\": year %d is out of range; dates run from %d to %d", y, minYear, maxYear)
		}
	}
	return nil
}

// format returns the value of the f parameter, which must be one of allowed.
func (q query) format(allowed ...string) (string, error) {
	f, ok := q["f"]
	if !ok {
		return "", nil
	}
	if !slices.Contains(allowed, f) {
		return "", badRequest("parameter \"f\": %q is not offered here (allowed: %s)", f, strings.Join(allowed, ", "))
	}
	return f, nil
}
