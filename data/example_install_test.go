package data_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/geo/geotest"
)

// Install builds districts.geojson from a directory of source files. Here
// the sources and the provinces layer are tiny hand-made fixtures; the
// command `durand data install` passes the embedded provinces (data.FS()).
func ExampleInstall() {
	dir, err := os.MkdirTemp("", "durand-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	// Two tiny hand-made files in the upstream layouts stand in for the
	// geoBoundaries and OCHA downloads.
	from := filepath.Join(dir, "sources")
	if err := os.Mkdir(from, 0o755); err != nil {
		fmt.Println(err)
		return
	}
	if err := geotest.WriteDistrictSources(from); err != nil {
		fmt.Println(err)
		return
	}
	out := filepath.Join(dir, "data")

	rep, err := data.Install(context.Background(), data.InstallOptions{
		From:      from,
		Dir:       out,
		Provinces: os.DirFS("testdata/install"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range rep.Countries {
		fmt.Printf("%s: %d districts from %s\n", c.Country, c.Districts, c.Source)
	}
	fmt.Println("wrote", rep.Files)

	b, err := os.ReadFile(filepath.Join(out, data.InstallDistrictsFile))
	if err != nil {
		fmt.Println(err)
		return
	}
	var fc struct {
		Features []struct {
			Properties struct{ ID, Name, Province string }
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range fc.Features {
		p := f.Properties
		fmt.Printf("%-11s %-5s %s\n", p.ID, p.Name, p.Province)
	}
	// Output:
	// AFG: 3 districts from geoBoundaries
	// PAK: 3 districts from OCHA COD-AB
	// wrote [districts.geojson districts.provenance.json]
	// AFG-TEST0B1 Ayn   Alpha
	// AFG-TEST0B2 Bet   Bravo
	// AFG-TEST0B3 Gimel Bravo
	// PAK-PK9     Vav   Gilgit-Baltistan
	// PAK-PK900   Dalet Balochistan
	// PAK-PK901   He    Khyber Pakhtunkhwa
}
