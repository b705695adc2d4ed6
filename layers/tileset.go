package layers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/durandline/durand/geo"
	"github.com/durandline/durand/tiles"
)

// TileOptions select what TileLayers assembles.
type TileOptions struct {
	// Only keeps the layers named (every layer when empty); a crisis layer
	// not named is not computed.
	Only []string
	// Day is the day whose status the crossings carry; zero selects
	// DefaultDay of the record and the current time, as a server does
	// for its tiles without datetime.
	Day time.Time
	// Deferred selects the layers the atlas computes on first use (the
	// zones: seconds) instead of those available at once.
	Deferred bool
	// OnError, when set, receives the error of a layer that cannot be
	// tiled, which is then left out; nil makes it TileLayers' error.
	OnError func(layer string, err error)
}

// TileLayers is the one assembly of the catalogue's vector tile layers,
// shared by the server (/tiles), its PMTiles download and `durand tiles`:
// the layers of Layers(a) in catalogue order, the crossings carrying
// their status on the day, each converted with its schema and tile
// settings (Layer.TileLayer). Features without geometry are left out, and
// so are layers left with no feature. It returns the layers available at
// once, or with opt.Deferred those the atlas computes on first use (the
// zones); NewTiles keeps the two in separate tilesets.
func TileLayers(a *geo.Atlas, opt TileOptions) ([]tiles.Layer, error) {
	day := opt.Day
	if day.IsZero() {
		last, _, err := LastDay(a)
		if err != nil {
			return nil, err
		}
		day = DefaultDay(last, time.Now())
	}
	var out []tiles.Layer
	for _, name := range Layers(a) {
		if len(opt.Only) > 0 && !slices.Contains(opt.Only, name) {
			continue
		}
		h, err := Header(a, name)
		if err != nil {
			return nil, err
		}
		if h.Deferred != opt.Deferred {
			continue
		}
		l, err := FromAtlas(a, name)
		var tls []tiles.Layer
		if err == nil {
			tls, err = TileLayerOn(a, l, day)
		}
		if err != nil {
			if opt.OnError == nil {
				return nil, fmt.Errorf("layers: tiles of %s: %w", name, err)
			}
			opt.OnError(name, err)
			continue
		}
		for _, tl := range tls {
			if len(tl.Features) > 0 {
				out = append(out, tl)
			}
		}
	}
	return out, nil
}

// TileLayerOn converts a catalogue layer of a into its tile layers (see
// Layer.ToTiles) as the tiles show it on day: the crossings carry their
// status that day (see CrossingsOn); features without geometry are left
// out.
func TileLayerOn(a *geo.Atlas, l Layer, day time.Time) ([]tiles.Layer, error) {
	if l.Name == geo.LayerCrossings {
		_, hasStatus, err := LastDay(a)
		if err != nil {
			return nil, err
		}
		if hasStatus {
			if l.Features, err = CrossingsOn(a, l.Features, day); err != nil {
				return nil, err
			}
		}
	}
	l.Features = slices.DeleteFunc(slices.Clone(l.Features), func(f *geojson.Feature) bool { return f == nil || f.Geometry == nil })
	return l.ToTiles()
}

// Tiles are the vector tiles of the catalogue: a tileset of the layers
// available at once and one of the deferred layers (nil until they are
// computed, or when there are none). A tile is the tile of the first
// followed by the tile of the second: an MVT tile is a sequence of
// layers, so their concatenation is a tile, and the tiles of the layers
// available at once need not wait for the deferred ones.
type Tiles struct {
	Base, Deferred *tiles.Tileset
}

