package server_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/server"
)

// ExampleWarmTiles fills the tile cache with the tiles of zooms 0 to 3,
// then serves a tile over the border, an empty one (204) and one beyond
// the deepest zoom (404).
func ExampleWarmTiles() {
	a, err := data.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	h, err := server.New(server.Config{Atlas: a, TileCacheBytes: 64 << 20})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := server.WarmTiles(ctx, h, 3); err != nil {
		fmt.Println(err)
		return
	}
	for _, target := range []string{"/tiles/durand/3/5/3.mvt", "/tiles/durand/3/0/0.mvt", "/tiles/durand/15/0/0.mvt"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		fmt.Printf("%s %d %q\n", target, w.Code, w.Header().Get("Content-Type"))
	}
	// Output:
	// /tiles/durand/3/5/3.mvt 200 "application/vnd.mapbox-vector-tile"
	// /tiles/durand/3/0/0.mvt 204 ""
	// /tiles/durand/15/0/0.mvt 404 "application/json"
}
