package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/layers"
	"github.com/durandline/durand/tiles"
)

// The MapLibre style (style specification v8) of /styles/durand.json,
// built from the layers of the tileset so that every layer is drawn: the
// known ones with their own look (crossings by status, zones by
// severity, events by kind), any other with a generic one by geometry.
//
// Labels use no glyph server: the style has no "glyphs" URL, so MapLibre
// GL JS (5.11 and later) draws text with the browser's fonts, taking
// text-font as a CSS font-family list (with sans-serif appended).

// crossingStatusField is the crossing property the style colours
// crossings by when the crossings tile layer carries it (the crossing
// status of the events data); until then crossings are coloured by
// crossingMethodField.
const (
	crossingStatusField = "status"
	crossingMethodField = "method"
)

// legendItem is one colour of the legend of the map page.
type legendItem struct {
	Label, Colour string
}

// crossingColours returns the property crossings are coloured by and the
// colour of each of its values ("" is the fallback).
func crossingColours(fields map[string]string) (string, []legendItem) {
	if _, ok := fields[crossingStatusField]; ok {
		return crossingStatusField, []legendItem{
			{"open", "#2e8b57"}, {"closed", "#c0392b"}, {"refugees_only", "#e67e22"},
			{"trade_only", "#d4ac0d"}, {"pedestrians_only", "#f4d03f"}, {"unknown", "#95a5a6"}, {"", "#95a5a6"},
		}
	}
	return crossingMethodField, []legendItem{
		{"sourced", "#1f5f8b"}, {"derived", "#8e44ad"}, {"corrected", "#d35400"}, {"", "#566573"},
	}
}

// Crisis layers with a look of their own: zones filled by severity, events
// as circles coloured by kind (when the tiles carry those fields).
const (
	zonesLayer    = "zones"
	eventsLayer   = "events"
	severityField = "severity"
	approxField   = "location_approximate"
	// crossingBeforeField marks a closure from before the crisis, drawn
	// in colourLongClosed.
	crossingBeforeField = "status_before_crisis"
	colourLongClosed    = "#7f8c8d"
	eventKindField      = "kind"
)

// severityColours are the colours of zone severity 0 to 5, a ramp from
// pale yellow to dark brown.
func severityColours() []legendItem {
	return []legendItem{{"0", "#fff7bc"}, {"1", "#fee391"}, {"2", "#fec44f"}, {"3", "#fe9929"}, {"4", "#d95f0e"}, {"5", "#993404"}}
}

// severityExpr colours by severity, interpolating between the ramp's steps.
func severityExpr() []any {
	e := []any{"interpolate", []any{"linear"}, []any{"to-number", []any{"get", severityField}, 0}}
	for i, it := range severityColours() {
		e = append(e, i, it.Colour)
	}
	return e
}

// eventKindColours are the colours of the event kinds ("" for others).
func eventKindColours() []legendItem {
	return []legendItem{
		{string(geo.KindClash), "#c0392b"}, {string(geo.KindAirstrike), "#6e2c00"},
		{string(geo.KindDisplacement), "#8e44ad"}, {string(geo.KindCrossingClosed), "#e67e22"},
		{string(geo.KindCrossingReopened), "#27ae60"}, {string(geo.KindCeasefire), "#2980b9"},
		{string(geo.KindTalks), "#17a589"}, {"", "#d81b60"},
	}
}

// ownLook reports whether the style gives a layer it does not otherwise
// know a look of its own: zones with a severity, events with a kind.
func ownLook(li tiles.LayerInfo) bool {
	return (li.Name == zonesLayer && li.Fields[severityField] != "") ||
		(slices.Contains(layers.KindNames(eventsLayer), li.Name) && li.Fields[eventKindField] != "")
}

// crisisLegend is the legend of the zones and events layers the tiles
// have (with the fields the style colours them by).
func crisisLegend(infos []tiles.LayerInfo) (zones, events []legendItem) {
	for _, li := range infos {
		switch {
		case !ownLook(li):
		case li.Name == zonesLayer:
			zones = severityColours()
		case slices.Contains(layers.KindNames(eventsLayer), li.Name):
			events = eventKindColours()
		}
	}
	return zones, events
}

// matchExpr is ["match", ["get", prop], v1, c1, ..., fallback].
func matchExpr(prop string, items []legendItem) []any {
	e := []any{"match", []any{"get", prop}}
	fallback := "#000000"
	for _, it := range items {
		if it.Label == "" {
			fallback = it.Colour
			continue
		}
		e = append(e, it.Label, it.Colour)
	}
	return append(e, fallback)
}

