package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/durandline/durand/layers"
)

// writeGeoJSON writes an RFC 7946 FeatureCollection with the foreign
// members name, title, description, attribution and license (GDAL reads
// name as the layer name).
func writeGeoJSON(w io.Writer, l layers.Layer) error {
	bw := bufio.NewWriter(w)
	head := struct {
		Type        string `json:"type"`
		Name        string `json:"name"`
		Title       string `json:"title,omitempty"`
		Description string `json:"description,omitempty"`
		Attribution string `json:"attribution,omitempty"`
		Licence     string `json:"license,omitempty"`
	}{"FeatureCollection", l.Name, l.Title, l.Description, l.Attribution, l.Licence}
	hb, err := json.Marshal(head)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	bw.Write(hb[:len(hb)-1])
	bw.WriteString(`,"features":[`)
	for i, f := range l.Features {
		b, err := f.MarshalJSON()
		if err != nil {
			return fmt.Errorf("export: feature %d: %w", i, err)
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		bw.Write(b)
	}
	bw.WriteString("\n]}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
