package tiles

import (
	"fmt"
	"math"
	"net/url"
	"strings"
)

// TileJSONVersion is the version of the TileJSON specification that
// Tileset.TileJSON implements.
const TileJSONVersion = "3.0.0"

// TileJSON is a TileJSON 3.0.0 document describing a tileset; it marshals
// to the specification's JSON with encoding/json.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Tiles        []string      `json:"tiles"`
	VectorLayers []VectorLayer `json:"vector_layers"`
	Name         string        `json:"name,omitempty"`
	Description  string        `json:"description,omitempty"`
	Version      string        `json:"version,omitempty"`
	Attribution  string        `json:"attribution,omitempty"`
	Scheme       string        `json:"scheme"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	// Bounds is [west, south, east, north] in WGS84 degrees.
	Bounds [4]float64 `json:"bounds"`
	// Center is [longitude, latitude, zoom].
	Center [3]float64 `json:"center"`
}

// VectorLayer describes one layer of the tiles (TileJSON vector_layers).
type VectorLayer struct {
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	MinZoom     int    `json:"minzoom"`
	MaxZoom     int    `json:"maxzoom"`
	// Fields maps attribute names to descriptions; never nil, so that a
	// layer without attributes marshals as {} as the specification asks.
	Fields map[string]string `json:"fields"`
}

// TileJSONOptions supplies what a tileset cannot know about itself.
type TileJSONOptions struct {
	// Tiles are the absolute URL templates of the tile endpoints, with
	// {z}, {x} and {y} placeholders (required).
	Tiles []string
	// Name, Description, Version (semver of the tiles, e.g. "1.0.0") and
	// Attribution are copied into the document when set.
	Name, Description, Version, Attribution string
	// LayerDescriptions describes layers by name.
	LayerDescriptions map[string]string
	// FieldDescriptions describes fields per layer name; fields without a
	// description are described by their type: "String", "Number" or
	// "Boolean".
	FieldDescriptions map[string]map[string]string
	// CenterZoom is the zoom of the document's center; zero picks the
	// zoom at which the data's bounds fit in about one tile.
	CenterZoom int
}

// TileJSON builds the TileJSON 3.0.0 document of the tileset: the tile
// endpoints, one vector_layers entry per output layer (label layers
// included) with its zoom range and fields, the zoom range of the tiles,
// and the bounds and center of the data (the whole Web Mercator world for
// an empty tileset). It returns an error wrapping ErrOptions if no tile
// endpoint is given or an endpoint is not an absolute http(s) URL.
func (t *Tileset) TileJSON(opt TileJSONOptions) (*TileJSON, error) {
	if len(opt.Tiles) == 0 {
		return nil, fmt.Errorf("%w: TileJSON needs at least one tile endpoint", ErrOptions)
	}
	for _, s := range opt.Tiles {
		u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0").Replace(s))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%w: tile endpoint %q is not an absolute http(s) URL", ErrOptions, s)
		}
	}
	doc := &TileJSON{
		TileJSON:    TileJSONVersion,
		Tiles:       append([]string(nil), opt.Tiles...),
		Name:        opt.Name,
		Description: opt.Description,
		Version:     opt.Version,
		Attribution: opt.Attribution,
		Scheme:      "xyz",
		MinZoom:     t.opt.MaxZoom,
		MaxZoom:     t.opt.MaxZoom,
	}
	doc.VectorLayers = []VectorLayer{}
	for _, li := range t.Layers() {
		vl := VectorLayer{
			ID:          li.Name,
			Description: opt.LayerDescriptions[li.Name],
			MinZoom:     li.MinZoom,
			MaxZoom:     li.MaxZoom,
			Fields:      map[string]string{},
		}
		for name, typ := range li.Fields {
			vl.Fields[name] = typ
			if d, ok := opt.FieldDescriptions[li.Name][name]; ok && d != "" {
				vl.Fields[name] = d
			}
		}
		doc.MinZoom = min(doc.MinZoom, li.MinZoom)
		doc.VectorLayers = append(doc.VectorLayers, vl)
	}
	if len(doc.VectorLayers) == 0 {
		doc.MinZoom = 0
	}

	b := t.bound
	if t.empty {
		doc.Bounds = [4]float64{-180, -MaxLatitude, 180, MaxLatitude}
	} else {
		clampLat := func(v float64) float64 { return max(-MaxLatitude, min(MaxLatitude, v)) }
		doc.Bounds = [4]float64{b.Min[0], clampLat(b.Min[1]), b.Max[0], clampLat(b.Max[1])}
	}
	z := opt.CenterZoom
	if z == 0 {
		// the zoom at which the bounds span about one tile
		x0, y0 := lonLatToWorld(doc.Bounds[0], doc.Bounds[3])
		x1, y1 := lonLatToWorld(doc.Bounds[2], doc.Bounds[1])
		z = doc.MaxZoom // a single point
		if span := max(x1-x0, y1-y0); span > 0 {
			z = int(math.Floor(math.Log2(1 / span)))
		}
	}
	z = max(doc.MinZoom, min(doc.MaxZoom, z))
	doc.Center = [3]float64{
		(doc.Bounds[0] + doc.Bounds[2]) / 2,
		(doc.Bounds[1] + doc.Bounds[3]) / 2,
		float64(z),
	}
	return doc, nil
}
