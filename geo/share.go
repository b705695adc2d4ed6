package geo

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/paulmach/orb"
)

// Share is the length of border that one province or district touches.
type Share struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Country string  `json:"country"`
	Km      float64 `json:"km"`
	// FromKm and ToKm are the smallest and largest chainage it touches.
	FromKm float64 `json:"from_km"`
	ToKm   float64 `json:"to_km"`
}

type shareCache struct {
	once     sync.Once
	segSides [][2]sideInfo // per border segment: left side, right side
}

type sideInfo struct{ province, district int32 }

// shareOffsetMetres is how far from a segment's midpoint, on each side, the
// point is taken whose province and district the segment is credited to.
const shareOffsetMetres = 100

func (a *Atlas) computeSides() {
	b := a.border
	sides := make([][2]sideInfo, len(b.Line)-1)
	for i := range sides {
		p, q := b.Line[i], b.Line[i+1]
		m := orb.Point{(p[0] + q[0]) / 2, (p[1] + q[1]) / 2}
		k := cosDeg(m[1])
		dx, dy := (q[0]-p[0])*k, q[1]-p[1]
		l := math.Hypot(dx, dy)
		sides[i] = [2]sideInfo{{-1, -1}, {-1, -1}}
		if l == 0 {
			continue
		}
		off := shareOffsetMetres / meanRadius * 180 / math.Pi
		for slot, sgn := range []float64{1, -1} { // left, then right
			s := orb.Point{m[0] - sgn*dy/l*off/k, m[1] + sgn*dx/l*off}
			ci := a.sovereign.containing(s, nil)
			if ci < 0 {
				continue
			}
			iso := a.countries[ci].ID
			info := sideInfo{-1, -1}
			if pr := a.provinceIn(s, iso); pr != nil {
				info.province = int32(a.indexOfProvince(pr))
			}
			if d, _ := a.districtIn(s, iso); d != nil {
				info.district = int32(a.indexOfDistrict(d))
			}
			sides[i][slot] = info
		}
	}
	a.shares.segSides = sides
}

func (a *Atlas) indexOfProvince(p *Province) int {
	for i, x := range a.provinces {
		if x == p {
			return i
		}
	}
	return -1
}

func (a *Atlas) indexOfDistrict(d *District) int {
	for i, x := range a.districts {
		if x == d {
			return i
		}
	}
	return -1
}

// BorderShare returns, for the provinces or districts layer, the km of
// border each unit touches on its side, longest first. Each border segment
// is credited to the unit found 100 m from its midpoint on each side.
func (a *Atlas) BorderShare(layerName string) ([]Share, error) {
	if layerName != LayerProvinces && layerName != LayerDistricts {
		return nil, fmt.Errorf("%w: border share is computed for %s and %s, not %q", ErrUnknownLayer, LayerProvinces, LayerDistricts, layerName)
	}
	if layerName == LayerDistricts && !a.HasDistricts() {
		return nil, fmt.Errorf("%w: districts are not installed (run durand data install)", ErrNotFound)
	}
	a.shares.once.Do(a.computeSides)
	type acc struct {
		km, from, to float64
	}
	sums := map[int32]*acc{}
	b := a.border
	for i, s := range a.shares.segSides {
		for _, side := range s {
			k := side.province
			if layerName == LayerDistricts {
				k = side.district
			}
			if k < 0 {
				continue
			}
			x := sums[k]
			if x == nil {
				x = &acc{from: math.Inf(1)}
				sums[k] = x
			}
			x.km += (b.cum[i+1] - b.cum[i]) / 1000
			x.from = math.Min(x.from, b.cum[i]/1000)
			x.to = math.Max(x.to, b.cum[i+1]/1000)
		}
	}
	out := make([]Share, 0, len(sums))
	for k, x := range sums {
		sh := Share{Km: round3(x.km), FromKm: round3(x.from), ToKm: round3(x.to)}
		if layerName == LayerProvinces {
			p := a.provinces[k]
			sh.ID, sh.Name, sh.Country = p.ID, p.Name, p.Country
		} else {
			d := a.districts[k]
			sh.ID, sh.Name, sh.Country = d.ID, d.Name, d.Country
		}
		out = append(out, sh)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Km != out[j].Km {
			return out[i].Km > out[j].Km
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
