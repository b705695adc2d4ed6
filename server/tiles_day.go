package server

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/layers"
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
// tiles were built. Those tiles are the cached, warmed ones.
//
// A tile of a day is made from the tile without datetime, doing only the
// work that differs between days (a day slider asks for every day):
//   - the layers of the collections with dated features (events, zones)
//     and their label layers are filtered, feature by feature, to those
//     active that day, by MVT feature id: no geometry is tiled again, and
//     a feature looks the same on every day it is shown;
//   - the crossings, whose properties change with the day, are tiled
//     again from their status on the day: a few dozen points.
//
// What a day needs (its sets of feature ids, its tileset of crossings) is
// a dayTileset, built once per day on first use in milliseconds and kept
// in a least-recently-used list of maxDayTilesets days; the tiles
// themselves are cached like the others, under a key with the day.

// maxDayTilesets bounds the days whose dayTileset is kept: more than
// every day of the crisis record, so a day slider never rebuilds one.
const maxDayTilesets = 512

// dayTileset is what the tiles of one day need, built once.
type dayTileset struct {
	n       uint32 // the dayNumber
	version uint64 // data version of the tiles it was built for
	once    sync.Once
	// ts is the tileset of the layers re-tiled for the day (the
	// crossings), nil when none has a feature that day; it replaces the
	// layers named in drop.
	ts   *tiles.Tileset
	drop []string
	// keep, by tile layer name, holds the ids of the features of the
	// filtered layers shown that day.
	keep       map[string]map[uint64]bool
	err        error
	prev, next *dayTileset // the recency list of dayTiles
}

// dayTiles are the dayTilesets of the days asked for, least recently
// used first out.
type dayTiles struct {
	mu   sync.Mutex
	sets map[uint32]*dayTileset
	head dayTileset // sentinel: head.next is the most recently used
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

// get returns the dayTileset of day n for data version v, marked most
// recently used, creating it (unbuilt) if needed and evicting the least
// recently used beyond maxDayTilesets.
func (d *dayTiles) get(n uint32, v uint64) *dayTileset {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sets == nil {
		d.sets = map[uint32]*dayTileset{}
		d.head.prev, d.head.next = &d.head, &d.head
	}
	dt := d.sets[n]
	if dt != nil && dt.version == v {
		d.unlink(dt)
		d.pushFront(dt)
		return dt
	}
	if dt != nil {
		d.unlink(dt)
		delete(d.sets, n)
	}
	dt = &dayTileset{n: n, version: v}
	d.sets[n] = dt
	d.pushFront(dt)
	for len(d.sets) > maxDayTilesets {
		last := d.head.prev
		d.unlink(last)
		delete(d.sets, last.n)
	}
	return dt
}

// forget drops dt (a failed build), so that the next request tries again.
func (d *dayTiles) forget(dt *dayTileset) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sets[dt.n] == dt {
		d.unlink(dt)
		delete(d.sets, dt.n)
	}
}

// len is the number of days kept.
func (d *dayTiles) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.sets)
}

func (d *dayTiles) unlink(e *dayTileset) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (d *dayTiles) pushFront(e *dayTileset) {
	e.prev, e.next = &d.head, d.head.next
	d.head.next.prev = e
	d.head.next = e
}

// dayTileset returns what the tiles of st need on day n, building it on
// first use.
func (t *tileService) dayTileset(st *tileState, n uint32) (*dayTileset, error) {
	dt := t.days.get(n, st.version)
	dt.once.Do(func() { dt.err = t.buildDay(st, dayOfNumber(n), dt) })
	if dt.err != nil {
		t.days.forget(dt)
		return nil, dt.err
	}
	return dt, nil
}

// buildDay prepares the tiles of st on day d: the ids of the dated
// features shown that day, and the tileset of the crossings on the day.
func (t *tileService) buildDay(st *tileState, d time.Time, dt *dayTileset) error {
	var tls []tiles.Layer
	dt.keep = map[string]map[uint64]bool{}
	day := interval{start: d, end: d.Add(24*time.Hour - time.Nanosecond)}
	for _, c := range t.colls.list {
		if c.load != nil && st.Deferred == nil {
			continue // not in these tiles yet
		}
		if err := c.ready(); err != nil || !isDated(c) {
			continue
		}
		if c.states == nil { // dated features: filtered by id
			ids := map[uint64]bool{}
			located := 0 // the index layers.Convert gave the feature (see build)
			for i, f := range c.layer.Features {
				if f == nil || f.Geometry == nil {
					continue
				}
				if sp := c.temporal.spans[i]; !sp[0].IsZero() && day.intersects(sp[0], sp[1]) {
					ids[layers.FeatureID(f, located)] = true
				}
				located++
			}
			dt.keep[c.id], dt.keep[c.id+"_label"] = ids, ids
			if layers.SpecFor(c.id).SplitKinds { // tiled one layer per kind
				for _, n := range layers.KindNames(c.id)[1:] {
					dt.keep[n] = ids
				}
			}
			continue
		}
		// The crossings on the day, tiled as the tiles without datetime
		// tile them on the default day (layers.TileLayerOn).
		dt.drop = append(dt.drop, c.id, c.id+"_label")
		ls, err := layers.TileLayerOn(t.colls.crisis.atlas, c.layer, d)
		if err != nil {
			return err
		}
		for _, l := range ls {
			if len(l.Features) > 0 {
				tls = append(tls, l)
			}
		}
	}
	if len(tls) == 0 {
		return nil
	}
	ts, err := layers.NewTileset(tls, tiles.Options{})
	if err != nil {
		return err
	}
	dt.ts = ts
	return nil
}

// dayTile encodes the tile z/x/y of every layer on day n from the tile
// without datetime (all, which is not empty).
func (t *tileService) dayTile(st *tileState, all []byte, n uint32, z, x, y uint32) ([]byte, error) {
	dt, err := t.dayTileset(st, n)
	if err != nil {
		return nil, err
	}
	out, err := dayLayers(all, dt.drop, dt.keep)
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

// reset forgets every day (tests and benchmarks).
func (d *dayTiles) reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sets = nil
}
