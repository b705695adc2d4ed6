package geo_test

import (
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
)

// The examples share one embedded atlas (no districts installed), so that
// its zones are computed once.
var exampleAtlasOnce = sync.OnceValues(data.Default)

func exampleAtlas() *geo.Atlas {
	a, err := exampleAtlasOnce()
	if err != nil {
		log.Fatal(err)
	}
	return a
}

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		log.Fatal(err)
	}
	return t
}

func ExampleAtlas_CrossingStatus() {
	atlas := exampleAtlas()
	for _, q := range []struct{ crossing, day string }{
		{"Chaman", "2025-10-24"},
		{"Torkham", "2025-10-20"},
		{"Torkham", "2025-11-05"},
		{"Ghulam Khan", "2025-08-15"}, // closed from "2025-08": the whole month
	} {
		s, err := atlas.CrossingStatus(q.crossing, date(q.day))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(q.crossing, q.day, s)
	}
	_, err := atlas.CrossingStatus("Atlantis", date("2025-10-20"))
	fmt.Println(err)
	_, err = atlas.CrossingStatus("Torkham", time.Time{})
	fmt.Println(err)
	// Output:
	// Chaman 2025-10-24 refugees_only
	// Torkham 2025-10-20 closed
	// Torkham 2025-11-05 refugees_only
	// Ghulam Khan 2025-08-15 closed
	// geo: not found: no crossing "Atlantis"
	// geo: invalid time: the zero time is not a date
}

func ExampleAtlas_StatusHistory() {
	atlas := exampleAtlas()
	h, err := atlas.StatusHistory("torkham")
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range h {
		to := p.ToText
		if to == "" {
			to = "…"
		}
		fmt.Printf("%-13s %s to %s (%s)\n", p.Status, p.FromText, to, p.Source.Publisher)
	}
	// Output:
	// closed        2025-02-21 to 2025-03-21 (Daryo (Reuters))
	// open          2025-03-21 to 2025-10-11 (Pakinomist (Express Tribune))
	// closed        2025-10-11 to 2025-10-31 (AZERTAC)
	// refugees_only 2025-11-01 to … (Dawn)
}

func ExampleAtlas_CrossingStates() {
	atlas := exampleAtlas()
	states, err := atlas.CrossingStates(date("2025-11-05"))
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range states[:4] {
		fmt.Println(s.Name, s.Status)
	}
	// Output:
	// Chaman refugees_only
	// Badini closed
	// Angoor Adda closed
	// Ghulam Khan closed
}

func ExampleAtlas_Events() {
	atlas := exampleAtlas()
	events := atlas.Events()
	fmt.Println(len(events), "events from", events[0].Date.Format("2 Jan 2006"), "to", events[len(events)-1].Date.Format("2 Jan 2006"))
	e := events[0]
	fmt.Println(e.ID, e.Kind, e.Precision, e.Severity)
	// Output:
	// 54 events from 9 Oct 2025 to 27 Feb 2026
	// 20251009-airstrike-barmal-margha airstrike province 2
}

func ExampleAtlas_Event() {
	atlas := exampleAtlas()
	e, err := atlas.Event("20251017-airstrike-urgun")
	if err != nil {
		log.Fatal(err)
	}
	c := e.Casualties
	fmt.Printf("%s, %s: killed %d (range %d-%d)\nlocated by rule: %s (%s)\n", e.Place, e.Date.Format("2006-01-02"), *c.Killed, *c.KilledMin, *c.KilledMax, e.Precision, e.LocationRule)
	fmt.Println(e.Source.Publisher)
	// Output:
	// Urgun (Argun) district; Khandaro village per TOLOnews, 2025-10-17: killed 11 (range 8-17)
	// located by rule: site (named town or site: Urgun, at the coordinate Wikipedia gives)
	// DID Press (UNAMA report)
}

func ExampleAtlas_EventsBetween() {
	atlas := exampleAtlas()
	events, err := atlas.EventsBetween(date("2025-11-24"), date("2025-11-30"))
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range events {
		fmt.Println(e.Date.Format("2006-01-02"), e.Kind, e.ID)
	}
	// Output:
	// 2025-11-24 airstrike 20251124-airstrike-khost-gurbuz
	// 2025-11-24 airstrike 20251124-airstrike-kunar
	// 2025-11-24 airstrike 20251124-airstrike-paktika
	// 2025-11-28 ceasefire 20251128-ceasefire-broken-fo
	// 2025-11-30 talks 20251130-talks-riyadh
}

func ExampleAtlas_Timeline() {
	atlas := exampleAtlas()
	for _, e := range atlas.Timeline() {
		if e.Date.After(date("2025-10-12")) {
			break
		}
		if e.Date.Before(date("2025-10-11")) {
			continue
		}
		if e.Type == "status" {
			fmt.Println(e.DateText, e.Title)
		}
	}
	// Output:
	// 2025-10-11 Arandu: closed
	// 2025-10-11 Badini: closed
	// 2025-10-11 Chaman: closed
	// 2025-10-11 Torkham: closed
	// 2025-10-12 Angoor Adda: closed
	// 2025-10-12 Ghulam Khan: closed
	// 2025-10-12 Kharlachi: closed
}

