package server

import (
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/layers/atlastiles"
	"github.com/durandline/durand/tiles"
)

// Tiles of one day: ?datetime= on the tile and TileJSON URLs.
//
// The day is the one the crossings collection takes (crisisData.dayOf): a
// date or date-time selects its UTC day, an interval its last day (an open
// end: the default day). A tile of a day is the tile without datetime
// whose dated layers are replaced by those of that day:
//   - the crossings carry their status on the day (status, status_date,
//     status_from, status_to, status_note, status_source), as
//     /collections/crossings/items?datetime= gives them;
//   - the layers of the collections whose features carry dates (events,
//     zones) keep the features active on the day: those
//     /collections/{id}/items?datetime=YYYY-MM-DD returns (a feature whose
//     first to last day, both included, contains the day; an event is not
//     kept after its end date);
//   - every other layer (border, countries, provinces, districts) is as
//     it is without datetime.
//
// Without datetime a tile has every event and zone, whatever its dates,
// and the crossings carry their status on the default day (today, or the
// last day of the crisis record when that is earlier) as it was when the
// tiles were built. Those tiles are the cached, warmed ones; the tiles of
// a day are made on first request from a tileset of the dated layers of
// that day (kept for maxDayTilesets days) and cached like the others,
// under a key that includes the day.

// maxDayTilesets bounds the tilesets of days kept.
const maxDayTilesets = 64

// dayTileset is the tileset of the dated layers on one day, built once.
type dayTileset struct {
	version uint64 // data version of the tiles it was built for
	once    sync.Once
	ts      *tiles.Tileset // nil when no dated layer has a feature that day
	drop    []string       // the layers of the tiles without datetime it replaces
	err     error
}

// dayTiles are the tilesets of the days asked for.
type dayTiles struct {
	mu   sync.Mutex
	sets map[uint32]*dayTileset
}

// dayNumber numbers a day for the tile cache key: days since 0001-01-01
// plus one, so that 0 stands for no datetime.
func dayNumber(d time.Time) uint32 {
	return uint32(d.Unix()/86400 + 719162 + 1)
}

// dayOfNumber is the inverse of dayNumber.
func dayOfNumber(n uint32) time.Time {
	return time.Unix((int64(n)-1-719162)*86400, 0).UTC()
}

// isDated reports whether the layer of c changes with the day.
func isDated(c *collection) bool { return c.states != nil || c.temporal != nil }

// dayTileset returns the tileset of the dated layers on day n for the
// tiles of st, building it on first use.
func (t *tileService) dayTileset(st *tileState, n uint32) (*dayTileset, error) {
	t.days.mu.Lock()
	if t.days.sets == nil {
		t.days.sets = map[uint32]*dayTileset{}
	}
	dt := t.days.sets[n]
	if dt == nil || dt.version != st.version {
		if len(t.days.sets) >= maxDayTilesets {
			clear(t.days.sets)
		}
		dt = &dayTileset{version: st.version}
		t.days.sets[n] = dt
	}
	t.days.mu.Unlock()
	dt.once.Do(func() { dt.ts, dt.drop, dt.err = t.buildDay(st, dayOfNumber(n)) })
	if dt.err != nil {
		t.days.mu.Lock()
		if t.days.sets[n] == dt {
			delete(t.days.sets, n) // try again next time
		}
		t.days.mu.Unlock()
		return nil, dt.err
	}
	return dt, nil
}