// Colours of the map.
const (
	colourBackground = "#dfe9f0"
	colourBorder     = "#b3261e"
	colourText       = "#333333"
	colourHalo       = "#ffffff"
)

// extraColours are given in turn to layers the style does not know.
func extraColours() []string {
	return []string{"#d81b60", "#16a085", "#6d4c41", "#2c3e50", "#7d3c98"}
}

// knownLayers are the tile layers the style draws with a look of their
// own.
func knownLayers() []string {
	return []string{geo.LayerBorder, geo.LayerCountries, geo.LayerProvinces, geo.LayerDistricts, geo.LayerCrossings}
}

// extraLayerColours gives each layer the style does not know (label
// layers aside) a colour of extraColours, in the order of the layers.
func extraLayerColours(infos []tiles.LayerInfo) map[string]string {
	out := map[string]string{}
	for _, li := range infos {
		if _, isLabel := strings.CutSuffix(li.Name, "_label"); isLabel || slices.Contains(knownLayers(), li.Name) {
			continue
		}
		out[li.Name] = extraColours()[len(out)%len(extraColours())]
	}
	return out
}

// extraLegend is the legend of the layers the style does not know.
func extraLegend(infos []tiles.LayerInfo) []legendItem {
	colours := extraLayerColours(infos)
	var out []legendItem
	for _, li := range infos {
		if ownLook(li) {
			continue // in a legend of its own
		}
		if c, ok := colours[li.Name]; ok {
			out = append(out, legendItem{Label: li.Name, Colour: c})
		}
	}
	return out
}

// styleDoc builds the style for tiles served at base.
func styleDoc(base string, infos []tiles.LayerInfo, tj *tiles.TileJSON) map[string]any {
	b := &styleBuilder{has: map[string]tiles.LayerInfo{}}
	for _, li := range infos {
		b.has[li.Name] = li
	}
	b.layers = append(b.layers, map[string]any{"id": "background", "type": "background",
		"paint": map[string]any{"background-color": colourBackground}})
	b.add(geo.LayerCountries, map[string]any{"id": "countries-fill", "type": "fill", "paint": map[string]any{
		"fill-color": []any{"match", []any{"get", "iso3"}, "AFG", "#f3ead7", "PAK", "#e4eedb", "#ececec"}}})
	b.add(geo.LayerDistricts, map[string]any{"id": "districts-fill", "type": "fill", "paint": map[string]any{
		"fill-color": "#ffffff", "fill-opacity": 0.01}})
	b.add(geo.LayerDistricts, map[string]any{"id": "districts-line", "type": "line", "paint": map[string]any{
		"line-color": "#9aa3ab", "line-width": 0.7, "line-dasharray": []any{3, 2}}})
	b.add(geo.LayerProvinces, map[string]any{"id": "provinces-line", "type": "line", "paint": map[string]any{
		"line-color": "#7b8793", "line-width": []any{"interpolate", []any{"linear"}, []any{"zoom"}, 3, 0.6, 8, 1.6}}})
	b.add(geo.LayerCountries, map[string]any{"id": "countries-line", "type": "line", "paint": map[string]any{
		"line-color": "#5d6d7e", "line-width": 1.2}})

	b.extraLayers(infos)
	b.add(geo.LayerBorder, map[string]any{"id": "border-casing", "type": "line",
		"layout": map[string]any{"line-join": "round", "line-cap": "round"},
		"paint": map[string]any{"line-color": "#ffffff", "line-opacity": 0.85,
			"line-width": []any{"interpolate", []any{"linear"}, []any{"zoom"}, 3, 4, 10, 9}}})
	b.add(geo.LayerBorder, map[string]any{"id": "border-line", "type": "line",
		"layout": map[string]any{"line-join": "round", "line-cap": "round"},
		"paint": map[string]any{"line-color": colourBorder,
			"line-width": []any{"interpolate", []any{"linear"}, []any{"zoom"}, 3, 2, 10, 5}}})

	prop := b.crossings()
	b.labels()
	return map[string]any{
		"version": 8,
		"name":    "Durand Line atlas",
		"metadata": map[string]any{
			"durand:crossing-colour-property": prop,
			"durand:tilejson":                 base + "/tiles/" + allTiles + ".json",
		},
		"center": []float64{tj.Center[0], tj.Center[1]},
		"zoom":   max(tj.Center[2], 4),
		"sources": map[string]any{styleSource: map[string]any{
			"type": "vector", "url": base + "/tiles/" + allTiles + ".json",
		}},
		"layers": b.layers,
	}
}