func ExampleAtlas_Summary() {
	atlas := exampleAtlas()
	s, err := atlas.Summary(date("2025-10-24"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d closed by the crisis, %d restricted (%s), %d closed since before it\n", len(s.Closed), len(s.Restricted), s.Restricted[0].Name, len(s.ClosedBefore))
	c := s.Casualties
	fmt.Printf("killed so far: %d (best values), %d-%d over all sources, from %d events\n", c.Killed, c.KilledMin, c.KilledMax, c.Events)
	fmt.Printf("border in affected zones: %.0f km\n", s.BorderKm)
	// Output:
	// 6 closed by the crisis, 1 restricted (Chaman), 4 closed since before it
	// killed so far: 65 (best values), 60-75 over all sources, from 7 events
	// border in affected zones: 0 km
}

func ExampleAtlas_ZonesAt() {
	atlas := exampleAtlas()
	for _, d := range []string{"2025-10-15", "2025-10-24", "2025-11-10"} {
		zones, err := atlas.ZonesAt(date(d))
		if err != nil {
			log.Fatal(err)
		}
		top, area := 0, 0.0
		for _, z := range zones {
			top = max(top, z.Severity)
			area += z.AreaKm2
		}
		fmt.Printf("%s: %d zones, highest severity %d, %.0f km² (overlaps counted twice)\n", d, len(zones), top, area)
	}
	// Output:
	// 2025-10-15: 27 zones, highest severity 5, 81843 km² (overlaps counted twice)
	// 2025-10-24: 0 zones, highest severity 0, 0 km² (overlaps counted twice)
	// 2025-11-10: 0 zones, highest severity 0, 0 km² (overlaps counted twice)
}

func ExampleAtlas_Zones() {
	atlas := exampleAtlas()
	zones, err := atlas.Zones()
	if err != nil {
		log.Fatal(err)
	}
	for _, z := range zones {
		if z.EventIDs[0] == "20251015-clash-spin-boldak" {
			fmt.Printf("%s: severity %d, %s to %s, %.0f km of border\n%s\n", z.Name, z.Severity,
				z.ValidFrom.Format("2006-01-02"), z.ValidTo.Format("2006-01-02"), z.BorderKm, z.Rule)
		}
	}
	// Output:
	// Spin Boldak (Afghanistan side): severity 5, 2025-10-15 to 2025-10-22, 20 km of border
	// Event 20251015-clash-spin-boldak (clash, severity 5), located by rule: named town or site: Spin Boldak, at the coordinate Wikipedia gives. Affected stretch: 20.0 km of border (chainage 737.5–757.5 km); zone: the land on the Afghanistan side within 10 km of it, from the event's first day to 7 days after its last.
}

func ExampleAtlas_AffectedDistricts() {
	atlas := exampleAtlas()
	for _, d := range atlas.AffectedDistricts() {
		if d.Name == "Spin Boldak" || d.Name == "Gurbuz" {
			fmt.Printf("%s (%s): %d events, %s to %s, killed %d-%d\n", d.Name, d.Province, d.Events,
				d.First.Format("2006-01-02"), d.Last.Format("2006-01-02"), d.Casualties.KilledMin, d.Casualties.KilledMax)
		}
	}
	// Output:
	// Spin Boldak (Kandahar): 4 events, 2025-10-15 to 2025-12-06, killed 19-22
	// Gurbuz (Khost): 1 events, 2025-11-24 to 2025-11-25, killed 10-10
}

func ExampleSeverity() {
	killed, injured := 17, 346
	fmt.Println(geo.Severity(geo.KindClash, geo.Casualties{Killed: &killed, Injured: &injured}))
	fmt.Println(geo.Severity(geo.KindCrossingClosed, geo.Casualties{}))
	fmt.Println(geo.Severity(geo.KindTalks, geo.Casualties{}))
	// Output:
	// 5
	// 1
	// 0
}

func ExampleDay() {
	t := time.Date(2025, 10, 24, 23, 30, 0, 0, time.FixedZone("PKT", 5*3600))
	fmt.Println(geo.Day(t))
	// Output:
	// 2025-10-24 00:00:00 +0000 UTC
}

func ExampleEvent_Feature() {
	atlas := exampleAtlas()
	e, err := atlas.Event("20251011-closed-torkham")
	if err != nil {
		log.Fatal(err)
	}
	f := e.Feature()
	fmt.Println(f.Geometry.GeoJSONType(), f.Properties["start_date"], f.Properties["kind"], f.Properties["killed"])
	// Output:
	// Point 2025-10-11 crossing_closed <nil>
}

func ExampleZone_Feature() {
	atlas := exampleAtlas()
	zones, err := atlas.ZonesAt(date("2025-10-20"))
	if err != nil {
		log.Fatal(err)
	}
	for _, z := range zones {
		f := z.Feature()
		fmt.Println(f.Geometry.GeoJSONType(), f.Properties["kind"], f.Properties["event_ids"], f.Properties["start_date"], f.Properties["end_date"])
	}
	// Output:
	// MultiPolygon border_stretch 20251014-clash-kurram 2025-10-14 2025-10-22
	// MultiPolygon border_stretch 20251015-airstrike-spin-boldak 2025-10-15 2025-10-22
	// MultiPolygon border_stretch 20251015-clash-chaman 2025-10-15 2025-10-22
	// MultiPolygon border_stretch 20251015-clash-spin-boldak 2025-10-15 2025-10-22
	// MultiPolygon border_stretch 20251015-displacement-spin-boldak 2025-10-15 2025-10-22
}

func ExampleAtlas_PrepareZones() {
	atlas := exampleAtlas()
	// A server would run this in the background at start-up.
	if err := atlas.PrepareZones(); err != nil {
		log.Fatal(err)
	}
	zones, _ := atlas.Zones()
	fmt.Println(len(zones), "zones without districts installed")
	// Output:
	// 28 zones without districts installed
}

func ExampleAtlas_Places() {
	atlas := exampleAtlas()
	for _, p := range atlas.Places()[:2] {
		fmt.Printf("%s %s %.3f %.3f (%s)\n", p.ID, p.Country, p.Point[0], p.Point[1], p.Source.Publisher)
	}
	// Output:
	// doha QAT 51.533 25.287 (Wikipedia)
	// islamabad PAK 73.037 33.699 (Wikipedia)
}
