package tiles

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Tile returns the Mapbox Vector Tile (spec 2.1, uncompressed protobuf) at
// z/x/y in the XYZ scheme. It returns an error wrapping ErrTileAddress for
// an address outside the tileset and ErrEmpty (with nil data) when no layer
// has a feature in the tile. Tile is safe for concurrent use.
func (t *Tileset) Tile(z, x, y uint32) ([]byte, error) {
	id := TileID{Z: z, X: x, Y: y}
	if !id.Valid(t.opt.MaxZoom) {
		return nil, fmt.Errorf("%w: %s (max zoom %d)", ErrTileAddress, id, t.opt.MaxZoom)
	}
	data, _ := t.build(id)
	if data == nil {
		return nil, ErrEmpty
	}
	return data, nil
}

// TileAt returns the tile at zoom z that a point at WGS84 (lon, lat) is
// written to: the point is rounded to the tile-unit grid first, so a point
// within half a unit of a tile's east or south edge belongs to the next
// tile.
func (t *Tileset) TileAt(lon, lat float64, z uint32) TileID {
	wx, wy := lonLatToWorld(lon, lat)
	gx, gy := quantiseGlobal(wx, wy, z, t.opt.Extent)
	return ownerTile(gx, gy, z, t.opt.Extent)
}

// buildStats records what the size budget did to a tile.
type buildStats struct {
	coarsened int // zoom levels of coarser geometry used
	dropped   int // features dropped
	unnoded   int // polygon features dropped because noding did not converge
}

// build renders and encodes one tile, applying the size budget.
func (t *Tileset) build(id TileID) ([]byte, buildStats) {
	var st buildStats
	layers := t.render(id, int(id.Z), &st)
	data := encodeTile(layers, t.opt.Extent)
	budget := t.opt.MaxTileBytes
	if budget < 0 || len(data) <= budget {
		return data, st
	}
	// 1. Coarser simplification: the geometry of up to three lower zooms
	// (tolerance ×2, ×4, ×8), which keeps shared boundaries shared.
	for k := 1; k <= 3 && int(id.Z)-k >= 0; k++ {
		st = buildStats{coarsened: k}
		layers = t.render(id, int(id.Z)-k, &st)
		data = encodeTile(layers, t.opt.Extent)
		if len(data) <= budget {
			return data, st
		}
	}
	// 2. Drop the smallest features: polygons by area, lines by length (in
	// tile units), a quarter of the remaining ones at a time; a dropped
	// polygon takes its label with it. Points go last, from the end of
	// their layer.
	type cand struct {
		layer, feat int
		size        float64
		point       bool
	}
	var cands []cand
	for li, l := range layers {
		if l.label {
			continue
		}
		for fi, f := range l.features {
			cands = append(cands, cand{li, fi, f.size, f.typ == geomPoint})
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		if a.point != b.point {
			if a.point {
				return 1
			}
			return -1
		}
		if a.point {
			return -cmp.Compare(a.layer*1<<31+a.feat, b.layer*1<<31+b.feat)
		}
		return cmp.Compare(a.size, b.size)
	})
	dropped := make([]map[int32]bool, len(layers))
	for i := range dropped {
		dropped[i] = map[int32]bool{}
	}
	for len(cands) > 0 {
		n := max(1, len(cands)/4)
		for _, c := range cands[:n] {
			dropped[c.layer][layers[c.layer].features[c.feat].src] = true
			st.dropped++
		}
		cands = cands[n:]
		kept := make([]outLayer, len(layers))
		for li, l := range layers {
			kept[li] = outLayer{name: l.name, label: l.label}
			src := li
			if l.label {
				src = li - 1 // a label layer follows its polygon layer
			}
			for _, f := range l.features {
				if !dropped[src][f.src] {
					kept[li].features = append(kept[li].features, f)
				}
			}
		}
		data = encodeTile(kept, t.opt.Extent)
		if len(data) <= budget {
			return data, st
		}
	}
	return data, st
}