// styleSource is the name of the style's one vector source.
const styleSource = "durand"

// styleFonts are the fonts of the style's labels, regular and bold, in the
// order MapLibre tries them.
func styleFonts() (regular, bold []string) {
	return []string{"Noto Sans Regular", "DejaVu Sans", "Liberation Sans"},
		[]string{"Noto Sans Bold", "DejaVu Sans Bold", "Liberation Sans Bold"}
}

// styleBuilder collects the layers of the style in drawing order.
type styleBuilder struct {
	has    map[string]tiles.LayerInfo // the tile layers served, by name
	layers []any
}

// add appends style layer l drawing tile layer source, when that layer is
// served, and raises l's minzoom to the tile layer's.
func (b *styleBuilder) add(source string, l map[string]any) {
	li, ok := b.has[source]
	if !ok {
		return
	}
	l["source"] = styleSource
	l["source-layer"] = source
	if li.MinZoom > 0 {
		if mz, ok := l["minzoom"].(int); !ok || mz < li.MinZoom {
			l["minzoom"] = li.MinZoom
		}
	}
	b.layers = append(b.layers, l)
}

// extraLayers draws the layers the style does not know by their geometry,
// and the crisis layers (zones, events) by their own look.
func (b *styleBuilder) extraLayers(infos []tiles.LayerInfo) {
	font, _ := styleFonts()
	colours := extraLayerColours(infos)
	for _, li := range infos {
		base, isLabel := strings.CutSuffix(li.Name, "_label")
		c, ok := colours[base]
		if !ok {
			continue
		}
		switch {
		case !isLabel && ownLook(li) && base == zonesLayer:
			// Higher severities are drawn over lower ones where zones overlap.
			b.add(li.Name, map[string]any{"id": li.Name + "-fill", "type": "fill", "layout": map[string]any{"fill-sort-key": []any{"to-number", []any{"get", severityField}, 0}},
				"paint": map[string]any{"fill-color": severityExpr(), "fill-opacity": 0.45}})
			b.add(li.Name, map[string]any{"id": li.Name + "-line", "type": "line", "paint": map[string]any{"line-color": severityExpr(), "line-width": 1}})
		case !isLabel && ownLook(li) && base == eventsLayer+layers.AreasSuffix:
			// Events known only as a district or province: a dashed outline.
			b.add(li.Name, map[string]any{"id": li.Name + "-line", "type": "line",
				"paint": map[string]any{"line-color": matchExpr(eventKindField, eventKindColours()), "line-width": 1.5, "line-dasharray": []any{2, 2}}})
		case !isLabel && ownLook(li) && base == eventsLayer+layers.LinesSuffix:
			// Events known only as a stretch of the border: a dashed line along it.
			b.add(li.Name, map[string]any{"id": li.Name + "-line", "type": "line", "layout": map[string]any{"line-cap": "butt"},
				"paint": map[string]any{"line-color": matchExpr(eventKindField, eventKindColours()), "line-opacity": 0.9,
					"line-width": []any{"interpolate", []any{"linear"}, []any{"zoom"}, 3, 3, 10, 7}, "line-dasharray": []any{1, 1}}})
		case !isLabel && ownLook(li): // events at a point: exact ones filled, approximate ones hollow
			kind := matchExpr(eventKindField, eventKindColours())
			approx := []any{"==", []any{"get", approxField}, true}
			b.add(li.Name, map[string]any{"id": li.Name + "-circle", "type": "circle", "paint": map[string]any{
				"circle-color": []any{"case", approx, "rgba(255,255,255,0)", kind}, "circle-radius": []any{"interpolate", []any{"linear"}, []any{"zoom"}, 3, 4, 10, 8},
				"circle-stroke-color": []any{"case", approx, kind, "#ffffff"}, "circle-stroke-width": []any{"case", approx, 2, 1}}})
		case isLabel:
			// Labels never overlap (MapLibre's collision test, with some
			// padding); where zone labels compete, the most severe wins.
			layout := map[string]any{"text-field": []any{"coalesce", []any{"get", "name"}, []any{"get", "id"}}, "text-font": font, "text-size": 11,
				"text-padding": 6, "text-allow-overlap": false}
			if base == zonesLayer {
				layout["symbol-sort-key"] = []any{"-", 0, []any{"to-number", []any{"get", severityField}, 0}}
			}
			b.add(li.Name, map[string]any{"id": li.Name, "type": "symbol",
				"layout": layout,
				"paint":  map[string]any{"text-color": c, "text-halo-color": colourHalo, "text-halo-width": 1.2}})
		case li.Geometry == "polygon":
			b.add(li.Name, map[string]any{"id": li.Name + "-fill", "type": "fill", "paint": map[string]any{"fill-color": c, "fill-opacity": 0.15}})
			b.add(li.Name, map[string]any{"id": li.Name + "-line", "type": "line", "paint": map[string]any{"line-color": c, "line-width": 1.5}})
		case li.Geometry == "line":
			b.add(li.Name, map[string]any{"id": li.Name + "-line", "type": "line", "paint": map[string]any{"line-color": c, "line-width": 2}})
		default:
			b.add(li.Name, map[string]any{"id": li.Name + "-circle", "type": "circle", "paint": map[string]any{
				"circle-color": c, "circle-radius": 5, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1}})
		}
	}
}

