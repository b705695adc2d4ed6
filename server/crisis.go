package server

import (
	"strings"
	"sync"
	"time"

	"github.com/durandline/durand/layers"

	"github.com/durandline/durand/geo"
)

// The crisis resources: the events and zones collections (built by
// newRegistry from layers.Layers), the status of the crossings by day,
// /timeline and /summary.
//
// Days: a datetime stands for the UTC days it covers (package geo's time
// conventions). Where one day is needed (the status of the crossings,
// /summary) and no datetime is given, the default day is today (UTC), or
// the last day of the crisis record when that is earlier: the latest state
// the record knows rather than a day it says nothing about.

// crisisData is what the crisis resources share.
type crisisData struct {
	atlas *geo.Atlas
	// last is the last day of the crisis record: the latest day an event
	// ends or a status period starts or ends; zero without crisis data.
	last     time.Time
	timeline []timelineEntry // in date order (see timeline.go)
}

// newCrisisData gathers the crisis record of the atlas and gives the
// crossings of reg their status by day.
func newCrisisData(a *geo.Atlas, reg *registry) (*crisisData, error) {
	last, hasStatus, err := layers.LastDay(a)
	if err != nil {
		return nil, err
	}
	cd := &crisisData{atlas: a, last: last}
	cd.timeline = newTimeline(a)
	if c := reg.byID[geo.LayerCrossings]; c != nil && hasStatus {
		c.states = &crossingStates{crisis: cd, base: c, views: map[time.Time]*collection{}}
		v, err := c.states.view(cd.defaultDay(time.Now()))
		if err != nil {
			return nil, err
		}
		// The crossings are filtered on the properties their views carry.
		c.queryables = v.queryables
		// The downloads carry the status on the default day (today, or
		// the last day of the record), as the items do without datetime;
		// the history of every crossing is the crossing_status layer.
		for _, d := range c.downloads {
			d.layer = v.layer
		}
		c.description += " Each crossing carries its status on the day the datetime parameter selects (a date or " +
			"date-time, or the last day of an interval; default: today, or the last day of the crisis record, " +
			cd.last.Format(time.DateOnly) + ", when that is earlier): status (open, closed, refugees_only, trade_only, " +
			"pedestrians_only, or unknown when the record says nothing), status_date, status_from and status_to (the " +
			"period as the record dates it), status_note and status_source. datetime selects the day; it does not " +
			"filter the crossings. The downloads carry the status on the default day; the crossing_status collection holds every status period."
	}
	return cd, nil
}

// defaultDay is the day used when a request gives none: today, or the last
// day of the crisis record when that is earlier.
func (cd *crisisData) defaultDay(now time.Time) time.Time {
	return layers.DefaultDay(cd.last, now)
}

// dayOf returns the one day a datetime value selects: the last day of the
// interval, where an open end is the default day (but not before the
// start); the default day when there is no datetime.
func (cd *crisisData) dayOf(iv interval, given bool, now time.Time) time.Time {
	def := cd.defaultDay(now)
	switch {
	case !given:
		return def
	case !iv.end.IsZero():
		return geo.Day(iv.end)
	case geo.Day(iv.start).After(def):
		return geo.Day(iv.start)
	}
	return def
}

// maxStateViews bounds the views of the crossings kept, one per day asked.
const maxStateViews = 1024

// crossingStates makes views of the crossings collection whose features
// carry their status on a day, one per day, cached.
type crossingStates struct {
	crisis *crisisData
	base   *collection

	mu    sync.Mutex
	views map[time.Time]*collection
}

// view returns the crossings with their status on day d: the properties
// status (open, closed, refugees_only, trade_only, pedestrians_only or
// unknown when no status period covers the day), status_date (d),
// status_from and status_to (the period as the record dates it, "" for an
// open start or end), status_note and status_source.
func (cs *crossingStates) view(d time.Time) (*collection, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if v, ok := cs.views[d]; ok {
		return v, nil
	}
	b := cs.base
	fs, err := layers.CrossingsOn(cs.crisis.atlas, b.features, d)
	if err != nil {
		return nil, err
	}
	l := b.layer // its schema types the view's queryables and downloads
	l.Name, l.Title, l.Description, l.Attribution, l.Licence, l.Features = b.id, b.title, b.description, b.attribution, b.licence, fs
	v, err := newCollection(l)
	if err != nil {
		return nil, err
	}
	if len(cs.views) >= maxStateViews {
		clear(cs.views)
	}
	cs.views[d] = v
	return v, nil
}

// stateView returns the collection whose features answer the request: for
// the crossings, their view on the day the datetime parameter selects (see
// dayOf); any other collection as it is.
func (s *server) stateView(c *collection, q query) (*collection, error) {
	if c.states == nil {
		return c, nil
	}
	iv, given, err := q.datetime()
	if err != nil {
		return nil, err
	}
	d := s.colls.crisis.dayOf(iv, given, time.Now())
	if err := checkDay(d); err != nil {
		return nil, err
	}
	return c.states.view(d)
}

// checkDay refuses the one day package geo does not take: 0001-01-01,
// that of the zero time.Time.
func checkDay(d time.Time) error {
	if d.IsZero() {
		return badRequest("parameter \"datetime\": 0001-01-01 is not supported; give a later day")
	}
	return nil
}

// crisisLinks are the links of the landing page to the crisis resources.
func crisisLinks(base string) []link {
	return []link{
		{Href: base + "/timeline", Rel: "related", Type: mediaJSON, Title: "crisis timeline: dated events and crossing status changes"},
		{Href: base + "/summary", Rel: "related", Type: mediaJSON, Title: "the crisis on one day (?datetime=2025-10-15): crossings, districts, border km, casualties"},
	}
}

