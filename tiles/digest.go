package tiles

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math"

	"github.com/paulmach/orb"
)

// topologyDigest hashes, with seed, the geometric input of the line and
// polygon layers (those of lds that share the topology), in order: names,
// zoom ranges, label settings and every feature's geometry (coordinates
// bit for bit). Equal digests mean, but for a 2⁻⁶⁴ chance, equal
// geometric preprocessing: NewTilesetFrom reuses it.
func topologyDigest(seed maphash.Seed, layers []Layer, lds []*layerData) uint64 {
	d := digest{}
	d.h.SetSeed(seed)
	for li, l := range layers {
		if !lds[li].topological() {
			continue
		}
		fmt.Fprintf(&d.h, "layer %q %d-%d labels %t %d\n", l.Name, l.MinZoom, l.MaxZoom, l.Labels, len(l.Features))
		for _, f := range l.Features {
			d.geometry(f.Geometry)
		}
	}
	return d.h.Sum64()
}

// digest writes values into a hash, each with its length or kind so that
// different sequences never write the same bytes.
type digest struct {
	h   maphash.Hash
	buf [8]byte
}

func (d *digest) uint(v uint64) {
	binary.LittleEndian.PutUint64(d.buf[:], v)
	d.h.Write(d.buf[:])
}

func (d *digest) points(ps []orb.Point) {
	d.uint(uint64(len(ps)))
	for _, p := range ps {
		d.uint(math.Float64bits(p[0]))
		d.uint(math.Float64bits(p[1]))
	}
}

func (d *digest) geometry(g orb.Geometry) {
	if g == nil {
		d.h.WriteString("nil")
		return
	}
	fmt.Fprintf(&d.h, "%T", g)
	switch g := g.(type) {
	case orb.Point:
		d.points([]orb.Point{g})
	case orb.MultiPoint:
		d.points(g)
	case orb.LineString:
		d.points(g)
	case orb.MultiLineString:
		d.uint(uint64(len(g)))
		for _, l := range g {
			d.points(l)
		}
	case orb.Ring:
		d.points(g)
	case orb.Bound:
		d.points([]orb.Point{g.Min, g.Max})
	default:
		polys := polygonsOf(g)
		d.uint(uint64(len(polys)))
		for _, p := range polys {
			d.uint(uint64(len(p)))
			for _, r := range p {
				d.points(r)
			}
		}
	}
}