// buildDay tiles the dated layers of the tiles of st on day d: it returns
// their tileset (nil when none has a feature that day) and the names of
// the layers they replace.
func (t *tileService) buildDay(st *tileState, d time.Time) (*tiles.Tileset, []string, error) {
	var layers []tiles.Layer
	var drop []string
	day := interval{start: d, end: d.Add(24*time.Hour - time.Nanosecond)}
	for _, c := range t.colls.list {
		if c.load != nil && st.deferred == nil {
			continue // not in these tiles yet
		}
		if err := c.ready(); err != nil || !isDated(c) {
			continue
		}
		var fs []*geojson.Feature
		if c.states != nil {
			v, err := c.states.view(d)
			if err != nil {
				return nil, nil, err
			}
			fs = v.layer.Features
		} else {
			for i, f := range c.layer.Features {
				if sp := c.temporal.spans[i]; !sp[0].IsZero() && day.intersects(sp[0], sp[1]) {
					fs = append(fs, f)
				}
			}
		}
		drop = append(drop, c.id, c.id+"_label")
		fs = slices.DeleteFunc(slices.Clone(fs), func(f *geojson.Feature) bool { return f == nil || f.Geometry == nil })
		l, err := atlastiles.Convert(c.id, fs, atlastiles.SpecFor(c.id))
		if err != nil {
			return nil, nil, err
		}
		if len(l.Features) > 0 && l.MinZoom <= tiles.DefaultMaxZoom {
			layers = append(layers, l)
		}
	}
	if len(layers) == 0 {
		return nil, drop, nil
	}
	ts, err := tiles.NewTileset(layers, tiles.Options{})
	if err != nil {
		return nil, nil, err
	}
	return ts, drop, nil
}

// dayTile encodes the tile z/x/y of every layer on day n from the tile
// without datetime (all, which is not empty).
func (t *tileService) dayTile(st *tileState, all []byte, n uint32, z, x, y uint32) ([]byte, error) {
	dt, err := t.dayTileset(st, n)
	if err != nil {
		return nil, err
	}
	keep := make([]string, 0, len(st.layers))
	for _, li := range st.layers {
		if !slices.Contains(dt.drop, li.Name) {
			keep = append(keep, li.Name)
		}
	}
	out, err := selectLayers(all, keep)
	if err != nil {
		return nil, err
	}
	if dt.ts == nil {
		return out, nil
	}
	more, err := dt.ts.Tile(z, x, y)
	switch {
	case errors.Is(err, tiles.ErrEmpty):
		return out, nil
	case err != nil:
		return nil, err
	}
	return append(out, more...), nil
}

// tileDay reads the datetime parameter of a tile or TileJSON request: the
// day it selects as a dayNumber, 0 without one (a 400 error for garbage).
func (s *server) tileDay(r *http.Request) (uint32, error) {
	if r.URL.RawQuery == "" {
		return 0, nil
	}
	q, err := parseQuery(r, []string{"datetime"})
	if err != nil {
		return 0, err
	}
	return s.dayFromQuery(q)
}

// dayFromQuery is tileDay of a parsed query.
func (s *server) dayFromQuery(q query) (uint32, error) {
	iv, given, err := q.datetime()
	if err != nil || !given {
		return 0, err
	}
	var d time.Time
	if cd := s.colls.crisis; cd != nil {
		d = cd.dayOf(iv, given, time.Now())
	} else if !iv.end.IsZero() {
		d = geo.Day(iv.end)
	} else {
		d = geo.Day(iv.start)
	}
	if err := checkDay(d); err != nil {
		return 0, err
	}
	return dayNumber(d), nil
}

// tileDayParamDoc documents the datetime parameter of the tiles.
func tileDayParamDoc() obj {
	return obj{"name": "datetime", "in": "query", "required": false, "style": "form", "explode": false,
		"schema": obj{"type": "string"},
		"description": "The day the tiles show: an RFC 3339 date (2025-10-20) or date-time (its UTC day), or the last day " +
			"of an interval (an open end: the default day). The crossings carry their status on that day (status, " +
			"status_date, status_from, status_to, status_note, status_source), the events and zones layers keep the " +
			"features active that day (as /collections/{collectionId}/items?datetime=YYYY-MM-DD), other layers are " +
			"unchanged. Without it: every event and zone, and the crossings' status on the default day (today, or the " +
			"last day of the crisis record when that is earlier). On a TileJSON URL it is carried into the tile URLs."}
}
