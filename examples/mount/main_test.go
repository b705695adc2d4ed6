package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestMounted: under the prefix the router answers as durand does, every
// link durand writes (in the landing page, the collections, a feature
// collection, the TileJSON) points under the prefix and answers through
// the router, and the application's own routes stay its own.
func TestMounted(t *testing.T) {
	// The server's URL is known before the router is built: the router
	// needs it for its links.
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer srv.Close()
	r, err := newRouter(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	h = r
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	if code, body := get(srv.URL + "/"); code != 200 || !strings.HasPrefix(body, "my application") {
		t.Errorf("the application's own page: %d %q", code, body)
	}
	if code, body := get(srv.URL + "/collections"); code != 404 || strings.Contains(body, "collections") {
		t.Errorf("/collections outside the prefix: %d %.100q, want the router's own 404", code, body)
	}
	if code, _ := get(srv.URL + Prefix); code != 200 {
		t.Errorf("%s: %d, want the landing page after the redirect", Prefix, code)
	}

	// Every URL in these documents is under the prefix; every one
	// without a template answers 200 through the router.
	urlRE := regexp.MustCompile(`https?://[^"\s]+`)
	base := srv.URL + Prefix + "/"
	seen := map[string]bool{}
	docs := []string{base, base + "collections", base + "collections/crossings/items?limit=2",
		base + "collections/crossings/items/torkham", base + "tiles/durand.json", base + "styles/durand.json", base + "api"}
	for _, doc := range docs {
		code, body := get(doc)
		if code != 200 {
			t.Fatalf("%s: %d", doc, code)
		}
		for _, u := range urlRE.FindAllString(body, -1) {
			if !strings.HasPrefix(u, srv.URL) {
				continue // links to licences, specifications
			}
			if !strings.HasPrefix(u, base) && u != srv.URL+Prefix {
				t.Errorf("%s links to %s, outside %s", doc, u, base)
				continue
			}
			u = strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0").Replace(u)
			if strings.ContainsAny(u, "{}\\") || seen[u] {
				continue
			}
			seen[u] = true
			if code, body := get(u); code != 200 && code != 204 {
				t.Errorf("%s (linked from %s): %d %.200s", u, doc, code, body)
			}
		}
	}
	if len(seen) < 20 {
		t.Errorf("only %d links followed", len(seen))
	}
	var tj struct{ Tiles []string }
	_, body := get(base + "tiles/durand.json")
	if err := json.Unmarshal([]byte(body), &tj); err != nil || len(tj.Tiles) == 0 || !strings.HasPrefix(tj.Tiles[0], base+"tiles/") {
		t.Errorf("TileJSON tiles %v (%v), want URLs under %s", tj.Tiles, err, base)
	}
}

// The router answers a feature of the atlas under the prefix, with its
// links under the prefix.
func Example() {
	r, err := newRouter("https://maps.example.org")
	if err != nil {
		log.Fatal(err)
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/durand/collections/crossings/items/torkham", nil))
	var f struct {
		Properties struct{ Name string }
		Links      []struct{ Rel, Href string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &f); err != nil {
		log.Fatal(err)
	}
	fmt.Println(w.Code, f.Properties.Name)
	for _, l := range f.Links {
		if l.Rel == "self" || l.Rel == "collection" {
			fmt.Println(l.Rel, l.Href)
		}
	}
	// Output:
	// 200 Torkham
	// self https://maps.example.org/durand/collections/crossings/items/torkham?f=json
	// collection https://maps.example.org/durand/collections/crossings
}
