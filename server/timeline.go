package server

import (
	"net/http"
	"net/url"
	"time"

	"github.com/durandline/durand/layers"

	"github.com/durandline/durand/geo"
)

// timelineEntry is one item of /timeline: an event, or the start of a
// crossing's status period. Dates are UTC days, YYYY-MM-DD.
type timelineEntry struct {
	Date string `json:"date"`
	// DateText is the date as the record gives it (2025-10-11, 2025-08,
	// 2007) and DatePrecision how much of it is known (day, month, year).
	DateText      string `json:"date_text"`
	DatePrecision string `json:"date_precision"`
	// EndDate is the last day: of the event, or of the status period
	// ("" when no end is known).
	EndDate string `json:"end_date"`
	Type    string `json:"type"` // event or status
	ID      string `json:"id"`   // the event's id, or the crossing's
	Title   string `json:"title"`
	// Events.
	Kind       string          `json:"event_kind,omitempty"`
	Severity   *int            `json:"severity,omitempty"`
	Countries  []string        `json:"countries,omitempty"`
	Summary    string          `json:"summary,omitempty"`
	Casualties *geo.Casualties `json:"casualties,omitempty"`
	// Status changes (and events at a crossing).
	CrossingID string `json:"crossing_id,omitempty"`
	Status     string `json:"status,omitempty"`
	Note       string `json:"note,omitempty"`
	// BeforeCrisis marks a closure or restriction that began before the
	// crisis (such as Nawa Pass, closed since 2007).
	BeforeCrisis bool `json:"before_crisis,omitempty"`

	Source geo.Source `json:"source"`
	// Href is the feature the entry is about (an event, or a crossing on
	// the map), relative to the server root; the response makes it
	// absolute. Empty for passes that are not on the map.
	Href string `json:"href,omitempty"`

	from, to time.Time // the days the entry spans
}

// newTimeline lists the timeline of the atlas (geo.Atlas.Timeline).
func newTimeline(a *geo.Atlas) []timelineEntry {
	var out []timelineEntry
	for _, te := range a.Timeline() {
		e := timelineEntry{Date: te.Date.Format(time.DateOnly), DateText: te.DateText, DatePrecision: string(te.Precision),
			Type: te.Type, ID: te.ID, Title: te.Title, CrossingID: te.CrossingID, Status: string(te.Status), BeforeCrisis: te.BeforeCrisis,
			from: te.Date, to: te.Date}
		switch {
		case te.Event != nil:
			ev := te.Event
			sev := ev.Severity
			c := ev.Casualties
			e.EndDate, e.to = ev.End.Format(time.DateOnly), ev.End
			e.Kind, e.Severity, e.Countries, e.Summary, e.Casualties = string(ev.Kind), &sev, ev.Countries, ev.Summary, &c
			e.CrossingID, e.Source = ev.CrossingID, ev.Source
			e.Href = "/collections/" + layers.LayerEvents + "/items/" + url.PathEscape(ev.ID)
		case te.Period != nil:
			p := te.Period
			if !p.To.IsZero() {
				e.EndDate = p.To.Format(time.DateOnly)
			}
			e.Note, e.Source = p.Note, p.Source
			if _, err := a.Crossing(te.CrossingID); err == nil {
				e.Href = "/collections/" + geo.LayerCrossings + "/items/" + url.PathEscape(te.CrossingID)
			}
		}
		out = append(out, e)
	}
	return out
}

// timeline serves /timeline: the entries whose days meet the datetime
// interval (all without one), in date order.
func (s *server) timeline(r *http.Request, q query) (*response, error) {
	if _, err := s.negotiateQ(r, q, false); err != nil {
		return nil, err
	}
	iv, given, err := q.datetime()
	if err != nil {
		return nil, err
	}
	base := s.baseURL(r)
	entries := make([]timelineEntry, 0, len(s.colls.crisis.timeline))
	for _, e := range s.colls.crisis.timeline {
		if given && !iv.intersects(e.from, e.to.Add(24*time.Hour-time.Nanosecond)) {
			continue
		}
		if e.Href != "" {
			e.Href = base + e.Href
		}
		entries = append(entries, e)
	}
	links := []link{
		{Href: pageURL(base, "/timeline", q, nil), Rel: "self", Type: mediaJSON, Title: "this document"},
		{Href: base + "/summary", Rel: "related", Type: mediaJSON, Title: "the crisis on one day"},
	}
	if _, ok := s.colls.byID[layers.LayerEvents]; ok {
		links = append(links, link{Href: base + "/collections/" + layers.LayerEvents, Rel: "related", Type: mediaJSON, Title: "the events as features"})
	}
	doc := map[string]any{"count": len(entries), "entries": entries, "links": links}
	if given {
		doc["datetime"] = q["datetime"]
	}
	return jsonResponse(doc, mediaJSON)
}