// tileFrame converts world coordinates to float tile units of one tile.
type tileFrame struct {
	scale, ox, oy float64
	lo, hi        float64
	extent        int64
	gx0, gy0      int64 // tile origin in global tile units
}

func (t *Tileset) frame(id TileID) tileFrame {
	e := int64(t.opt.Extent)
	return tileFrame{
		scale:  worldScale(id.Z, t.opt.Extent),
		ox:     float64(int64(id.X) * e),
		oy:     float64(int64(id.Y) * e),
		lo:     -float64(t.opt.Buffer),
		hi:     float64(t.opt.Extent + t.opt.Buffer),
		extent: e,
		gx0:    int64(id.X) * e,
		gy0:    int64(id.Y) * e,
	}
}

// query is the buffered tile in world coordinates, widened by one tile
// unit against rounding.
func (f tileFrame) query() orb.Bound {
	return orb.Bound{
		Min: orb.Point{(f.ox + f.lo - 1) / f.scale, (f.oy + f.lo - 1) / f.scale},
		Max: orb.Point{(f.ox + f.hi + 1) / f.scale, (f.oy + f.hi + 1) / f.scale},
	}
}

func (f tileFrame) local(p orb.Point) orb.Point {
	return orb.Point{p[0]*f.scale - f.ox, p[1]*f.scale - f.oy}
}

// scratch holds per-call buffers.
type scratch struct {
	fpts, clipA, clipB []orb.Point
	ipts               []ipt
	ids                []int32
	paths              []int32
}

// render builds the layers of one tile using geometry simplified for zoom
// gz (gz = id.Z normally; smaller when the budget asks for coarser shapes).
func (t *Tileset) render(id TileID, gz int, st *buildStats) []outLayer {
	fr := t.frame(id)
	q := fr.query()
	var sc scratch
	var out []outLayer
	for _, ld := range t.layers {
		z := int(id.Z)
		if z < ld.minZoom || z > ld.maxZoom {
			continue
		}
		sc.ids = sc.ids[:0]
		ld.index.Search(q.Min, q.Max, func(_, _ [2]float64, fi int32) bool {
			sc.ids = append(sc.ids, fi)
			return true
		})
		slices.Sort(sc.ids)
		ol := outLayer{name: ld.name}
		switch ld.kind {
		case kindPoint:
			for _, fi := range sc.ids {
				f := &ld.features[fi]
				var pts []ipt
				for _, p := range f.points {
					gx, gy := quantiseGlobal(p[0], p[1], id.Z, t.opt.Extent)
					lx, ly := gx-fr.gx0, gy-fr.gy0
					if float64(lx) < fr.lo || float64(lx) > fr.hi || float64(ly) < fr.lo || float64(ly) > fr.hi {
						continue
					}
					pts = append(pts, ipt{int32(lx), int32(ly)})
				}
				if len(pts) == 0 {
					continue
				}
				var g geomWriter
				g.points(pts)
				ol.features = append(ol.features, outFeature{id: f.id, tags: f.tags, typ: geomPoint, geom: g.buf, src: fi})
			}
			out = append(out, ol)
		case kindLine:
			for _, fi := range sc.ids {
				f := &ld.features[fi]
				if of, ok := t.renderLine(f, gz, fr, &sc); ok {
					of.src = fi
					ol.features = append(ol.features, of)
				}
			}
			out = append(out, ol)
		case kindPolygon:
			out = append(out, t.renderPolygons(ld, sc.ids, gz, fr, &sc, st))
			if ld.labels {
				lab := outLayer{name: ld.name + "_label", label: true}
				for _, fi := range sc.ids {
					f := &ld.features[fi]
					gx, gy := quantiseGlobal(f.label[0], f.label[1], id.Z, t.opt.Extent)
					if ownerTile(gx, gy, id.Z, t.opt.Extent) != id {
						continue
					}
					lx, ly := gx-fr.gx0, gy-fr.gy0
					var g geomWriter
					g.points([]ipt{{int32(lx), int32(ly)}})
					lab.features = append(lab.features, outFeature{id: f.id, tags: f.labelTags, typ: geomPoint, geom: g.buf, src: fi})
				}
				out = append(out, lab)
			}
		}
	}
	return out
}

