package export

import (
	"bufio"
	"fmt"
	"io"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/durandline/durand/layers"

	"github.com/twpayne/go-geom/encoding/kml"
	gokml "github.com/twpayne/go-kml/v3"

	"github.com/durandline/durand/geo"
)

// writeKML writes a KML 2.2 Document: its name and description (the
// layer's description and attribution), a Schema declaring the attribute
// columns, and one Placemark a feature with its name, its attributes as
// SchemaData and its geometry encoded by go-geom.
func writeKML(w io.Writer, l layers.Layer) error {
	cols := columns(l)
	schemaID := "durand_" + l.Name
	fields := make([]gokml.Element, 0, len(cols))
	for _, c := range cols {
		fields = append(fields, gokml.SimpleField(c.name, columnTypes[c.kind].kml))
	}
	doc := gokml.Document(
		gokml.Name(l.Name),
		gokml.Description(describe(l, "\n\n")),
		gokml.Schema(schemaID, fields...).WithName(l.Name),
	)
	folder := gokml.Folder(gokml.Name(l.Name))
	for i, f := range l.Features {
		var ge gokml.Element // nil: a Placemark without geometry
		if f.Geometry != nil {
			g, err := geo.ToGeom(f.Geometry)
			if err != nil {
				return fmt.Errorf("export: feature %d: %w", i, err)
			}
			if ge, err = kml.Encode(g); err != nil {
				return fmt.Errorf("export: feature %d: %w", i, err)
			}
		}
		data := make([]gokml.Element, 0, len(cols))
		for _, c := range cols {
			if s, ok := cell(value(f, c)); ok {
				data = append(data, gokml.SimpleData(c.name, s))
			}
		}
		name, _ := f.Properties["name"].(string)
		if name == "" {
			name = geojsonio.FeatureID(f)
		}
		pm := gokml.Placemark(
			gokml.Name(name),
			gokml.ExtendedData(gokml.SchemaData("#"+schemaID, data...)),
		)
		if ge != nil {
			pm.Append(ge)
		}
		folder.Append(pm)
	}
	doc.Append(folder)
	bw := bufio.NewWriter(w)
	if err := gokml.KML(doc).WriteIndent(bw, "", " "); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	bw.WriteByte('\n')
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
