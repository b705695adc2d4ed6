package pgstore_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/durandline/durand/cmd/durand/internal/pgstore"
	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo"
)

func ExampleVersion() {
	v, err := pgstore.Version(data.FS())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(v, "sha256:"), len(v))
	// Output: true 71
}

func ExampleTables() {
	fmt.Println(strings.Join(pgstore.Tables(), " "))
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
	rep, err := pgstore.Load(ctx, conn, data.FS(), pgstore.Options{Schema: "durand"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("loaded", rep.DataVersion)
	fsys, err := pgstore.Read(ctx, conn, pgstore.Options{Schema: "durand"})
	if err != nil {
		log.Fatal(err)
	}
	atlas, err := geo.Load(fsys)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(atlas.Crossings()), "crossings")
}