// pathLocal transforms a path to float tile units and clips it if needed.
// It returns nil if the path lies outside the clip square.
func pathLocal(p *path, fr tileFrame, ring bool, sc *scratch) [][]orb.Point {
	b0, b1 := fr.local(p.bound.Min), fr.local(p.bound.Max)
	if b1[0] < fr.lo || b0[0] > fr.hi || b1[1] < fr.lo || b0[1] > fr.hi {
		return nil
	}
	inside := b0[0] >= fr.lo && b1[0] <= fr.hi && b0[1] >= fr.lo && b1[1] <= fr.hi
	if inside {
		sc.fpts = p.reduce(orb.Bound{Min: p.bound.Min, Max: p.bound.Max}, fr, sc.fpts)
		return [][]orb.Point{sc.fpts}
	}
	sc.fpts = p.reduce(fr.query(), fr, sc.fpts)
	if ring {
		var res []orb.Point
		res, sc.clipB = clipRing(sc.fpts, fr.lo, fr.hi, sc.clipA, sc.clipB)
		sc.clipA = res
		if len(res) == 0 {
			return nil
		}
		return [][]orb.Point{res}
	}
	return clipLine(sc.fpts, fr.lo, fr.hi, nil)
}

func (t *Tileset) renderLine(f *prepared, gz int, fr tileFrame, sc *scratch) (outFeature, bool) {
	var g geomWriter
	var length float64
	sc.paths = f.pathsNear(gz, fr.query(), sc.paths)
	for _, i := range sc.paths {
		for _, part := range pathLocal(&f.zoom[gz][i], fr, false, sc) {
			sc.ipts = quantise(part, sc.ipts)
			if len(sc.ipts) < 2 {
				continue
			}
			g.line(sc.ipts)
			for i := 1; i < len(sc.ipts); i++ {
				a, b := sc.ipts[i-1], sc.ipts[i]
				length += math.Hypot(float64(b.x-a.x), float64(b.y-a.y))
			}
		}
	}
	if len(g.buf) == 0 {
		return outFeature{}, false
	}
	return outFeature{id: f.id, tags: f.tags, typ: geomLineString, geom: g.buf, size: length}, true
}

// renderPolygons clips, quantises and repairs the polygon features ids of
// layer ld for one tile.
func (t *Tileset) renderPolygons(ld *layerData, ids []int32, gz int, fr tileFrame, sc *scratch, st *buildStats) outLayer {
	ol := outLayer{name: ld.name}
	var feats []int32              // features with rings in this tile
	var floatRings [][][]orb.Point // their clipped rings
	for _, fi := range ids {
		f := &ld.features[fi]
		var rs [][]orb.Point
		sc.paths = f.pathsNear(gz, fr.query(), sc.paths)
		for _, i := range sc.paths {
			for _, part := range pathLocal(&f.zoom[gz][i], fr, true, sc) {
				if len(part) >= 3 {
					rs = append(rs, slices.Clone(part))
				}
			}
		}
		if len(rs) > 0 {
			feats = append(feats, fi)
			floatRings = append(floatRings, rs)
		}
	}
	if len(feats) == 0 {
		return ol
	}
	featRings := snapRings(floatRings)
	polys, ok := polygonize(featRings)
	if !ok {
		st.unnoded += len(feats)
		return ol
	}
	for fx, fi := range feats {
		if len(polys[fx]) == 0 {
			continue
		}
		var g geomWriter
		var area int64
		for _, poly := range polys[fx] {
			for _, r := range poly {
				g.ring(r)
				area += area2(r)
			}
		}
		f := &ld.features[fi]
		ol.features = append(ol.features, outFeature{id: f.id, tags: f.tags, typ: geomPolygon, geom: g.buf, size: float64(area) / 2, src: fi})
	}
	return ol
}
