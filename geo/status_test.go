package geo_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/durandline/durand/geo"
)

func TestCrossingStatus(t *testing.T) {
	a := defaultAtlas(t)
	tests := []struct {
		name     string
		crossing string
		day      string
		want     geo.Status
	}{
		{"Chaman refugees only on 24 Oct", "chaman", "2025-10-24", geo.StatusRefugeesOnly},
		{"Torkham closed on 20 Oct", "torkham", "2025-10-20", geo.StatusClosed},
		{"Torkham refugees only on 5 Nov", "torkham", "2025-11-05", geo.StatusRefugeesOnly},
		{"Torkham open before the crisis", "torkham", "2025-10-10", geo.StatusOpen},
		{"Torkham closed on the day it shut (a change wins the day)", "torkham", "2025-10-11", geo.StatusClosed},
		{"Torkham closed in March 2025", "torkham", "2025-03-01", geo.StatusClosed},
		{"Chaman by name: Friendship Gate", "Friendship Gate", "2025-10-12", geo.StatusClosed},
		{"Chaman open before 11 Oct (no known start)", "chaman", "2020-01-01", geo.StatusOpen},
		{"Chaman refugees only in January 2026 (no known end)", "chaman", "2026-01-15", geo.StatusRefugeesOnly},
		{"Ghulam Khan closed from a month-precision date (2025-08)", "ghulam_khan", "2025-08-01", geo.StatusClosed},
		{"Ghulam Khan open until 30 Jul", "ghulam_khan", "2025-07-30", geo.StatusOpen},
		{"Ghulam Khan unknown on 31 Jul", "ghulam_khan", "2025-07-31", geo.StatusUnknown},
		{"Angoor Adda reopened on 30 Sep 2025", "angoor_adda", "2025-09-30", geo.StatusOpen},
		{"Angoor Adda closed from 2023-09", "angoor_adda", "2023-09-01", geo.StatusClosed},
		{"Angoor Adda unknown before September 2023", "angoor_adda", "2023-08-31", geo.StatusUnknown},
		{"Nawa Pass closed from the year 2007", "nawa_pass", "2007-01-01", geo.StatusClosed},
		{"Nawa Pass unknown in 2006", "nawa_pass", "2006-12-31", geo.StatusUnknown},
		{"Badini: pedestrians from 2023 over the trade closure of 2020", "badini", "2024-06-01", geo.StatusPedestriansOnly},
		{"Badini closed in the crisis", "badini", "2025-10-20", geo.StatusClosed},
		{"Bin Shahi has no record", "bin_shahi", "2025-10-20", geo.StatusUnknown},
		{"Ghakhi Pass, known to the status table only", "ghakhi_pass", "2025-10-20", geo.StatusClosed},
		{"time of day does not matter", "torkham", "2025-11-01", geo.StatusRefugeesOnly},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := a.CrossingStatus(tc.crossing, day(tc.day).Add(23*time.Hour+59*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("CrossingStatus(%s, %s) = %s, want %s", tc.crossing, tc.day, got, tc.want)
			}
		})
	}
}

func TestCrossingStatusBadInput(t *testing.T) {
	a := defaultAtlas(t)
	_, err := a.CrossingStatus("atlantis", day("2025-10-20"))
	if !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("unknown crossing: err = %v, want ErrNotFound", err)
	}
	_, err = a.CrossingStatus("torkham", time.Time{})
	var te *geo.TimeError
	if !errors.Is(err, geo.ErrInvalidTime) || !errors.As(err, &te) {
		t.Errorf("zero time: err = %v, want a *TimeError", err)
	}
	if _, err := a.StatusHistory("atlantis"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("StatusHistory(atlantis): %v", err)
	}
	if _, err := a.CrossingStates(time.Time{}); !errors.Is(err, geo.ErrInvalidTime) {
		t.Errorf("CrossingStates(zero): %v", err)
	}
}

func TestStatusHistory(t *testing.T) {
	a := defaultAtlas(t)
	h, err := a.StatusHistory("Ghulam Khan")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 6 {
		t.Fatalf("%d periods, want 6 (the weeks after the August closure are unknown)", len(h))
	}
	if !h[0].From.IsZero() || h[0].Status != geo.StatusOpen {
		t.Errorf("first period %+v, want open with no known start", h[0])
	}
	aug := h[3]
	if aug.FromText != "2025-08" || !aug.From.Equal(day("2025-08-01")) || !aug.To.Equal(day("2025-08-31")) {
		t.Errorf("August period %+v", aug)
	}
	if u := h[4]; u.Status != geo.StatusUnknown || !u.From.Equal(day("2025-09-01")) || !u.To.Equal(day("2025-10-11")) {
		t.Errorf("the weeks after the August closure: %+v, want unknown", u)
	}
	for i := 1; i < len(h); i++ {
		if h[i].From.Before(h[i-1].From) {
			t.Errorf("period %d starts before period %d", i, i-1)
		}
	}
	// Every status row names a crossing of the atlas, except the two
	// Bajaur passes that have no position.
	for _, st := range mustStates(t, a, day("2025-10-20")) {
		if _, err := a.Crossing(st.ID); err != nil && st.ID != "ghakhi_pass" && st.ID != "letai_pass" {
			t.Errorf("status table names %q, not in the crossings", st.ID)
		}
	}
}

func mustStates(t *testing.T, a *geo.Atlas, d time.Time) []geo.CrossingState {
	t.Helper()
	s, err := a.CrossingStates(d)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStatusCarriesTheFacts checks data/crossing-status.csv against the
// shared fact table: same rows, same dates and sources, notes in our words.
func TestStatusCarriesTheFacts(t *testing.T) {
	a := defaultAtlas(t)
	facts := readFacts(t, "crossing-status-facts.csv")
	n := 0
	for _, f := range facts {
		h, err := a.StatusHistory(f["crossing_id"])
		if err != nil {
			t.Errorf("%s: %v", f["crossing_id"], err)
			continue
		}
		found := false
		for _, p := range h {
			// An open end the facts do not establish is bounded, and the
			// time after it is an "unknown" period (Ghulam Khan, August 2025).
			bounded := f["to_date"] == "" && p.ToText != "" && strings.Contains(p.Note, "not known")
			if p.FromText == f["from_date"] && (p.ToText == f["to_date"] || bounded) && string(p.Status) == f["status"] {
				found = true
				if p.Source.URL != f["source_url"] || p.Source.Publisher != f["source_publisher"] || p.Source.Date != f["source_date"] {
					t.Errorf("%s %s: source %+v", f["crossing_id"], f["from_date"], p.Source)
				}
				if p.Note == f["note"] {
					t.Errorf("%s %s: note copied from the fact table", f["crossing_id"], f["from_date"])
				}
			}
		}
		if !found {
			t.Errorf("fact row %s %s %s–%s not carried", f["crossing_id"], f["status"], f["from_date"], f["to_date"])
		}
		n++
	}
	if n != 27 {
		t.Errorf("%d fact rows, want 27", n)
	}
}
