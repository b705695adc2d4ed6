package server

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo"
)

// FuzzDatetime feeds the datetime parser any text: it answers a 400 or an
// interval that does not end before it starts, and the day a crisis
// resource derives from it is a UTC day.
func FuzzDatetime(f *testing.F) {
	for _, s := range []string{"2025-10-15", "2025-10-15T10:00:00Z", "2025-10-15T10:00:00.5+05:00", "../2025-10-31",
		"2025-10-01/..", "/2025-10-31", "2025-10-01/", "..", "../..", "/", "2025-10-20/2025-10-01", "2025-10-15t10:00:00z",
		"0001-01-01", "9999-12-31T23:59:59Z", "2025-02-30", "2025-10-01/2025-10-02/2025-10-03"} {
		f.Add(s)
	}
	cd := &crisisData{last: time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC)}
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		q := query{"datetime": s}
		iv, given, err := q.datetime()
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.status != http.StatusBadRequest {
				t.Fatalf("%q: %v is not a 400", s, err)
			}
			return
		}
		if !given {
			t.Fatalf("%q: not given", s)
		}
		if !iv.start.IsZero() && !iv.end.IsZero() && iv.end.Before(iv.start) {
			t.Fatalf("%q: interval %v ends before it starts", s, iv)
		}
		if d := cd.dayOf(iv, true, now); !d.Equal(geo.Day(d)) || d.Location() != time.UTC {
			t.Fatalf("%q: day %v", s, d)
		}
		d, ok, err := dayParam(q)
		switch {
		case err == nil && strings.Contains(s, "/"):
			t.Fatalf("%q: /summary takes an interval", s)
		case err == nil && (!ok || d.IsZero() || !d.Equal(geo.Day(d))):
			t.Fatalf("%q: day %v, %v", s, d, ok)
		}
	})
}