// dayParam reads the datetime parameter of a resource about one day: a
// date or date-time (an interval is refused). given is false without one.
func dayParam(q query) (time.Time, bool, error) {
	s, ok := q["datetime"]
	if !ok {
		return time.Time{}, false, nil
	}
	if strings.Contains(s, "/") {
		return time.Time{}, false, badRequest("parameter \"datetime\": %q is an interval; this resource describes one day: give a date (2025-10-15) or a date-time", truncate(s, 64))
	}
	iv, _, err := q.datetime()
	if err != nil {
		return time.Time{}, false, err
	}
	d := geo.Day(iv.start)
	if err := checkDay(d); err != nil {
		return time.Time{}, false, err
	}
	return d, true, nil
}

// crisisParamDocs are the OpenAPI parameter components of the crisis
// resources (see route.paramDoc).
func crisisParamDocs() obj {
	p := func(desc string) obj {
		return obj{"name": "datetime", "in": "query", "required": false, "style": "form", "explode": false,
			"description": desc, "schema": obj{"type": "string"}}
	}
	return obj{
		"datetime-day": p("The day: an RFC 3339 date (2025-10-15) or date-time (its UTC day). Default: today, or the last " +
			"day of the crisis record when that is earlier. An interval is refused (400)."),
		"datetime-timeline": p("Only entries whose days meet this RFC 3339 date-time, date or interval " +
			"(start/end, .. or nothing for an open end, e.g. 2025-10-11/2025-10-31 or 2025-11-01/..)."),
		"datetime-crossings": p("The day whose status every crossing carries (properties status, status_date, status_from, " +
			"status_to, status_note, status_source): an RFC 3339 date or date-time, or the last day of an interval (an open " +
			"end: the default day). Default: today, or the last day of the crisis record when that is earlier. It selects " +
			"the day and does not filter: filter with status=closed."),
	}
}

// crisisSchemaDocs are the OpenAPI schemas of /timeline and /summary.
func crisisSchemaDocs() obj {
	str := obj{"type": "string"}
	integer := obj{"type": "integer"}
	number := obj{"type": "number"}
	nullInt := obj{"type": "integer", "nullable": true}
	strs := obj{"type": "array", "items": str}
	links := obj{"type": "array", "items": ref("schemas", "link")}
	source := ref("schemas", "source")
	totals := ref("schemas", "casualtyTotals")
	figure := obj{"type": "object", "required": []any{"best", "min", "max"}, "properties": obj{"best": integer, "min": integer, "max": integer}}
	groups := obj{"type": "object", "required": []any{"civilians", "security", "unknown"},
		"properties": obj{"civilians": figure, "security": figure, "unknown": figure}}
	crossing := obj{"type": "object", "required": []any{"id", "status"}, "properties": obj{
		"id": str, "name": str, "status": str, "from": str, "to": str, "note": str, "source": source}}
	return obj{
		"source": obj{"type": "object", "required": []any{"publisher"}, "properties": obj{
			"publisher": str, "url": str, "date": str}},
		"casualtyTotals": obj{"type": "object", "properties": obj{
			"killed": integer, "injured": integer, "killed_min": integer, "killed_max": integer,
			"injured_min": integer, "injured_max": integer, "killed_by_group": groups, "injured_by_group": groups,
			"events": integer, "event_ids": strs, "sources": obj{"type": "array", "items": source}}},
		"timeline": obj{"type": "object", "required": []any{"count", "entries", "links"}, "properties": obj{
			"count": integer, "datetime": str, "links": links,
			"entries": obj{"type": "array", "items": obj{"type": "object",
				"required": []any{"date", "date_text", "date_precision", "type", "id", "title", "source"},
				"properties": obj{
					"date": str, "date_text": str, "date_precision": obj{"type": "string", "enum": []any{"day", "month", "year"}},
					"end_date": str, "type": obj{"type": "string", "enum": []any{"event", "status"}}, "id": str, "title": str,
					"event_kind": str, "severity": integer, "countries": strs, "summary": str,
					"casualties": obj{"type": "object", "properties": obj{
						"killed": nullInt, "injured": nullInt, "killed_best": nullInt, "injured_best": nullInt,
						"killed_min": integer, "killed_max": integer, "injured_min": integer, "injured_max": integer,
						"group": str, "note": str,
						"sources": obj{"type": "array", "items": source}}},
					"crossing_id": str, "status": str, "note": str, "source": source, "href": str}}}}},
		"summary": obj{"type": "object",
			"required": []any{"date", "date_source", "crossings_closed", "crossings_restricted", "districts", "active_zones", "border_km", "casualties"},
			"properties": obj{
				"date": str, "date_source": obj{"type": "string", "enum": []any{"datetime", "default"}},
				"crossings_closed":     obj{"type": "array", "items": crossing},
				"crossings_restricted": obj{"type": "array", "items": crossing},
				"districts": obj{"type": "array", "items": obj{"type": "object", "required": []any{"name", "country", "first", "last"},
					"properties": obj{"name": str, "district_id": str, "province": str, "country": str, "first": str, "last": str,
						"events": integer, "event_ids": strs, "severity": integer, "mapping": str, "casualties": totals}}},
				"active_zones": integer, "border_km": number,
				"border_km_by_side":     obj{"type": "object", "additionalProperties": number},
				"casualties":            totals,
				"casualties_by_country": obj{"type": "object", "additionalProperties": totals},
				"links":                 links}},
	}
}
