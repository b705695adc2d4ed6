package tiles

// MVT geometry types (Tile.GeomType in vector_tile.proto).
const (
	geomPoint      = 1
	geomLineString = 2
	geomPolygon    = 3
)

// Geometry commands.
const (
	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

// outFeature is one encoded feature of a tile layer.
type outFeature struct {
	id   uint64
	tags []tag
	typ  uint8
	geom []uint32 // command and parameter integers
	size float64  // area (polygons) or length (lines) in tile units, for the budget
	src  int32    // index of the source feature in its layer
}

type outLayer struct {
	name     string
	label    bool // label layer of a polygon layer
	features []outFeature
}

func command(id, count uint32) uint32 { return id&7 | count<<3 }

func zigzag(v int32) uint32 { return uint32((v << 1) ^ (v >> 31)) }

// geomWriter writes command integers with the cursor carried between
// rings and lines of one feature.
type geomWriter struct {
	cx, cy int32
	buf    []uint32
}

func (g *geomWriter) point(p ipt) {
	g.buf = append(g.buf, zigzag(p.x-g.cx), zigzag(p.y-g.cy))
	g.cx, g.cy = p.x, p.y
}

// points writes a POINT geometry: one MoveTo with all points.
func (g *geomWriter) points(ps []ipt) {
	g.buf = append(g.buf, command(cmdMoveTo, uint32(len(ps))))
	for _, p := range ps {
		g.point(p)
	}
}

// line writes one linestring of at least two points.
func (g *geomWriter) line(ps []ipt) {
	g.buf = append(g.buf, command(cmdMoveTo, 1))
	g.point(ps[0])
	g.buf = append(g.buf, command(cmdLineTo, uint32(len(ps)-1)))
	for _, p := range ps[1:] {
		g.point(p)
	}
}

// ring writes one ring (stored open, at least three points) with exactly
// one ClosePath.
func (g *geomWriter) ring(ps []ipt) {
	g.line(ps)
	g.buf = append(g.buf, command(cmdClosePath, 1))
}

// protobuf wire helpers.

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendKey(b []byte, field, wire int) []byte {
	return appendVarint(b, uint64(field<<3|wire))
}

func appendBytesField(b []byte, field int, p []byte) []byte {
	b = appendKey(b, field, 2)
	b = appendVarint(b, uint64(len(p)))
	return append(b, p...)
}

func appendPacked(b []byte, field int, vs []uint32, scratch []byte) ([]byte, []byte) {
	scratch = scratch[:0]
	for _, v := range vs {
		scratch = appendVarint(scratch, uint64(v))
	}
	return appendBytesField(b, field, scratch), scratch
}

func appendValue(b []byte, v value) []byte {
	switch v.kind {
	case valString:
		b = appendKey(b, valString, 2)
		b = appendVarint(b, uint64(len(v.s)))
		b = append(b, v.s...)
	case valFloat:
		b = appendKey(b, valFloat, 5)
		u := uint32(v.bits)
		b = append(b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
	case valDouble:
		b = appendKey(b, valDouble, 1)
		u := v.bits
		for range 8 {
			b = append(b, byte(u))
			u >>= 8
		}
	case valUint:
		b = appendKey(b, valUint, 0)
		b = appendVarint(b, v.bits)
	case valSint:
		b = appendKey(b, valSint, 0)
		i := int64(v.bits)
		b = appendVarint(b, uint64((i<<1)^(i>>63)))
	case valBool:
		b = appendKey(b, valBool, 0)
		b = appendVarint(b, v.bits)
	}
	return b
}

// encodeTile writes the layers as a Mapbox Vector Tile (spec 2.1): every
// layer has version 2 as its first field, then name, features, keys,
// values and extent. Layers without features are left out. It returns nil
// if no layer has a feature.
func encodeTile(layers []outLayer, extent uint32) []byte {
	var tile, layer, feat, scratch []byte
	var tagIx []uint32
	for _, l := range layers {
		if len(l.features) == 0 {
			continue
		}
		keys := map[string]uint32{}
		vals := map[value]uint32{}
		var keyList []string
		var valList []value
		layer = layer[:0]
		layer = appendKey(layer, 15, 0)
		layer = appendVarint(layer, 2)
		layer = appendBytesField(layer, 1, []byte(l.name))
		for _, f := range l.features {
			feat = feat[:0]
			if f.id != 0 {
				feat = appendKey(feat, 1, 0)
				feat = appendVarint(feat, f.id)
			}
			if len(f.tags) > 0 {
				tagIx = tagIx[:0]
				for _, t := range f.tags {
					ki, ok := keys[t.key]
					if !ok {
						ki = uint32(len(keyList))
						keys[t.key] = ki
						keyList = append(keyList, t.key)
					}
					vi, ok := vals[t.val]
					if !ok {
						vi = uint32(len(valList))
						vals[t.val] = vi
						valList = append(valList, t.val)
					}
					tagIx = append(tagIx, ki, vi)
				}
				feat, scratch = appendPacked(feat, 2, tagIx, scratch)
			}
			feat = appendKey(feat, 3, 0)
			feat = appendVarint(feat, uint64(f.typ))
			feat, scratch = appendPacked(feat, 4, f.geom, scratch)
			layer = appendBytesField(layer, 2, feat)
		}
		for _, k := range keyList {
			layer = appendBytesField(layer, 3, []byte(k))
		}
		for _, v := range valList {
			scratch = appendValue(scratch[:0], v)
			layer = appendBytesField(layer, 4, scratch)
		}
		layer = appendKey(layer, 5, 0)
		layer = appendVarint(layer, uint64(extent))
		tile = appendBytesField(tile, 3, layer)
	}
	return tile
}
