package layers

import (
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/geo/geojsonio"
)

// LastDay returns the last day of the crisis record of a: the latest day an
// event ends or a crossing's status period starts or ends. It is zero
// without crisis data, and hasStatus reports whether any crossing has a
// status period.
func LastDay(a *geo.Atlas) (last time.Time, hasStatus bool, err error) {
	later := func(t time.Time) {
		if t.After(last) {
			last = t
		}
	}
	for _, e := range a.Events() {
		later(e.End)
	}
	states, err := a.CrossingStates(time.Now())
	if err != nil {
		return time.Time{}, false, err
	}
	for _, st := range states {
		ps, err := a.StatusHistory(st.ID)
		if err != nil {
			return time.Time{}, false, err
		}
		for _, p := range ps {
			hasStatus = true
			later(p.From)
			later(p.To)
		}
	}
	return last, hasStatus, nil
}

// DefaultDay is the day whose crossing status is shown when none is asked
// for: the UTC day of now, or last (see LastDay) when that is earlier, the
// latest state the record knows rather than a day it says nothing about.
func DefaultDay(last, now time.Time) time.Time {
	d := geo.Day(now)
	if !last.IsZero() && last.Before(d) {
		return last
	}
	return d
}

// CrossingsOn returns copies of the crossing features fs (of a) carrying
// their status on day d: the properties status (open, closed,
// refugees_only, trade_only, pedestrians_only, or unknown when no status
// period covers the day), status_date (d), status_from and status_to (the
// period as the record dates it, "" for an open start or end), status_note
// and status_source.
func CrossingsOn(a *geo.Atlas, fs []*geojson.Feature, d time.Time) ([]*geojson.Feature, error) {
	states, err := a.CrossingStates(d)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]geo.CrossingState, len(states))
	for _, st := range states {
		byID[st.ID] = st
	}
	day := d.Format(time.DateOnly)
	out := make([]*geojson.Feature, len(fs))
	for i, f := range fs {
		g := *f
		g.Properties = make(geojson.Properties, len(f.Properties)+6)
		for k, v := range f.Properties {
			g.Properties[k] = v
		}
		st, ok := byID[geojsonio.FeatureID(f)]
		if !ok {
			st.Status = geo.StatusUnknown
		}
		g.Properties["status"] = string(st.Status)
		g.Properties["status_date"] = day
		g.Properties["status_before_crisis"] = st.BeforeCrisis
		from, to, note, source := "", "", "", ""
		if p := st.Period; p != nil {
			from, to, note = p.FromText, p.ToText, p.Note
			source = p.Source.Publisher
			if p.Source.URL != "" {
				source += " <" + p.Source.URL + ">"
			}
		}
		g.Properties["status_from"], g.Properties["status_to"] = from, to
		g.Properties["status_note"], g.Properties["status_source"] = note, source
		out[i] = &g
	}
	return out, nil
}

// crossingStatusFields are the properties CrossingsOn adds to a crossing,
// declared here beside the code that sets them (see Schema).
func crossingStatusFields() []Field {
	return []Field{{"status", String}, {"status_date", Date}, {"status_from", String}, {"status_to", String},
		{"status_note", String}, {"status_source", String}, {"status_before_crisis", Bool}}
}
