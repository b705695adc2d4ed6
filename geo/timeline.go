package geo

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Time in the crisis layers (events, crossing status, zones):
//
//   - Every date is a calendar day, as reported; a day is represented by
//     the time.Time of its midnight in UTC. A query time t stands for the
//     day it falls on in UTC (t.UTC() truncated to the day).
//   - Intervals of days are closed: an event of 11–12 Oct is on both days,
//     a status period "from 2025-10-13 to 2025-10-31" holds on both ends.
//   - Partial dates are widened to the days they cover: a from-date of
//     2025-08 starts on 1 Aug 2025, a to-date of 2025-08 ends on 31 Aug 2025;
//     a year (2007) covers 1 Jan to 31 Dec. An empty from-date means "in
//     force since before the record", an empty to-date "no end known".
//   - The zero time.Time is not a day: passing it returns a *TimeError.

// ErrInvalidTime is matched (errors.Is) by every *TimeError.
var ErrInvalidTime = errors.New("geo: invalid time")

// TimeError describes a time or interval that cannot be used: the zero
// time, or an interval whose end is before its start.
type TimeError struct {
	Time   time.Time
	Reason string
}

func (e *TimeError) Error() string {
	if e.Time.IsZero() {
		return "geo: invalid time: " + e.Reason
	}
	return fmt.Sprintf("geo: invalid time %s: %s", e.Time.Format(time.RFC3339), e.Reason)
}

// Is makes errors.Is(err, ErrInvalidTime) true.
func (e *TimeError) Is(target error) bool { return target == ErrInvalidTime }

// Day returns the UTC day of t (midnight UTC).
func Day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func checkTime(t time.Time) (time.Time, error) {
	if t.IsZero() {
		return time.Time{}, &TimeError{Reason: "the zero time is not a date"}
	}
	return Day(t), nil
}

// DatePrecision says how much of a date a source gave.
type DatePrecision string

// Date precisions.
const (
	DateDay   DatePrecision = "day"
	DateMonth DatePrecision = "month"
	DateYear  DatePrecision = "year"
)

// parseDate reads YYYY-MM-DD, YYYY-MM or YYYY. For a partial date it
// returns the first day it covers, or the last when end is set.
func parseDate(s string, end bool) (time.Time, DatePrecision, error) {
	parts := strings.Split(s, "-")
	bad := func() (time.Time, DatePrecision, error) {
		return time.Time{}, "", fmt.Errorf("date %q: want YYYY-MM-DD, YYYY-MM or YYYY", s)
	}
	if len(parts) > 3 || len(parts[0]) != 4 {
		return bad()
	}
	num := make([]int, len(parts))
	for i, p := range parts {
		if i > 0 && len(p) != 2 {
			return bad()
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return bad()
		}
		num[i] = n
	}
	y := num[0]
	switch len(num) {
	case 1:
		if end {
			return time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC), DateYear, nil
		}
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), DateYear, nil
	case 2:
		m := num[1]
		if m < 1 || m > 12 {
			return bad()
		}
		if end {
			return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC), DateMonth, nil
		}
		return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC), DateMonth, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return bad()
	}
	return t, DateDay, nil
}

// dayIn reports whether day d lies in [from, to], a zero from or to being
// unbounded.
func dayIn(d, from, to time.Time) bool {
	return (from.IsZero() || !d.Before(from)) && (to.IsZero() || !d.After(to))
}

// TimelineEntry is one dated item of the crisis timeline: an event, or a
// change of a crossing's status (the start of a status period).
type TimelineEntry struct {
	Date time.Time `json:"date"`
	// DateText is the date as the source gave it (2025-10-11, 2025-08, 2007).
	DateText  string        `json:"date_text"`
	Precision DatePrecision `json:"date_precision"`
	// Type is "event" or "status".
	Type       string    `json:"type"`
	ID         string    `json:"id"` // the event id, or the crossing id of a status change
	EventKind  EventKind `json:"event_kind,omitempty"`
	CrossingID string    `json:"crossing_id,omitempty"`
	Status     Status    `json:"status,omitempty"`
	Title      string    `json:"title"`
	// BeforeCrisis marks a closure or restriction that began before the
	// crisis (see CrossingState.BeforeCrisis).
	BeforeCrisis bool `json:"before_crisis,omitempty"`

	Event  *Event        `json:"-"`
	Period *StatusPeriod `json:"-"`
}

// Timeline returns the dated events and crossing status changes in date
// order (on the same day, events first, then by id). Status periods with no
// known start are not changes and are left out.
func (a *Atlas) Timeline() []TimelineEntry {
	c := a.crisisData()
	return slices.Clone(c.timeline)
}

