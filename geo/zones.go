package geo

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"
)

// The zone model: every shaded area is a band along the stretch of border
// one event affects, on one side, for the event's days and a window after
// them. The rules, their parameters and why are in ZONES.md.

// ZoneKind is what a zone stands for.
type ZoneKind string

// ZoneBorderStretch is the land within ReachKm of the stretch of border
// an event affects, on one side, while the event is in its window.
const ZoneBorderStretch ZoneKind = "border_stretch"

// Parameters of the zone rules (see ZONES.md for why).
const (
	// ReachKm is how far a border event reaches: a located point affects
	// the border only when it is within ReachKm of the line, and then the
	// stretch within ReachKm (plus the point's placement uncertainty) of its
	// nearest border point; every zone is the land within ReachKm of its
	// stretch.
	ReachKm = 10
	// WindowDays is how many days after its last day an event keeps its
	// stretch affected.
	WindowDays = 7
)

// Zone is the band along the stretch of border one event affects, on one
// side, with the event's severity and the days it is active.
type Zone struct {
	ID      string   `json:"id"`
	Kind    ZoneKind `json:"kind"`
	Name    string   `json:"name"`
	Country string   `json:"country"` // the side: ISO3
	// Severity is the event's (see Severity).
	Severity int `json:"severity"`
	// ValidFrom and ValidTo are the first and last day the zone is active:
	// the event's first day, and its last day plus WindowDays.
	ValidFrom time.Time `json:"valid_from"`
	ValidTo   time.Time `json:"valid_to"`
	Sources   []Source  `json:"sources"`
	EventIDs  []string  `json:"event_ids"`
	// Rule says in words how the zone was made: the event's location rule,
	// the stretch, the band and the window.
	Rule string `json:"rule"`
	// Geometry is valid (OGC), lon/lat, exterior rings counter-clockwise.
	Geometry orb.MultiPolygon `json:"-"`
	// Stretch is the affected stretch: parts of the border line.
	Stretch orb.MultiLineString `json:"-"`
	// BorderKm is the length of the affected stretch, FromKm and ToKm its
	// extent in chainage; AreaKm2 the zone's area (spherical, see
	// ZONES.md).
	BorderKm float64 `json:"border_km"`
	FromKm   float64 `json:"from_km"`
	ToKm     float64 `json:"to_km"`
	AreaKm2  float64 `json:"area_km2"`

	border []interval // chainage in metres, merged
}

// Active reports whether the zone is active on the day of t.
func (z *Zone) Active(t time.Time) bool {
	return dayIn(Day(t), z.ValidFrom, z.ValidTo)
}

// Feature returns the zone as a GeoJSON feature (MultiPolygon) with flat
// properties: id, kind, name, country, severity, start_date and end_date
// (YYYY-MM-DD, inclusive), event_ids (";"-separated), rule, border_km,
// from_km, to_km, area_km2 and sources ("publisher <url>; …").
func (z *Zone) Feature() *geojson.Feature {
	f := geojson.NewFeature(z.Geometry)
	f.ID = z.ID
	f.Properties = geojson.Properties{
		"id": z.ID, "kind": string(z.Kind), "name": z.Name, "country": z.Country, "severity": z.Severity,
		"start_date": dateProp(z.ValidFrom), "end_date": dateProp(z.ValidTo),
		"event_ids": strings.Join(z.EventIDs, ";"), "rule": z.Rule,
		"border_km": z.BorderKm, "from_km": z.FromKm, "to_km": z.ToKm, "area_km2": z.AreaKm2,
		"sources": sourcesProp(z.Sources),
	}
	return f
}

type zoneSet struct {
	zones []*Zone
}

// zoneCache holds the buffers of stretches, shared by events on the same
// stretch.
type zoneCache struct {
	mu      sync.Mutex
	buffers map[string][]orb.Ring
	shared  BufferCache // UseBufferCache; nil: none
}

// Zones returns every zone, by first day, then id. Zones are computed on
// the first call (see PrepareZones) and shared: they must not be modified.
func (a *Atlas) Zones() ([]*Zone, error) {
	z, err := a.zoneData()
	if err != nil {
		return nil, err
	}
	return slices.Clone(z.zones), nil
}

