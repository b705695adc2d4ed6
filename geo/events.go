package geo

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"sort"
	"strconv"
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

// Precision says how an event was located.
type Precision string

// Location precisions, from the finest. The radius of an event's area
// follows from it (see EventAreaRadius).
const (
	PrecisionExact    Precision = "exact"    // a coordinate given by the source
	PrecisionTown     Precision = "town"     // a named town, crossing or site
	PrecisionDistrict Precision = "district" // a point on the surface of the installed district
	PrecisionProvince Precision = "province" // a point on the surface of the province
	PrecisionNone     Precision = "none"     // not located
)

// Radii of the geodesic circles of event areas, in metres, by precision.
// District-precision events use the district polygon instead; province and
// unlocated events have no area.
const (
	ExactRadiusM = 2000
	TownRadiusM  = 10000
)

// EventAreaRadius returns the radius in metres of the circle drawn around
// an event located with precision p, or 0 when its area is not a circle.
func EventAreaRadius(p Precision) float64 {
	switch p {
	case PrecisionExact:
		return ExactRadiusM
	case PrecisionTown:
		return TownRadiusM
	}
	return 0
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
	// When sources disagree, the range of their figures (including the
	// primary one); nil when there is no disagreement.
	KilledMin  *int `json:"killed_min,omitempty"`
	KilledMax  *int `json:"killed_max,omitempty"`
	InjuredMin *int `json:"injured_min,omitempty"`
	InjuredMax *int `json:"injured_max,omitempty"`
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

func (c Casualties) killedRange() (int, int, int) { return rangeOf(c.Killed, c.KilledMin, c.KilledMax) }
func (c Casualties) injuredRange() (int, int, int) {
	return rangeOf(c.Injured, c.InjuredMin, c.InjuredMax)
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

	// Where the event is placed: a sourced coordinate, else the named town
	// (data/places.csv) or crossing, else a point on the surface of the
	// installed district, else of the province. Point is the place (the
	// first one for an event naming several provinces, which has one point
	// per province in Points). Precision is PrecisionNone and Point the zero
	// point when nothing locates the event.
	Precision  Precision      `json:"precision"`
	Point      orb.Point      `json:"point"`
	Points     orb.MultiPoint `json:"points,omitempty"`
	LocatedBy  string         `json:"located_by"`
	DistrictID string         `json:"district_id,omitempty"`
	// Severity is a function of the kind and the casualties, see Severity.
	Severity int `json:"severity"`
	// CrossingID is the crossing the event happened at (closures,
	// reopenings), PlaceID the town of places.csv it is placed at, and
	// LocationNote says why it is placed as it is, where that needs saying.
	CrossingID   string `json:"crossing_id,omitempty"`
	PlaceID      string `json:"place_id,omitempty"`
	LocationNote string `json:"location_note,omitempty"`
}

// Geometry returns the event's location: a Point, a MultiPoint for an
// event naming several provinces, or nil when it is not located.
func (e *Event) Geometry() orb.Geometry {
	switch {
	case e.Precision == PrecisionNone:
		return nil
	case len(e.Points) > 1:
		return e.Points
	}
	return e.Point
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

	bandMu sync.Mutex
	bands  map[float64]*bandResult

	ringsOnce sync.Once
	rings     map[string][]orb.Ring // sovereign outer rings by ISO3

	sidesOnce sync.Once
	sides     [][2]orb.Point
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

func readPlaces(fsys fs.FS) (map[string]*Place, error) {
	f, err := fsys.Open(FilePlaces)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]*Place{}, nil
	}
	if err != nil {
		return nil, &DataError{File: FilePlaces, Err: err}
	}
	defer f.Close()
	rows, err := readTable(f, []string{"id", "name", "country", "lon", "lat", "source_publisher", "source_url", "note"})
	if err != nil {
		return nil, &DataError{File: FilePlaces, Err: err}
	}
	out := map[string]*Place{}
	for i, row := range rows {
		bad := func(format string, a ...any) error {
			return &DataError{File: FilePlaces, Err: fmt.Errorf("row %d: %s", i+2, fmt.Sprintf(format, a...))}
		}
		p := &Place{ID: row["id"], Name: row["name"], Country: row["country"], Note: row["note"],
			Source: Source{Publisher: row["source_publisher"], URL: row["source_url"]}}
		if p.ID == "" || out[p.ID] != nil {
			return nil, bad("empty or repeated id %q", p.ID)
		}
		lon, err1 := strconv.ParseFloat(row["lon"], 64)
		lat, err2 := strconv.ParseFloat(row["lat"], 64)
		if err1 != nil || err2 != nil {
			return nil, bad("lon/lat %q, %q are not numbers", row["lon"], row["lat"])
		}
		p.Point = orb.Point{lon, lat}
		if err := checkPoint(p.Point); err != nil {
			return nil, bad("%v", err)
		}
		if p.Source.Publisher == "" || p.Source.URL == "" {
			return nil, bad("no source")
		}
		out[p.ID] = p
	}
	return out, nil
}

