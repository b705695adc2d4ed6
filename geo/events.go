package geo

import (
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Optional files of the crisis layers read by Load (formats in
// data/SCHEMA.md). Without them the atlas has no events, statuses or
// zones other than border bands.
const (
	// FileEvents is the CSV of dated, sourced events of the border crisis.
	FileEvents = "events.csv"
	// FilePlaces is the CSV gazetteer of the towns events are placed at.
	FilePlaces = "places.csv"
)

// EventKind is what happened.
type EventKind string

// Event kinds.
const (
	KindClash            EventKind = "clash"
	KindAirstrike        EventKind = "airstrike"
	KindDisplacement     EventKind = "displacement"
	KindCrossingClosed   EventKind = "crossing_closed"
	KindCrossingReopened EventKind = "crossing_reopened"
	KindCeasefire        EventKind = "ceasefire"
	KindTalks            EventKind = "talks"
)

// kindWeight returns the part of an event's severity that comes from its
// kind: fighting 2, closures and displacement 1, the rest 0 (see
// Severity), and whether the kind is known.
func kindWeight(k EventKind) (int, bool) {
	switch k {
	case KindClash, KindAirstrike:
		return 2, true
	case KindDisplacement, KindCrossingClosed:
		return 1, true
	case KindCrossingReopened, KindCeasefire, KindTalks:
		return 0, true
	}
	return 0, false
}

// Source is a public page a fact comes from.
type Source struct {
	Publisher string `json:"publisher"`
	URL       string `json:"url,omitempty"`
	Date      string `json:"date,omitempty"` // as shown by the page, empty when it showed none
}

// Casualties are the figures reported for one event. A nil figure was not
// reported; 0 means "reported: none". Figures are a side's admitted losses
// or UN counts; claims about the other side's losses are only in the text.
type Casualties struct {
	Killed  *int `json:"killed"`
	Injured *int `json:"injured"`
	// KilledBest and InjuredBest are the best values: the primary figure,
	// or, when the sources give only a range, its lower end (the figure
	// every source supports); nil when nothing is reported. Totals add
	// these, so that a range without a point value is never left out.
	KilledBest  *int `json:"killed_best"`
	InjuredBest *int `json:"injured_best"`
	// When sources disagree, the range of their figures (including the
	// primary one); nil when there is no disagreement.
	KilledMin  *int `json:"killed_min,omitempty"`
	KilledMax  *int `json:"killed_max,omitempty"`
	InjuredMin *int `json:"injured_min,omitempty"`
	InjuredMax *int `json:"injured_max,omitempty"`
	// Group is who the figures count: "civilians", "security" (soldiers,
	// police, border forces as admitted by their side) or "unknown" (the
	// sources do not say, or a mix). Empty when nothing is reported.
	Group string `json:"group,omitempty"`
	// Note names the figures and who gave them.
	Note string `json:"note,omitempty"`
	// Sources of the other figures of a range.
	Sources []Source `json:"sources,omitempty"`
}

func rangeOf(v, lo, hi *int) (val, min, max int) {
	if v != nil {
		val, min, max = *v, *v, *v
	}
	if lo != nil {
		min = *lo
	}
	if hi != nil {
		max = *hi
	}
	return
}

func (c Casualties) killedRange() (int, int, int) {
	return rangeOf(best(c.Killed, c.KilledMin), c.KilledMin, c.KilledMax)
}
func (c Casualties) injuredRange() (int, int, int) {
	return rangeOf(best(c.Injured, c.InjuredMin), c.InjuredMin, c.InjuredMax)
}

// best is the primary figure, else the lower end of the range.
func best(v, lo *int) *int {
	if v != nil {
		return v
	}
	return lo
}

// People returns the highest count of people killed or injured any source
// gives (0 when none is reported).
func (c Casualties) People() int {
	_, _, k := c.killedRange()
	_, _, i := c.injuredRange()
	return k + i
}

// Event is one dated, sourced event of the border crisis.
type Event struct {
	ID   string    `json:"id"`
	Date time.Time `json:"date"` // first day
	End  time.Time `json:"end"`  // last day (inclusive); equal to Date for a one-day event
	Kind EventKind `json:"kind"`
	// Place is the place as the source names it.
	Place string `json:"place"`
	// District is the installed district's spelling (geoBoundaries
	// shapeName or OCHA ADM2_EN); DistrictAsReported is the source's
	// wording where it differs, and DistrictMapping says who matched them:
	// "source" (named so by the source) or "ours" (our matching, explained
	// in DistrictNote).
	District           string     `json:"district,omitempty"`
	DistrictAsReported string     `json:"district_as_reported,omitempty"`
	DistrictMapping    string     `json:"district_mapping,omitempty"`
	DistrictNote       string     `json:"district_note,omitempty"`
	Provinces          []string   `json:"provinces,omitempty"`
	Countries          []string   `json:"countries"` // ISO 3166-1 alpha-3
	Casualties         Casualties `json:"casualties"`
	Summary            string     `json:"summary"`
	Source             Source     `json:"source"`
	// SourcePrecision is the location precision the source supports, as
	// curated: town, district or unknown.
	SourcePrecision string `json:"source_precision"`

	// Where the event is placed, by the first rule the facts allow (see
	// locateEvent and ZONES.md): Precision says which, LocationRule says so
	// in words. Point is set for a point (exact, crossing, site), Line for a
	// border stretch, Area for a district or province; none for
	// PrecisionNone. UncertaintyM is the placement uncertainty of a
	// crossing. UnitIDs are the provinces or districts a stretch or area
	// comes from.
	Precision    Precision           `json:"location_precision"`
	LocationRule string              `json:"location_rule"`
	Point        orb.Point           `json:"-"`
	Line         orb.MultiLineString `json:"-"`
	Area         orb.MultiPolygon    `json:"-"`
	UncertaintyM float64             `json:"uncertainty_m,omitempty"`
	UnitIDs      []string            `json:"unit_ids,omitempty"`
	DistrictID   string              `json:"district_id,omitempty"`
	// Severity is a function of the kind and the casualties, see Severity.
	Severity int `json:"severity"`
	// CrossingID is the crossing the event happened at, PlaceID the town of
	// places.csv it is placed at, and LocationNote says why it is placed as
	// it is, where that needs saying.
	CrossingID   string `json:"crossing_id,omitempty"`
	PlaceID      string `json:"place_id,omitempty"`
	LocationNote string `json:"location_note,omitempty"`

	scope       string     // see the scope constants
	borderUnits []string   // ISO3/name of the units of a sector
	stretch     []interval // the border it affects, chainage in metres (see affectedStretch)
}

// Geometry returns the event's location: a Point (exact, crossing, site),
// a MultiLineString (border stretch), a MultiPolygon (district or
// province, approximate), or nil when it is not located.
func (e *Event) Geometry() orb.Geometry {
	switch e.Precision {
	case PrecisionExact, PrecisionCrossing, PrecisionSite:
		return e.Point
	case PrecisionBorderStretch:
		return e.Line
	case PrecisionDistrict, PrecisionProvince:
		return e.Area
	}
	return nil
}

// Country returns the event's country when it names exactly one, else "".
func (e *Event) Country() string {
	if len(e.Countries) == 1 {
		return e.Countries[0]
	}
	return ""
}

// Severity returns the severity of an event from 0 to 5: the weight of its
// kind (clash or airstrike 2; displacement or crossing closure 1;
// reopening, ceasefire or talks 0) plus, for kinds of weight 1 or more, the
// order of magnitude of the people killed or injured by the highest figure
// reported (0 for none or unknown, 1 for 1–9, 2 for 10–99, 3 for 100 or
// more). Events of severity 0 have no area.
func Severity(kind EventKind, c Casualties) int {
	w, _ := kindWeight(kind)
	if w == 0 {
		return 0
	}
	n := c.People()
	switch {
	case n >= 100:
		w += 3
	case n >= 10:
		w += 2
	case n >= 1:
		w++
	}
	return min(w, 5)
}

// Place is a town or site of the gazetteer events are placed at.
type Place struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Country string    `json:"country"`
	Point   orb.Point `json:"point"`
	Source  Source    `json:"source"`
	Note    string    `json:"note,omitempty"`
}

// AffectedDistrict is a district named by harmful events (severity 1 or
// more): when it was first and last hit, how often and with what figures.
type AffectedDistrict struct {
	Name string `json:"name"`
	// DistrictID is the installed district's id, empty when districts are
	// not installed.
	DistrictID string         `json:"district_id,omitempty"`
	Province   string         `json:"province"`
	Country    string         `json:"country"`
	First      time.Time      `json:"first"` // day of the first event
	Last       time.Time      `json:"last"`  // last day of the last event
	Events     int            `json:"events"`
	EventIDs   []string       `json:"event_ids"`
	Casualties CasualtyTotals `json:"casualties"`
	Severity   int            `json:"severity"` // the highest severity of its events
	Mapping    string         `json:"mapping"`  // "source", or "ours" when any event's name was matched by us
}

// crisis holds the crisis layers of an atlas: parsed at Load, located and
// turned into zones lazily.
type crisis struct {
	events    []*Event
	places    map[string]*Place
	status    map[string][]*StatusPeriod
	statusIDs []string

	once     sync.Once
	affected []*AffectedDistrict
	timeline []TimelineEntry

	zonesOnce sync.Once
	zones     *zoneSet
	zonesErr  error

	buffers zoneCache

	ringsOnce sync.Once
	rings     map[string][]orb.Ring // sovereign outer rings by ISO3
}

// loadCrisis reads the optional crisis files.
func (a *Atlas) loadCrisis(fsys fs.FS) error {
	places, err := readPlaces(fsys)
	if err != nil {
		return err
	}
	events, err := readEvents(fsys)
	if err != nil {
		return err
	}
	status, err := readStatus(fsys)
	if err != nil {
		return err
	}
	for _, e := range events {
		if e.PlaceID != "" && places[e.PlaceID] == nil {
			return &DataError{File: FileEvents, Err: fmt.Errorf("event %s: town %q is not in %s", e.ID, e.PlaceID, FilePlaces)}
		}
		if e.CrossingID != "" {
			if _, err := a.Crossing(e.CrossingID); err != nil {
				return &DataError{File: FileEvents, Err: fmt.Errorf("event %s: crossing %q: %w", e.ID, e.CrossingID, err)}
			}
		}
	}
	a.crisis.events = events
	a.crisis.places = places
	a.crisis.status, a.crisis.statusIDs = groupStatus(status)
	return nil
}

// crisisData locates the events and derives the affected districts and the
// timeline, once.
func (a *Atlas) crisisData() *crisis {
	c := &a.crisis
	c.once.Do(func() {
		for _, e := range c.events {
			a.locateEvent(e)
			a.affectedStretch(e)
		}
		c.affected = a.affectedDistricts()
		c.buildTimeline(a)
	})
	return c
}

// Events returns the events in date order (then by id). The events are
// shared and must not be modified.
func (a *Atlas) Events() []*Event {
	return slices.Clone(a.crisisData().events)
}

// Event returns the event with the given id.
func (a *Atlas) Event(id string) (*Event, error) {
	for _, e := range a.crisisData().events {
		if e.ID == id {
			return e, nil
		}
	}
	return nil, fmt.Errorf("%w: no event %q", ErrNotFound, id)
}

// EventsBetween returns the events on any day from the day of t1 to the day
// of t2, both included (an event spanning several days is returned when any
// of them is in the interval), in date order. Errors: *TimeError for a zero
// time or t2 before t1.
func (a *Atlas) EventsBetween(t1, t2 time.Time) ([]*Event, error) {
	d1, err := checkTime(t1)
	if err != nil {
		return nil, err
	}
	d2, err := checkTime(t2)
	if err != nil {
		return nil, err
	}
	if d2.Before(d1) {
		return nil, &TimeError{Time: t2, Reason: "the end of the interval is before its start"}
	}
	var out []*Event
	for _, e := range a.crisisData().events {
		if e.Date.After(d2) {
			break
		}
		if !e.End.Before(d1) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Places returns the gazetteer of towns and sites events are placed at,
// sorted by id.
func (a *Atlas) Places() []*Place {
	out := make([]*Place, 0, len(a.crisis.places))
	for _, p := range a.crisis.places {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// AffectedDistricts returns the districts named by harmful events (severity
// 1 or more), in order of their first event. They are known from the
// events alone; DistrictID is set when districts are installed.
func (a *Atlas) AffectedDistricts() []*AffectedDistrict {
	return slices.Clone(a.crisisData().affected)
}

func (a *Atlas) affectedDistricts() []*AffectedDistrict {
	byKey := map[string]*AffectedDistrict{}
	var out []*AffectedDistrict
	for _, e := range a.crisis.events {
		if e.District == "" || e.Severity == 0 {
			continue
		}
		key := e.Country() + "/" + Fold(e.District)
		ad := byKey[key]
		if ad == nil {
			ad = &AffectedDistrict{Name: e.District, DistrictID: e.DistrictID, Province: firstOr(e.Provinces),
				Country: e.Country(), First: e.Date, Last: e.End, Mapping: "source"}
			byKey[key] = ad
			out = append(out, ad)
		}
		if e.Date.Before(ad.First) {
			ad.First = e.Date
		}
		if e.End.After(ad.Last) {
			ad.Last = e.End
		}
		ad.Events++
		ad.EventIDs = append(ad.EventIDs, e.ID)
		ad.Casualties.add(e)
		ad.Severity = max(ad.Severity, e.Severity)
		if e.DistrictMapping == "ours" {
			ad.Mapping = "ours"
		}
	}
	return out
}

// dateProp formats a day for feature properties, "" for the zero time.
func dateProp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func intProp(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func sourcesProp(ss []Source) string {
	var parts []string
	for _, s := range ss {
		x := s.Publisher
		if s.URL != "" {
			x += " <" + s.URL + ">"
		}
		parts = append(parts, x)
	}
	return strings.Join(parts, "; ")
}

// Feature returns the event as a GeoJSON feature (nil geometry when it is
// not located) with flat properties: id, kind, name (the place),
// start_date and end_date (YYYY-MM-DD, inclusive), severity,
// location_precision, location_rule, location_approximate, uncertainty_m,
// border_stretch_km (the border the event affects, see Zones), unit_ids,
// casualty_group, district, district_id, district_as_reported,
// district_mapping, provinces and countries (";"-separated), crossing_id,
// place_id, location_note, killed,
// injured, killed_min, killed_max, injured_min, injured_max (null when
// not reported), casualty_note, casualty_sources, summary,
// source_publisher, source_url and source_date.
func (e *Event) Feature() *geojson.Feature {
	f := geojson.NewFeature(e.Geometry())
	f.ID = e.ID
	c := e.Casualties
	f.Properties = geojson.Properties{
		"id": e.ID, "kind": string(e.Kind), "name": e.Place,
		"start_date": dateProp(e.Date), "end_date": dateProp(e.End),
		"severity": e.Severity, "location_precision": string(e.Precision), "location_rule": e.LocationRule,
		"location_approximate": e.Approximate(), "uncertainty_m": e.UncertaintyM,
		"border_stretch_km": round3(unionLength(e.stretch) / 1000), "unit_ids": strings.Join(e.UnitIDs, ";"),
		"casualty_group": c.Group,
		"district":       e.District, "district_id": e.DistrictID, "district_as_reported": e.DistrictAsReported,
		"district_mapping": e.DistrictMapping,
		"provinces":        strings.Join(e.Provinces, ";"), "countries": strings.Join(e.Countries, ";"),
		"killed": intProp(c.Killed), "injured": intProp(c.Injured),
		"killed_min": intProp(c.KilledMin), "killed_max": intProp(c.KilledMax),
		"injured_min": intProp(c.InjuredMin), "injured_max": intProp(c.InjuredMax),
		"casualty_note": c.Note, "casualty_sources": sourcesProp(c.Sources),
		"crossing_id": e.CrossingID, "place_id": e.PlaceID, "location_note": e.LocationNote,
		"summary": e.Summary, "source_publisher": e.Source.Publisher, "source_url": e.Source.URL,
		"source_date": e.Source.Date,
	}
	return f
}
