package postgis_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/data/postgis"
	"github.com/durandline/durand/geo"
)

func ExampleTables() {
	fmt.Println(strings.Join(postgis.Tables(), " "))
	// Output: border countries provinces districts crossings events crossing_status places altnames zones
}

// Load the embedded atlas into PostGIS, read it back and open it; compiled
// but not run (it needs a server).
func ExampleLoad() {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, "postgres://durand@localhost/gis")
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close(ctx)
	rep, err := postgis.Load(ctx, conn, data.FS(), postgis.Options{Schema: "durand"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("loaded", rep.DataVersion)
	fsys, err := postgis.Read(ctx, conn, postgis.Options{Schema: "durand"})
	if err != nil {
		log.Fatal(err)
	}
	atlas, err := geo.Load(fsys)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(atlas.Crossings()), "crossings")
}
