package geo

import (
	"fmt"
	"math"
	"strings"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb"
)

// Precision says how an event is located: the most precise rule the facts
// allow (see ZONES.md).
type Precision string

// Location precisions, from the finest.
const (
	// PrecisionExact: a coordinate given by the source.
	PrecisionExact Precision = "exact"
	// PrecisionCrossing: a named crossing, at the crossing's point on the
	// border line (with the crossing's placement uncertainty).
	PrecisionCrossing Precision = "crossing"
	// PrecisionSite: a named town or site whose coordinate a source gives
	// (data/places.csv).
	PrecisionSite Precision = "site"
	// PrecisionBorderStretch: a "sector" or border area of a district or
	// province: the stretch of the border line the unit touches (a line).
	PrecisionBorderStretch Precision = "border_stretch"
	// PrecisionDistrict and PrecisionProvince: somewhere in the unit, the
	// place itself not located; the unit's polygon, approximate.
	PrecisionDistrict Precision = "district"
	PrecisionProvince Precision = "province"
	// PrecisionNone: nothing locates the event (aggregates, unnamed
	// points): no geometry, the named area is in the properties.
	PrecisionNone Precision = "none"
)

// Scopes of events.csv: what the source says the place is.
const (
	scopeSite   = "site"   // a coordinate, a crossing or a town of places.csv
	scopeBorder = "border" // a sector or border area of border_units
	scopeUnit   = "unit"   // somewhere in the district (else province)
	scopeNone   = "none"   // not locatable
)

// Approximate reports whether the event's location is only approximately
// known: a stretch, a unit, or a point with a placement uncertainty of more
// than ApproxUncertaintyM.
func (e *Event) Approximate() bool {
	switch e.Precision {
	case PrecisionExact, PrecisionSite:
		return false
	case PrecisionCrossing:
		return e.UncertaintyM > ApproxUncertaintyM
	}
	return true
}

// ApproxUncertaintyM is the placement uncertainty, in metres, above which a
// point (an event at a crossing, or a crossing) is drawn as approximate.
const ApproxUncertaintyM = 5000

// locateEvent applies the location rules, in order (see ZONES.md): a
// source coordinate; a named crossing; a town of places.csv; for scope
// "border" the stretch of border the named units touch; for scope "unit"
// the district (or, without districts, the province); else nothing.
func (a *Atlas) locateEvent(e *Event) {
	a.findDistrict(e)
	switch {
	case e.Precision == PrecisionExact:
		e.LocationRule = "the coordinate the source gives"
		return
	case e.CrossingID != "":
		if c, err := a.Crossing(e.CrossingID); err == nil {
			e.Point, e.Precision, e.UncertaintyM = c.Point, PrecisionCrossing, c.UncertaintyM
			e.LocationRule = fmt.Sprintf("named crossing: %s, on the border line (placed %s, uncertainty %.1f km)",
				c.Name, c.Method, c.UncertaintyM/1000)
			return
		}
	case e.PlaceID != "":
		if p := a.crisis.places[e.PlaceID]; p != nil {
			e.Point, e.Precision = p.Point, PrecisionSite
			e.LocationRule = fmt.Sprintf("named town or site: %s, at the coordinate %s gives", p.Name, p.Source.Publisher)
			return
		}
	}
	switch e.scope {
	case scopeBorder:
		if a.locateStretch(e) {
			return
		}
	case scopeUnit:
		if d := a.findDistrict(e); d != nil {
			e.Area, e.Precision = d.Geometry, PrecisionDistrict
			e.LocationRule = fmt.Sprintf("somewhere in %s district (the place itself is not located): the district, approximate", d.Name)
			return
		}
		if pr := a.provinceNamed(firstOr(e.Provinces), e.Country()); pr != nil {
			e.Area, e.Precision, e.UnitIDs = pr.Geometry, PrecisionProvince, []string{pr.ID}
			e.LocationRule = fmt.Sprintf("somewhere in %s province (no district located): the province, approximate", pr.Name)
			return
		}
	}
	e.Precision = PrecisionNone
	e.LocationRule = "not located: the source names no place more precise than " + describeArea(e)
}

func describeArea(e *Event) string {
	switch {
	case len(e.Provinces) > 0:
		return strings.Join(e.Provinces, ", ")
	case e.Place != "":
		return "\"" + e.Place + "\""
	}
	return "the border"
}