var eventColumns = []string{
	"id", "date", "end_date", "kind", "place", "town", "crossing", "district", "district_as_reported",
	"district_mapping", "district_note", "province", "country", "lon", "lat", "location_precision", "location_note",
	"killed", "injured", "killed_min", "killed_max", "injured_min", "injured_max", "casualty_note",
	"casualty_sources", "summary", "source_publisher", "source_url", "source_date",
}

func readEvents(fsys fs.FS) ([]*Event, error) {
	f, err := fsys.Open(FileEvents)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &DataError{File: FileEvents, Err: err}
	}
	defer f.Close()
	return parseEvents(f)
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ";") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// parseEvents reads events.csv; the events come back in date order.
func parseEvents(r io.Reader) ([]*Event, error) {
	rows, err := readTable(r, eventColumns)
	if err != nil {
		return nil, &DataError{File: FileEvents, Err: err}
	}
	seen := map[string]bool{}
	out := make([]*Event, 0, len(rows))
	for i, row := range rows {
		bad := func(format string, a ...any) error {
			return &DataError{File: FileEvents, Err: fmt.Errorf("row %d (%s): %s", i+2, row["id"], fmt.Sprintf(format, a...))}
		}
		e := &Event{
			ID: row["id"], Kind: EventKind(row["kind"]), Place: row["place"],
			District: row["district"], DistrictAsReported: row["district_as_reported"],
			DistrictMapping: row["district_mapping"], DistrictNote: row["district_note"],
			Provinces: splitList(row["province"]), Countries: splitList(row["country"]),
			Summary:         row["summary"],
			Source:          Source{Publisher: row["source_publisher"], URL: row["source_url"], Date: row["source_date"]},
			SourcePrecision: row["location_precision"],
			PlaceID:         row["town"], CrossingID: row["crossing"], LocationNote: row["location_note"],
		}
		if e.ID == "" || seen[e.ID] {
			return nil, bad("empty or repeated id")
		}
		seen[e.ID] = true
		if _, ok := kindWeight(e.Kind); !ok {
			return nil, bad("unknown kind %q", e.Kind)
		}
		var p DatePrecision
		if e.Date, p, err = parseDate(row["date"], false); err != nil || p != DateDay {
			return nil, bad("date %q: want YYYY-MM-DD", row["date"])
		}
		e.End = e.Date
		if s := row["end_date"]; s != "" {
			if e.End, p, err = parseDate(s, true); err != nil || p != DateDay {
				return nil, bad("end_date %q: want YYYY-MM-DD", s)
			}
			if e.End.Before(e.Date) {
				return nil, bad("end_date before date")
			}
		}
		if len(e.Countries) == 0 {
			return nil, bad("no country")
		}
		if e.District != "" && e.DistrictMapping != "source" && e.DistrictMapping != "ours" {
			return nil, bad("district_mapping %q: want source or ours", e.DistrictMapping)
		}
		if lon, lat := row["lon"], row["lat"]; lon != "" || lat != "" {
			x, err1 := strconv.ParseFloat(lon, 64)
			y, err2 := strconv.ParseFloat(lat, 64)
			if err1 != nil || err2 != nil || checkPoint(orb.Point{x, y}) != nil {
				return nil, bad("lon/lat %q, %q", lon, lat)
			}
			e.Point, e.Precision = orb.Point{x, y}, PrecisionExact
		}
		c := &e.Casualties
		for _, fld := range []struct {
			col string
			dst **int
		}{{"killed", &c.Killed}, {"injured", &c.Injured}, {"killed_min", &c.KilledMin}, {"killed_max", &c.KilledMax},
			{"injured_min", &c.InjuredMin}, {"injured_max", &c.InjuredMax}} {
			s := row[fld.col]
			if s == "" {
				continue
			}
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return nil, bad("%s %q: want a count", fld.col, s)
			}
			*fld.dst = &n
		}
		for _, rg := range [][3]*int{{c.Killed, c.KilledMin, c.KilledMax}, {c.Injured, c.InjuredMin, c.InjuredMax}} {
			v, lo, hi := rg[0], rg[1], rg[2]
			if (lo == nil) != (hi == nil) {
				return nil, bad("a range needs both its min and max")
			}
			if lo != nil && (*lo > *hi || (v != nil && (*v < *lo || *v > *hi))) {
				return nil, bad("range %d-%d does not hold the figure", *lo, *hi)
			}
		}
		c.Note = row["casualty_note"]
		for _, s := range strings.Split(row["casualty_sources"], "|") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			src := Source{Publisher: s}
			if k := strings.LastIndex(s, " http"); k >= 0 {
				src = Source{Publisher: s[:k], URL: s[k+1:]}
			}
			c.Sources = append(c.Sources, src)
		}
		if e.Source.Publisher == "" || e.Source.URL == "" {
			return nil, bad("no source")
		}
		if e.Summary == "" {
			return nil, bad("no summary")
		}
		e.Severity = Severity(e.Kind, e.Casualties)
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Date.Equal(out[j].Date) {
			return out[i].Date.Before(out[j].Date)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// crisisData locates the events and derives the affected districts and the
// timeline, once.
func (a *Atlas) crisisData() *crisis {
	c := &a.crisis
	c.once.Do(func() {
		for _, e := range c.events {
			a.locateEvent(e)
		}
		c.affected = a.affectedDistricts()
		c.buildTimeline(a)
	})
	return c
}

// locateEvent places an event (see Event).
func (a *Atlas) locateEvent(e *Event) {
	if e.Precision == PrecisionExact {
		e.LocatedBy = "coordinate"
		a.findDistrict(e)
		return
	}
	if e.CrossingID != "" {
		if c, err := a.Crossing(e.CrossingID); err == nil {
			e.Point, e.Precision, e.LocatedBy = c.Point, PrecisionTown, "crossing:"+c.ID
			a.findDistrict(e)
			return
		}
	}
	if p := a.crisis.places[e.PlaceID]; e.PlaceID != "" && p != nil {
		e.Point, e.Precision, e.LocatedBy = p.Point, PrecisionTown, "place:"+p.ID
		a.findDistrict(e)
		return
	}
	if d := a.findDistrict(e); d != nil {
		e.Point, e.Precision, e.LocatedBy = pointOnSurface(d.Geometry), PrecisionDistrict, "district:"+d.ID
		return
	}
	var pts orb.MultiPoint
	var by []string
	for _, name := range e.Provinces {
		if pr := a.provinceNamed(name, e.Country()); pr != nil {
			pts = append(pts, pointOnSurface(pr.Geometry))
			by = append(by, pr.ID)
		}
	}
	if len(pts) > 0 {
		e.Point, e.Precision, e.LocatedBy = pts[0], PrecisionProvince, "province:"+strings.Join(by, ";")
		if len(pts) > 1 {
			e.Points = pts
		}
		return
	}
	e.Precision, e.LocatedBy = PrecisionNone, ""
}

// findDistrict sets e.DistrictID from the installed district named by the
// event (in its country and province) and returns it.
func (a *Atlas) findDistrict(e *Event) *District {
	if e.District == "" || !a.HasDistricts() {
		return nil
	}
	d := a.districtNamed(e.District, e.Country(), firstOr(e.Provinces))
	if d != nil {
		e.DistrictID = d.ID
	}
	return d
}

func firstOr(s []string) string {
	if len(s) == 1 {
		return s[0]
	}
	return ""
}

// districtNamed returns the installed district of that name, preferring
// one in the given country and province.
func (a *Atlas) districtNamed(name, iso3, province string) *District {
	fs, err := a.Find(LayerDistricts, name)
	if err != nil {
		return nil
	}
	var best *District
	bestScore := -1
	for _, f := range fs {
		i, err := a.findIndexByID(LayerDistricts, featureID(f))
		if err != nil {
			continue
		}
		d := a.districts[i]
		score := 0
		if iso3 != "" && d.Country == iso3 {
			score += 2
		} else if iso3 != "" {
			continue
		}
		if province != "" && Fold(d.Province) == Fold(province) {
			score++
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

func (a *Atlas) findIndexByID(layerName, id string) (int, error) {
	for i, f := range a.layers[layerName].features {
		if featureID(f) == id {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: %s %q", ErrNotFound, layerName, id)
}

// provinceNamed returns the province of that name, in iso3 when given.
func (a *Atlas) provinceNamed(name, iso3 string) *Province {
	fs, err := a.Find(LayerProvinces, name)
	if err != nil {
		return nil
	}
	for _, f := range fs {
		for _, p := range a.provinces {
			if p.ID == featureID(f) && (iso3 == "" || p.Country == iso3) {
				return p
			}
		}
	}
	return nil
}

// pointOnSurface returns a point inside mp: on the horizontal line through
// the middle of the largest polygon's bounding box (nudged off vertices),
// the middle of the widest stretch inside the polygon.
func pointOnSurface(mp orb.MultiPolygon) orb.Point {
	var poly orb.Polygon
	best := -1.0
	for _, p := range mp {
		if len(p) == 0 {
			continue
		}
		if ar := math.Abs(ringArea(p[0])); ar > best {
			poly, best = p, ar
		}
	}
	if poly == nil {
		return orb.Point{}
	}
	b := poly.Bound()
	y := (b.Min[1] + b.Max[1]) / 2
	// Avoid passing exactly through a vertex.
	for again := true; again; {
		again = false
		for _, r := range poly {
			for _, p := range r {
				if p[1] == y {
					y = math.Nextafter(y, math.Inf(1)) + 1e-9
					again = true
				}
			}
		}
	}
	var xs []float64
	for _, r := range poly {
		for i := 0; i+1 < len(r); i++ {
			p, q := r[i], r[i+1]
			if (p[1] > y) != (q[1] > y) {
				xs = append(xs, p[0]+(y-p[1])*(q[0]-p[0])/(q[1]-p[1]))
			}
		}
	}
	sort.Float64s(xs)
	bestW, x := -1.0, b.Center()[0]
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > bestW {
			bestW, x = w, (xs[i]+xs[i+1])/2
		}
	}
	return orb.Point{x, y}
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
// start_date and end_date (YYYY-MM-DD, inclusive), severity, precision,
// located_by, district, district_id, district_as_reported,
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
		"severity": e.Severity, "precision": string(e.Precision), "located_by": e.LocatedBy,
		"district": e.District, "district_id": e.DistrictID, "district_as_reported": e.DistrictAsReported,
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