func (c *crisis) buildTimeline(a *Atlas) {
	var out []TimelineEntry
	for _, e := range c.events {
		out = append(out, TimelineEntry{
			Date: e.Date, DateText: e.Date.Format("2006-01-02"), Precision: DateDay,
			Type: "event", ID: e.ID, EventKind: e.Kind, Title: e.Place, Event: e,
		})
	}
	for _, id := range c.statusIDs {
		for _, p := range c.status[id] {
			if p.From.IsZero() {
				continue
			}
			name := a.statusName(id)
			out = append(out, TimelineEntry{
				Date: p.From, DateText: p.FromText, Precision: p.FromPrecision,
				Type: "status", ID: id, CrossingID: id, Status: p.Status,
				Title: name + ": " + strings.ReplaceAll(string(p.Status), "_", " "), Period: p,
				BeforeCrisis: p.Status.Restricted() && !a.crisisStart().IsZero() && p.From.Before(a.crisisStart()),
			})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if !x.Date.Equal(y.Date) {
			return x.Date.Before(y.Date)
		}
		if x.Type != y.Type {
			return x.Type == "event"
		}
		return x.ID < y.ID
	})
	c.timeline = out
}

// Figure is a count as a best value and the range of all sources.
type Figure struct {
	Best int `json:"best"`
	Min  int `json:"min"`
	Max  int `json:"max"`
}

func (f *Figure) add(best, lo, hi int) {
	f.Best += best
	f.Min += lo
	f.Max += hi
}

// Groups splits a count by who was counted (see Casualties.Group).
type Groups struct {
	Civilians Figure `json:"civilians"`
	Security  Figure `json:"security"`
	Unknown   Figure `json:"unknown"`
}

func (g *Groups) of(group string) *Figure {
	switch group {
	case "civilians":
		return &g.Civilians
	case "security":
		return &g.Security
	}
	return &g.Unknown
}

// Sum returns the sum of the groups.
func (g Groups) Sum() Figure {
	return Figure{
		Best: g.Civilians.Best + g.Security.Best + g.Unknown.Best,
		Min:  g.Civilians.Min + g.Security.Min + g.Unknown.Min,
		Max:  g.Civilians.Max + g.Security.Max + g.Unknown.Max,
	}
}

// CasualtyTotals adds up casualty figures of events without counting any
// person twice: each event contributes its own figures once (the clash
// totals of 11–12 Oct 2025 are on two aggregate events only, and the
// per-sector events of that night have none), and conflicting figures for
// one event contribute their range, not their sum. Every total is the sum
// of its groups (civilians, security forces, unknown) and lies within its
// range.
type CasualtyTotals struct {
	// Killed and Injured sum the best value of each event (see
	// Casualties.KilledBest).
	Killed  int `json:"killed"`
	Injured int `json:"injured"`
	// The ranges sum each event's lowest and highest figure.
	KilledMin  int `json:"killed_min"`
	KilledMax  int `json:"killed_max"`
	InjuredMin int `json:"injured_min"`
	InjuredMax int `json:"injured_max"`
	// KilledBy and InjuredBy split the totals by group.
	KilledBy  Groups `json:"killed_by_group"`
	InjuredBy Groups `json:"injured_by_group"`
	// Events is the number of events with at least one figure.
	Events   int      `json:"events"`
	EventIDs []string `json:"event_ids"`
	// Sources are the sources of the figures: each event's source and the
	// sources of the other figures of a range.
	Sources []Source `json:"sources"`
}

func (t *CasualtyTotals) add(e *Event) {
	c := e.Casualties
	if c.Killed == nil && c.Injured == nil && c.KilledMax == nil && c.InjuredMax == nil {
		return
	}
	k, kmin, kmax := c.killedRange()
	i, imin, imax := c.injuredRange()
	t.KilledBy.of(c.Group).add(k, kmin, kmax)
	t.InjuredBy.of(c.Group).add(i, imin, imax)
	ks, is := t.KilledBy.Sum(), t.InjuredBy.Sum()
	t.Killed, t.KilledMin, t.KilledMax = ks.Best, ks.Min, ks.Max
	t.Injured, t.InjuredMin, t.InjuredMax = is.Best, is.Min, is.Max
	t.Events++
	t.EventIDs = append(t.EventIDs, e.ID)
	t.Sources = append(t.Sources, e.Source)
	t.Sources = append(t.Sources, c.Sources...)
}

// CrossingState is a crossing's status on a day.
type CrossingState struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status Status `json:"status"`
	// BeforeCrisis is set for a closure or restriction in force since
	// before the crisis (its period began before the first event), such as
	// Nawa Pass, closed since 2007: not a closure the crisis brought.
	BeforeCrisis bool `json:"before_crisis"`
	// Period is the status period in force, nil when none covers the day.
	Period *StatusPeriod `json:"period,omitempty"`
}