// ZonesAt returns the zones active on the day of t, in the order of Zones.
// It returns a *TimeError for the zero time.
func (a *Atlas) ZonesAt(t time.Time) ([]*Zone, error) {
	d, err := checkTime(t)
	if err != nil {
		return nil, err
	}
	z, err := a.zoneData()
	if err != nil {
		return nil, err
	}
	var out []*Zone
	for _, zn := range z.zones {
		if zn.Active(d) {
			out = append(out, zn)
		}
	}
	return out, nil
}

// PrepareZones computes the zones now (they are otherwise computed on the
// first call of Zones, ZonesAt or Summary), for servers that want the cost
// paid at start-up, in the background.
func (a *Atlas) PrepareZones() error {
	_, err := a.zoneData()
	return err
}

func (a *Atlas) zoneData() (*zoneSet, error) {
	c := a.crisisData()
	c.zonesOnce.Do(func() {
		c.zones, c.zonesErr = a.buildZones()
	})
	return c.zones, c.zonesErr
}

// affectedStretch sets the stretch of border an event affects (see
// ZONES.md): a point within ReachKm of the line, the border within ReachKm
// plus its uncertainty of its nearest border point; a sector, its stretch;
// an event somewhere in a district that touches the border, the district's
// stretch; otherwise none (a province, a place far from the border, an
// unlocated event).
func (a *Atlas) affectedStretch(e *Event) {
	switch e.Precision {
	case PrecisionExact, PrecisionCrossing, PrecisionSite:
		d := a.border.nearest(e.Point)
		if d.Metres > ReachKm*1000 {
			e.stretch = nil
			return
		}
		r := ReachKm*1000 + e.UncertaintyM
		c := d.ChainageKm * 1000
		e.stretch = []interval{{math.Max(0, c-r), math.Min(a.border.Length(), c+r)}}
	case PrecisionDistrict:
		if d, err := a.District(e.DistrictID); err == nil {
			e.stretch = a.unitStretch(LayerDistricts, a.indexOfDistrict(d))
		}
	}
}

// zoneSides returns the sides an event's zone is drawn on: both for an
// event at a crossing (a crossing has two sides), else the event's
// countries.
func zoneSides(e *Event) []string {
	if e.Kind == KindCrossingClosed || e.Kind == KindCrossingReopened {
		return []string{"AFG", "PAK"}
	}
	var out []string
	for _, iso := range []string{"AFG", "PAK"} {
		if slices.Contains(e.Countries, iso) {
			out = append(out, iso)
		}
	}
	return out
}

func (a *Atlas) buildZones() (*zoneSet, error) {
	c := &a.crisis
	var zones []*Zone
	for _, e := range c.events {
		if e.Severity == 0 || len(e.stretch) == 0 {
			continue
		}
		rings, err := a.stretchBuffer(e.stretch)
		if err != nil {
			return nil, fmt.Errorf("event %s: %w", e.ID, err)
		}
		for _, side := range zoneSides(e) {
			mp, err := a.clipToCountry(rings, side)
			if err != nil {
				return nil, fmt.Errorf("event %s, %s side: %w", e.ID, side, err)
			}
			if len(mp) == 0 {
				continue
			}
			z := &Zone{
				ID: "stretch-" + e.ID + "-" + side, Kind: ZoneBorderStretch, Country: side,
				Name:     fmt.Sprintf("%s (%s side)", e.Place, a.countryName(side)),
				Severity: e.Severity, ValidFrom: e.Date, ValidTo: e.End.AddDate(0, 0, WindowDays),
				Sources: []Source{e.Source}, EventIDs: []string{e.ID}, Geometry: mp, border: e.stretch,
				Stretch:  a.stretchLines(e.stretch),
				BorderKm: round3(unionLength(e.stretch) / 1000),
				FromKm:   round3(e.stretch[0].from / 1000), ToKm: round3(e.stretch[len(e.stretch)-1].to / 1000),
				AreaKm2: math.Round(orbgeo.Area(mp)/1e4) / 100,
			}
			z.Rule = fmt.Sprintf("Event %s (%s, severity %d), located by rule: %s. Affected stretch: %.1f km of border "+
				"(chainage %.1f–%.1f km); zone: the land on the %s side within %d km of it, from the event's first day "+
				"to %d days after its last.", e.ID, e.Kind, e.Severity, e.LocationRule, z.BorderKm, z.FromKm, z.ToKm,
				a.countryName(side), ReachKm, WindowDays)
			zones = append(zones, z)
		}
	}
	sort.SliceStable(zones, func(i, j int) bool {
		x, y := zones[i], zones[j]
		if !x.ValidFrom.Equal(y.ValidFrom) {
			return x.ValidFrom.Before(y.ValidFrom)
		}
		return x.ID < y.ID
	})
	return &zoneSet{zones: zones}, nil
}