// NewTiles builds the tilesets of the two lists of TileLayers with opt.
// Layers whose MinZoom lies above the tileset's maximum zoom are left
// out; an empty deferred list gives no deferred tileset.
func NewTiles(now, deferred []tiles.Layer, opt tiles.Options) (*Tiles, error) {
	t := &Tiles{}
	var err error
	if t.Base, err = NewTileset(now, opt); err != nil {
		return nil, err
	}
	if len(deferred) > 0 {
		if t.Deferred, err = NewTileset(deferred, opt); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Tile encodes the tile z/x/y: tiles.ErrEmpty when neither tileset has
// anything there, tiles.ErrTileAddress for an address outside the
// pyramid.
func (t *Tiles) Tile(z, x, y uint32) ([]byte, error) {
	var out []byte
	for _, ts := range []*tiles.Tileset{t.Base, t.Deferred} {
		if ts == nil {
			continue
		}
		data, err := ts.Tile(z, x, y)
		switch {
		case errors.Is(err, tiles.ErrEmpty):
		case err != nil:
			return nil, err
		default:
			out = append(out, data...)
		}
	}
	if out == nil {
		return nil, tiles.ErrEmpty
	}
	return out, nil
}

// Layers describes the tile layers of both tilesets.
func (t *Tiles) Layers() []tiles.LayerInfo {
	ls := t.Base.Layers()
	if t.Deferred != nil {
		ls = append(slices.Clone(ls), t.Deferred.Layers()...)
	}
	return ls
}

// Walk calls fn with every non-empty tile (as Tile makes it) of the
// zooms and bound of opt, zoom by zoom: first the tiles the base tileset
// walks, in its order, then those only the deferred tileset has. fn is
// never called concurrently and owns data. The statistics are the sums of
// both walks (Empty counts the base tileset's candidates only).
func (t *Tiles) Walk(ctx context.Context, opt tiles.WalkOptions, fn func(id tiles.TileID, data []byte) error) (tiles.WalkStats, error) {
	var sum tiles.WalkStats
	zooms := opt.Zooms
	if zooms == nil {
		zooms = tiles.ZoomRange(0, t.Base.Options().MaxZoom)
	}
	for _, z := range slices.Compact(slices.Sorted(slices.Values(zooms))) {
		o := opt
		o.Zooms = []int{z}
		seen := map[tiles.TileID]bool{}
		st, err := t.Base.Walk(ctx, o, func(id tiles.TileID, data []byte) error {
			if t.Deferred != nil {
				more, err := t.Deferred.Tile(id.Z, id.X, id.Y)
				if err != nil && !errors.Is(err, tiles.ErrEmpty) {
					return err
				}
				data = append(data, more...)
				seen[id] = true
			}
			sum.Bytes += int64(len(data))
			sum.MaxBytes = max(sum.MaxBytes, len(data))
			return fn(id, data)
		})
		add(&sum, st)
		if err != nil {
			return sum, err
		}
		if t.Deferred == nil {
			continue
		}
		st, err = t.Deferred.Walk(ctx, o, func(id tiles.TileID, data []byte) error {
			if seen[id] {
				return nil
			}
			sum.Tiles++
			sum.Bytes += int64(len(data))
			sum.MaxBytes = max(sum.MaxBytes, len(data))
			return fn(id, data)
		})
		sum.Coarsened += st.Coarsened
		sum.Dropped += st.Dropped
		sum.Unnoded += st.Unnoded
		if err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// add adds the counts of a base walk (its bytes are counted by Walk).
func add(sum *tiles.WalkStats, st tiles.WalkStats) {
	sum.Tiles += st.Tiles
	sum.Empty += st.Empty
	sum.Coarsened += st.Coarsened
	sum.Dropped += st.Dropped
	sum.Unnoded += st.Unnoded
}

// TileJSON describes both tilesets in one TileJSON 3.0.0 document (see
// tiles.Tileset.TileJSON): the vector layers of the base tileset, then
// those of the deferred one, and the bounds of both.
func (t *Tiles) TileJSON(opt tiles.TileJSONOptions) (*tiles.TileJSON, error) {
	doc, err := t.Base.TileJSON(opt)
	if err != nil || t.Deferred == nil {
		return doc, err
	}
	more, err := t.Deferred.TileJSON(opt)
	if err != nil {
		return nil, err
	}
	doc.VectorLayers = append(doc.VectorLayers, more.VectorLayers...)
	doc.Bounds = [4]float64{min(doc.Bounds[0], more.Bounds[0]), min(doc.Bounds[1], more.Bounds[1]),
		max(doc.Bounds[2], more.Bounds[2]), max(doc.Bounds[3], more.Bounds[3])}
	return doc, nil
}

// NewTileset builds the tileset of tile layers with opt, leaving out the
// layers whose MinZoom lies above its maximum zoom.
func NewTileset(ls []tiles.Layer, opt tiles.Options) (*tiles.Tileset, error) {
	return NewTilesetFrom(nil, ls, opt)
}

// NewTilesetFrom is NewTileset reusing what prev (the tileset of an
// earlier version, or nil) prepared for the line and polygon layers when
// they are unchanged (see tiles.NewTilesetFrom).
func NewTilesetFrom(prev *tiles.Tileset, ls []tiles.Layer, opt tiles.Options) (*tiles.Tileset, error) {
	maxZoom := opt.MaxZoom
	if maxZoom == 0 {
		maxZoom = tiles.DefaultMaxZoom
	}
	return tiles.NewTilesetFrom(prev, slices.DeleteFunc(slices.Clone(ls), func(l tiles.Layer) bool { return l.MinZoom > maxZoom }), opt)
}
