package geo

// Reading events.csv and places.csv: the columns, the checks of each row
// and the casualty figures.

import (
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

func readPlaces(fsys fs.FS) (map[string]*Place, error) {
	f, err := openOptional(fsys, FilePlaces)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return map[string]*Place{}, nil
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
	"scope", "border_units", "killed", "injured", "killed_min", "killed_max", "injured_min", "injured_max", "casualty_note",
	"casualty_sources", "casualty_group", "summary", "source_publisher", "source_url", "source_date",
}

func readEvents(fsys fs.FS) ([]*Event, error) {
	f, err := openOptional(fsys, FileEvents)
	if f == nil {
		return nil, err
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
			scope: row["scope"], borderUnits: splitList(row["border_units"]),
		}
		if err := checkScope(e, row["lon"], bad); err != nil {
			return nil, err
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
		if e.Casualties, err = parseCasualties(row, bad); err != nil {
			return nil, err
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

// rowError makes the error of one row of events.csv.
type rowError func(format string, a ...any) error

// checkScope checks an event's scope and what that scope needs.
func checkScope(e *Event, lon string, bad rowError) error {
	switch e.scope {
	case scopeSite:
		if lon == "" && e.PlaceID == "" && e.CrossingID == "" {
			return bad("scope site needs a coordinate, a town or a crossing")
		}
	case scopeBorder:
		if len(e.borderUnits) == 0 {
			return bad("scope border needs border_units")
		}
		for _, u := range e.borderUnits {
			if iso, name, ok := strings.Cut(u, "/"); !ok || len(iso) != 3 || name == "" {
				return bad("border unit %q: want ISO3/name", u)
			}
		}
	case scopeUnit, scopeNone:
	default:
		return bad("scope %q: want site, border, unit or none", e.scope)
	}
	return nil
}

// parseCasualties reads the casualty columns of one row: the figures,
// their ranges, the group and the sources.
func parseCasualties(row map[string]string, bad rowError) (Casualties, error) {
	var c Casualties
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
			return Casualties{}, bad("%s %q: want a count", fld.col, s)
		}
		*fld.dst = &n
	}
	for _, rg := range [][3]*int{{c.Killed, c.KilledMin, c.KilledMax}, {c.Injured, c.InjuredMin, c.InjuredMax}} {
		v, lo, hi := rg[0], rg[1], rg[2]
		if (lo == nil) != (hi == nil) {
			return Casualties{}, bad("a range needs both its min and max")
		}
		if lo != nil && (*lo > *hi || (v != nil && (*v < *lo || *v > *hi))) {
			return Casualties{}, bad("range %d-%d does not hold the figure", *lo, *hi)
		}
	}
	c.Note = row["casualty_note"]
	c.Group = row["casualty_group"]
	c.KilledBest, c.InjuredBest = best(c.Killed, c.KilledMin), best(c.Injured, c.InjuredMin)
	reported := c.Killed != nil || c.Injured != nil || c.KilledMin != nil || c.InjuredMin != nil
	switch {
	case reported && c.Group != "civilians" && c.Group != "security" && c.Group != "unknown":
		return Casualties{}, bad("casualty_group %q: want civilians, security or unknown", c.Group)
	case !reported && c.Group != "":
		return Casualties{}, bad("casualty_group %q without figures", c.Group)
	}
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
	return c, nil
}