// locateStretch places a sector event on the stretch of border its units
// touch: the units of one country are joined, and when units of both
// countries are named, the stretch is where their stretches meet. A unit
// is a province when one of that name exists, else an installed district;
// without districts, a district is replaced by the event's provinces.
func (a *Atlas) locateStretch(e *Event) bool {
	byCountry := map[string][]interval{}
	var names, ids []string
	var order []string
	fallback := false
	for _, u := range e.borderUnits {
		iso, name, _ := strings.Cut(u, "/")
		var iv []interval
		if pr := a.provinceNamed(name, iso); pr != nil {
			iv = a.unitStretch(LayerProvinces, a.indexOfProvince(pr))
			names, ids = append(names, pr.Name+" province"), append(ids, pr.ID)
		} else if a.HasDistricts() {
			d := a.districtNamed(name, iso, "")
			if d == nil {
				continue
			}
			iv = a.unitStretch(LayerDistricts, a.indexOfDistrict(d))
			names, ids = append(names, d.Name+" district"), append(ids, d.ID)
		} else {
			fallback = true
			continue
		}
		if _, ok := byCountry[iso]; !ok {
			order = append(order, iso)
		}
		byCountry[iso] = mergeIntervals(append(byCountry[iso], iv...))
	}
	if fallback && len(byCountry) == 0 {
		for _, name := range e.Provinces {
			if pr := a.provinceNamed(name, e.Country()); pr != nil {
				byCountry[pr.Country] = mergeIntervals(append(byCountry[pr.Country], a.unitStretch(LayerProvinces, a.indexOfProvince(pr))...))
				names, ids = append(names, pr.Name+" province"), append(ids, pr.ID)
				if len(order) == 0 {
					order = append(order, pr.Country)
				}
			}
		}
	}
	if len(order) == 0 {
		return false
	}
	st := byCountry[order[0]]
	for _, iso := range order[1:] {
		st = intersectIntervals(st, byCountry[iso])
	}
	if len(st) == 0 {
		return false
	}
	e.stretch = st
	e.UnitIDs = ids
	e.Precision = PrecisionBorderStretch
	e.Line = a.stretchLines(st)
	how := "the stretch of border " + strings.Join(names, " or ") + " touches"
	if len(order) > 1 {
		how = "the stretch of border where " + strings.Join(names, " and ") + " meet"
	}
	if fallback {
		how += " (districts not installed: the province's stretch)"
	}
	e.LocationRule = fmt.Sprintf("sector or border area: %s, %.0f km", how, unionLength(st)/1000)
	return true
}

// unitStretch returns the chainage intervals of the border segments
// credited to a province or district (see BorderShare), merged.
func (a *Atlas) unitStretch(layerName string, idx int) []interval {
	a.shares.once.Do(a.computeSides)
	b := a.border
	var iv []interval
	for i, s := range a.shares.segSides {
		for _, side := range s {
			k := side.province
			if layerName == LayerDistricts {
				k = side.district
			}
			if int(k) == idx && idx >= 0 {
				iv = append(iv, interval{b.cum[i], b.cum[i+1]})
				break
			}
		}
	}
	return mergeIntervals(iv)
}

// intersectIntervals returns the overlap of two sorted, merged interval
// lists. Stretches of two districts facing each other are credited segment
// by segment, so they share their segments exactly.
func intersectIntervals(x, y []interval) []interval {
	var out []interval
	for i, j := 0, 0; i < len(x) && j < len(y); {
		lo, hi := math.Max(x[i].from, y[j].from), math.Min(x[i].to, y[j].to)
		if hi > lo {
			out = append(out, interval{lo, hi})
		}
		if x[i].to < y[j].to {
			i++
		} else {
			j++
		}
	}
	return out
}

// stretchLines returns the parts of the border line between the chainages
// of the intervals.
func (a *Atlas) stretchLines(st []interval) orb.MultiLineString {
	var out orb.MultiLineString
	for _, iv := range st {
		ls, err := a.border.Between(iv.from/1000, iv.to/1000)
		if err == nil && len(ls) >= 2 {
			out = append(out, ls)
		}
	}
	return out
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
		i, err := a.findIndexByID(LayerDistricts, geojsonio.FeatureID(f))
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
		if Fold(d.Name) == Fold(name) {
			score += 4
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

func (a *Atlas) findIndexByID(layerName, id string) (int, error) {
	for i, f := range a.layers[layerName].features {
		if geojsonio.FeatureID(f) == id {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: %s %q", ErrNotFound, layerName, id)
}

// provinceNamed returns the province of that name, in iso3 when given.
func (a *Atlas) provinceNamed(name, iso3 string) *Province {
	if name == "" {
		return nil
	}
	fs, err := a.Find(LayerProvinces, name)
	if err != nil {
		return nil
	}
	for _, f := range fs {
		for _, p := range a.provinces {
			if p.ID == geojsonio.FeatureID(f) && (iso3 == "" || p.Country == iso3) {
				return p
			}
		}
	}
	return nil
}