// crossings draws the crossings by their status; it returns the property
// coloured.
func (b *styleBuilder) crossings() string {
	prop, crossingLegend := crossingColours(b.has[geo.LayerCrossings].Fields)
	// A closure in force since before the crisis (Nawa Pass, 2007) is
	// drawn in the colour of no crisis status; a crossing placed with more
	// than ApproxUncertaintyM of uncertainty is hollow (a ring in its
	// colour), as its position is not surveyed.
	colour := matchExpr(prop, crossingLegend)
	if _, ok := b.has[geo.LayerCrossings].Fields[crossingBeforeField]; ok {
		colour = []any{"case", []any{"==", []any{"get", crossingBeforeField}, true}, colourLongClosed, colour}
	}
	uncertain := []any{">", []any{"to-number", []any{"get", "uncertainty_m"}, 0}, geo.ApproxUncertaintyM}
	b.add(geo.LayerCrossings, map[string]any{"id": "crossings-circle", "type": "circle", "paint": map[string]any{
		"circle-color":        []any{"case", uncertain, "rgba(255,255,255,0)", colour},
		"circle-radius":       []any{"interpolate", []any{"linear"}, []any{"zoom"}, 3, 4, 10, 9},
		"circle-stroke-color": []any{"case", uncertain, colour, "#ffffff"}, "circle-stroke-width": []any{"case", uncertain, 2.5, 1.5}}})
	return prop
}

// labels adds the labels of the districts, provinces, countries and
// crossings.
func (b *styleBuilder) labels() {
	font, bold := styleFonts()
	label := func(source, id string, minzoom int, size any, f []string, colour string, extra map[string]any) {
		layout := map[string]any{"text-field": []any{"get", "name"}, "text-font": f, "text-size": size, "text-max-width": 8}
		for k, v := range extra {
			layout[k] = v
		}
		l := map[string]any{"id": id, "type": "symbol", "layout": layout,
			"paint": map[string]any{"text-color": colour, "text-halo-color": colourHalo, "text-halo-width": 1.4}}
		if minzoom > 0 {
			l["minzoom"] = minzoom
		}
		b.add(source, l)
	}
	label(geo.LayerDistricts+"_label", "districts-label", 7, 11, font, "#5d6d7e", nil)
	label(geo.LayerProvinces+"_label", "provinces-label", 4, []any{"interpolate", []any{"linear"}, []any{"zoom"}, 4, 10, 8, 14}, font, "#4a5560", nil)
	label(geo.LayerCountries+"_label", "countries-label", 0, []any{"interpolate", []any{"linear"}, []any{"zoom"}, 2, 12, 6, 18}, bold, colourText,
		map[string]any{"text-transform": "uppercase", "text-letter-spacing": 0.12})
	label(geo.LayerCrossings, "crossings-label", 5, 12, bold, "#7b241c",
		map[string]any{"text-anchor": "top", "text-offset": []any{0, 0.8}, "text-optional": true})
}

// style serves /styles/durand.json.
func (s *server) style(r *http.Request, q query) (*response, error) {
	if _, err := q.format("json"); err != nil {
		return nil, err
	}
	base := s.baseURL(r)
	st, err := s.tiles.current()
	if err != nil {
		return nil, err
	}
	tj, err := s.tileJSONDoc(r.Context(), base, 0)
	if err != nil {
		return nil, err
	}
	resp, err := jsonResponse(styleDoc(base, st.layers, tj), mediaJSON)
	if err == nil && st.partial {
		resp.cache = cacheNone // its layers are not all there yet
	}
	return resp, err
}
