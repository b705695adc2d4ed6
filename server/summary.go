package server

import (
	"net/http"
	"net/url"
	"time"

	"github.com/durandline/durand/geo"
)

// summaryCrossing is a crossing closed or restricted on the day.
type summaryCrossing struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	// From and To date the status period as the record does ("" for an
	// open start or end).
	From   string     `json:"from"`
	To     string     `json:"to"`
	Note   string     `json:"note"`
	Source geo.Source `json:"source"`
}

// summaryDistrict is a district affected on the day.
type summaryDistrict struct {
	Name       string             `json:"name"`
	DistrictID string             `json:"district_id,omitempty"` // empty when districts are not installed
	Province   string             `json:"province"`
	Country    string             `json:"country"`
	First      string             `json:"first"` // day of its first event
	Last       string             `json:"last"`  // last day of its last event
	Events     int                `json:"events"`
	EventIDs   []string           `json:"event_ids"`
	Severity   int                `json:"severity"`
	Mapping    string             `json:"mapping"`
	Casualties geo.CasualtyTotals `json:"casualties"`
}

// summaryDoc is the body of /summary (see geo.Summary for the meaning of
// each figure).
type summaryDoc struct {
	Date string `json:"date"`
	// DateSource is "datetime" when the request gave the day, "default"
	// for the default day (today, or the last day of the record).
	DateSource          string            `json:"date_source"`
	CrossingsClosed     []summaryCrossing `json:"crossings_closed"`
	CrossingsRestricted []summaryCrossing `json:"crossings_restricted"`
	// CrossingsClosedBefore are the closures and restrictions in force
	// since before the crisis (Nawa Pass since 2007, ...), kept apart.
	CrossingsClosedBefore []summaryCrossing             `json:"crossings_closed_before_crisis"`
	Districts             []summaryDistrict             `json:"districts"`
	ActiveZones           int                           `json:"active_zones"`
	BorderKm              float64                       `json:"border_km"`
	BorderKmBySide        map[string]float64            `json:"border_km_by_side"`
	Casualties            geo.CasualtyTotals            `json:"casualties"`
	CasualtiesByCountry   map[string]geo.CasualtyTotals `json:"casualties_by_country"`
	Links                 []link                        `json:"links"`
}

// totals returns t with empty lists rather than null ones.
func totals(t geo.CasualtyTotals) geo.CasualtyTotals {
	if t.EventIDs == nil {
		t.EventIDs = []string{}
	}
	if t.Sources == nil {
		t.Sources = []geo.Source{}
	}
	return t
}

func crossingsOf(states []geo.CrossingState) []summaryCrossing {
	out := make([]summaryCrossing, 0, len(states))
	for _, st := range states {
		c := summaryCrossing{ID: st.ID, Name: st.Name, Status: string(st.Status)}
		if p := st.Period; p != nil {
			c.From, c.To, c.Note, c.Source = p.FromText, p.ToText, p.Note, p.Source
		}
		out = append(out, c)
	}
	return out
}

// summary serves /summary: the state of the crisis on the day of the
// datetime parameter (a date or date-time), or on the default day.
func (s *server) summary(r *http.Request, q query) (*response, error) {
	if _, err := s.negotiateQ(r, q, false); err != nil {
		return nil, err
	}
	d, given, err := dayParam(q)
	if err != nil {
		return nil, err
	}
	src := "datetime"
	if !given {
		d, src = s.colls.crisis.defaultDay(time.Now()), "default"
	}
	sum, err := s.atlas.Summary(d)
	if err != nil {
		return nil, err
	}
	doc := summaryDoc{
		Date: d.Format(time.DateOnly), DateSource: src,
		CrossingsClosed: crossingsOf(sum.Closed), CrossingsRestricted: crossingsOf(sum.Restricted),
		CrossingsClosedBefore: crossingsOf(sum.ClosedBefore),
		Districts:             make([]summaryDistrict, 0, len(sum.Districts)),
		ActiveZones:           sum.ActiveZones, BorderKm: sum.BorderKm, BorderKmBySide: sum.BorderKmBySide,
		Casualties: totals(sum.Casualties), CasualtiesByCountry: map[string]geo.CasualtyTotals{},
	}
	for k, v := range sum.ByCountry {
		doc.CasualtiesByCountry[k] = totals(v)
	}
	for _, ad := range sum.Districts {
		doc.Districts = append(doc.Districts, summaryDistrict{
			Name: ad.Name, DistrictID: ad.DistrictID, Province: ad.Province, Country: ad.Country,
			First: ad.First.Format(time.DateOnly), Last: ad.Last.Format(time.DateOnly),
			Events: ad.Events, EventIDs: ad.EventIDs, Severity: ad.Severity, Mapping: ad.Mapping, Casualties: totals(ad.Casualties),
		})
	}
	base := s.baseURL(r)
	day := url.QueryEscape(doc.Date)
	doc.Links = []link{
		{Href: pageURL(base, "/summary", q, nil), Rel: "self", Type: mediaJSON, Title: "this document"},
		{Href: base + "/timeline", Rel: "related", Type: mediaJSON, Title: "the crisis timeline"},
	}
	if _, ok := s.colls.byID["zones"]; ok {
		doc.Links = append(doc.Links,
			link{Href: base + "/collections/zones/items?datetime=" + day, Rel: "related", Type: mediaGeoJSON, Title: "the zones active that day"},
			link{Href: base + "/collections/crossings/items?datetime=" + day, Rel: "related", Type: mediaGeoJSON, Title: "the crossings with their status that day"})
	}
	return jsonResponse(doc, mediaJSON)
}
