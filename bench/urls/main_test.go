package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/durandline/durand/data"
)

func TestItemsList(t *testing.T) {
	tests := []struct {
		name     string
		n, limit int
		want     []string // sorted
	}{
		{"half pages", 250, 100, []string{"100 0", "100 100", "100 150", "100 200", "100 50"}},
		{"limit one", 3, 1, []string{"1 0", "1 1", "1 2"}},
		{"fewer than a page", 10, 100, []string{"100 0"}},
		{"empty layer", 0, 100, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := itemsList(tc.n, tc.limit)
			sorted := slices.Clone(got)
			slices.Sort(sorted)
			if !slices.Equal(sorted, tc.want) {
				t.Errorf("itemsList(%d, %d) = %q, want %q in some order", tc.n, tc.limit, got, tc.want)
			}
			if again := itemsList(tc.n, tc.limit); !slices.Equal(again, got) {
				t.Errorf("second call gave %q, first %q: the order must be fixed", again, got)
			}
		})
	}
}

func TestTileList(t *testing.T) {
	a, err := data.Default()
	if err != nil {
		t.Fatal(err)
	}
	c := config{minZoom: 4, maxZoom: 12, stepKm: 2}
	got, err := tileList(a, c)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	perZoom := map[int]int{}
	for _, s := range got {
		if seen[s] {
			t.Errorf("tile %s listed twice", s)
		}
		seen[s] = true
		var z, x, y int
		if _, err := fmt.Sscanf(s, "%d/%d/%d", &z, &x, &y); err != nil {
			t.Fatalf("line %q: %v", s, err)
		}
		if z < c.minZoom || z > c.maxZoom || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
			t.Errorf("tile %s out of range", s)
		}
		perZoom[z]++
	}
	for z := c.minZoom; z <= c.maxZoom; z++ {
		if perZoom[z] == 0 {
			t.Errorf("no tile at zoom %d", z)
		}
		if z > c.minZoom && perZoom[z] < perZoom[z-1] {
			t.Errorf("zoom %d has %d tiles, fewer than zoom %d's %d", z, perZoom[z], z-1, perZoom[z-1])
		}
	}
	again, err := tileList(a, c)
	if err != nil || !slices.Equal(again, got) {
		t.Errorf("second call differs (err %v): the list must be fixed", err)
	}
	// The border runs from about 60.8°E to 75°E: zoom 4 tiles x 10 to 11.
	if !seen["4/10/6"] && !seen["4/11/6"] {
		t.Errorf("zoom 4 tiles %v do not cover the border", got[:min(len(got), 5)])
	}
}

func TestLocateList(t *testing.T) {
	a, err := data.Default()
	if err != nil {
		t.Fatal(err)
	}
	got, err := locateList(a, 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 50 {
		t.Fatalf("%d points, want 50", len(got))
	}
	for _, s := range got {
		var lon, lat float64
		if _, err := fmt.Sscanf(s, "%f %f", &lon, &lat); err != nil {
			t.Fatalf("line %q: %v", s, err)
		}
		if lon < 59 || lon > 77 || lat < 28 || lat > 39 {
			t.Errorf("point %q is not near the border", s)
		}
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no flags", nil, "required"},
		{"zooms reversed", []string{"-data-dir", "d", "-out", "o", "-minzoom", "9", "-maxzoom", "3"}, "zooms"},
		{"zero step", []string{"-data-dir", "d", "-out", "o", "-step-km", "0"}, "positive"},
		{"no districts", []string{"-data-dir", t.TempDir(), "-out", t.TempDir()}, "districts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := run(tc.args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run(%q) = %v, want an error mentioning %q", tc.args, err, tc.want)
			}
		})
	}
}