func (a *Atlas) countryName(iso string) string {
	for _, c := range a.countries {
		if c.ID == iso {
			return c.Name
		}
	}
	return iso
}

// stretchBuffer returns the rings of the land within ReachKm of the
// stretch (both sides), cached by stretch.
func (a *Atlas) stretchBuffer(st []interval) ([]orb.Ring, error) {
	var key strings.Builder
	for _, iv := range st {
		fmt.Fprintf(&key, "%.0f-%.0f;", iv.from, iv.to)
	}
	// The lock is not held while a buffer is traced (hundreds of ms), so
	// that ReuseFrom, copying the buffers into a newer atlas, never waits
	// for one: an atlas computes its zones once (zoneData), so no two
	// goroutines trace the same buffer of one atlas.
	zc := &a.crisis.buffers
	zc.mu.Lock()
	r, ok := zc.buffers[key.String()]
	shared := zc.shared
	zc.mu.Unlock()
	if ok {
		return r, nil
	}
	lines := a.stretchLines(st)
	var sharedKey string
	claimer, _ := shared.(bufferClaimer)
	if shared != nil {
		sharedKey = BufferKey(lines, ReachKm*1000)
		get := shared.Buffer
		if claimer != nil {
			get = claimer.Claim
		}
		if r, ok := get(sharedKey); ok {
			zc.keep(key.String(), r)
			return r, nil
		}
	}
	rings, err := traceStretch(lines)
	if err != nil {
		if claimer != nil {
			claimer.Release(sharedKey)
		}
		return nil, err
	}
	if shared != nil {
		shared.PutBuffer(sharedKey, rings)
	}
	zc.keep(key.String(), rings)
	return rings, nil
}

// traceStretch traces the buffer of the lines of a stretch: the land
// within ReachKm of them.
func traceStretch(lines orb.MultiLineString) ([]orb.Ring, error) {
	var parts []*Border
	bound := orb.Bound{}
	for i, ls := range lines {
		b, err := newBorder("stretch", "stretch", ls)
		if err != nil {
			return nil, err
		}
		parts = append(parts, b)
		if i == 0 {
			bound = ls.Bound()
		} else {
			bound = bound.Union(ls.Bound())
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	return traceLevel(func(p orb.Point) float64 {
		best := math.Inf(1)
		for _, b := range parts {
			if _, d := b.approxNearest(p); d < best {
				best = d
			}
		}
		return best
	}, bound, ReachKm*1000)
}

// keep stores the buffer of the stretch keyed key.
func (zc *zoneCache) keep(key string, rings []orb.Ring) {
	zc.mu.Lock()
	defer zc.mu.Unlock()
	if zc.buffers == nil {
		zc.buffers = map[string][]orb.Ring{}
	}
	zc.buffers[key] = rings
}

// sovereignRings returns a country's outer rings (holes filled),
// counter-clockwise.
func (a *Atlas) sovereignRings(iso3 string) []orb.Ring {
	c := &a.crisis
	c.ringsOnce.Do(func() {
		c.rings = map[string][]orb.Ring{}
		for _, ctry := range a.countries {
			c.rings[ctry.ID] = orientRings(ctry.Geometry, true)
		}
	})
	return c.rings[iso3]
}

// clipToCountry returns the part of the area (rings oriented as in
// orientRings) inside the country. Boundaries that touch without crossing
// (a vertex of one exactly on the other) are resolved by moving the area
// by a few nanodegrees (millimetres) and trying again.
func (a *Atlas) clipToCountry(area []orb.Ring, iso3 string) (orb.MultiPolygon, error) {
	mp, err := intersectRegions(a.sovereignRings(iso3), area)
	for k := 1; k <= 3 && err != nil; k++ {
		d := float64(k) * 3e-9
		moved := make([]orb.Ring, len(area))
		for i, r := range area {
			moved[i] = make(orb.Ring, len(r))
			for j, p := range r {
				moved[i][j] = orb.Point{p[0] + d, p[1] + 0.7*d}
			}
		}
		mp, err = intersectRegions(a.sovereignRings(iso3), moved)
	}
	return mp, err
}