// Summary is the state of the crisis on one day.
type Summary struct {
	Date time.Time `json:"date"`
	// Closed lists the crossings the crisis closed (closed that day by a
	// period that began on or after the first event); Restricted those it
	// left open only to some traffic (refugees, trade or pedestrians);
	// ClosedBefore the closures and restrictions in force since before the
	// crisis, kept apart.
	Closed       []CrossingState `json:"closed"`
	Restricted   []CrossingState `json:"restricted"`
	ClosedBefore []CrossingState `json:"closed_before_crisis"`
	// Districts are the districts named by harmful events whose first event
	// is on or before the day and whose last event ends on or after it.
	Districts []*AffectedDistrict `json:"districts"`
	// ActiveZones counts the zones active that day (all kinds).
	ActiveZones int `json:"active_zones"`
	// BorderKm is the length of border, in km, of the affected stretches of
	// the zones active that day. A stretch of several zones counts once. BorderKmBySide splits it by country; a
	// stretch touched on both sides counts in both.
	BorderKm       float64            `json:"border_km"`
	BorderKmBySide map[string]float64 `json:"border_km_by_side"`
	// Casualties adds up the figures of every event that started on or
	// before the day; ByCountry splits them by the event's country.
	Casualties CasualtyTotals            `json:"casualties"`
	ByCountry  map[string]CasualtyTotals `json:"casualties_by_country"`
}

// Summary returns the state of the crisis on the day of t: crossings
// closed or restricted, affected districts, the km of border inside
// affected zones and the casualty totals so far, with their sources. The
// first call computes the zones (see Zones).
func (a *Atlas) Summary(t time.Time) (Summary, error) {
	d, err := checkTime(t)
	if err != nil {
		return Summary{}, err
	}
	c := a.crisisData()
	z, err := a.zoneData()
	if err != nil {
		return Summary{}, err
	}
	s := Summary{Date: d, BorderKmBySide: map[string]float64{}, ByCountry: map[string]CasualtyTotals{}}
	for _, st := range a.crossingStates(d) {
		switch {
		case st.BeforeCrisis:
			s.ClosedBefore = append(s.ClosedBefore, st)
		case st.Status == StatusClosed:
			s.Closed = append(s.Closed, st)
		case st.Status.Restricted():
			s.Restricted = append(s.Restricted, st)
		}
	}
	for _, ad := range c.affected {
		if dayIn(d, ad.First, ad.Last) {
			s.Districts = append(s.Districts, ad)
		}
	}
	var all, afg, pak []interval
	for _, zn := range z.zones {
		if !zn.Active(d) {
			continue
		}
		s.ActiveZones++
		all = append(all, zn.border...)
		if zn.Country == "AFG" {
			afg = append(afg, zn.border...)
		} else if zn.Country == "PAK" {
			pak = append(pak, zn.border...)
		}
	}
	s.BorderKm = round3(unionLength(all) / 1000)
	s.BorderKmBySide["AFG"] = round3(unionLength(afg) / 1000)
	s.BorderKmBySide["PAK"] = round3(unionLength(pak) / 1000)
	for _, e := range c.events {
		if e.Date.After(d) {
			break
		}
		s.Casualties.add(e)
		for _, iso := range e.Countries {
			ct := s.ByCountry[iso]
			ct.add(e)
			s.ByCountry[iso] = ct
		}
	}
	return s, nil
}

// interval is a stretch of border chainage in metres.
type interval struct{ from, to float64 }

// unionLength returns the total length covered by the intervals.
func unionLength(iv []interval) float64 {
	if len(iv) == 0 {
		return 0
	}
	iv = slices.Clone(iv)
	sort.Slice(iv, func(i, j int) bool { return iv[i].from < iv[j].from })
	total := 0.0
	cur := iv[0]
	for _, x := range iv[1:] {
		if x.from <= cur.to {
			cur.to = math.Max(cur.to, x.to)
			continue
		}
		total += cur.to - cur.from
		cur = x
	}
	return total + cur.to - cur.from
}

// mergeIntervals sorts and merges intervals.
func mergeIntervals(iv []interval) []interval {
	if len(iv) == 0 {
		return nil
	}
	sort.Slice(iv, func(i, j int) bool { return iv[i].from < iv[j].from })
	out := []interval{iv[0]}
	for _, x := range iv[1:] {
		last := &out[len(out)-1]
		if x.from <= last.to {
			last.to = math.Max(last.to, x.to)
			continue
		}
		out = append(out, x)
	}
	return out
}
