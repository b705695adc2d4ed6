package geo

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// districtSnapMetres is how far outside every district of its country a
// point may lie and still be given the nearest one. The district layers of
// the two countries come from different surveys and do not follow the
// country layer exactly (median gap about 0.4 km, 99 % within 2.7 km).
const districtSnapMetres = 5000

// provinceNote explains a province that differs between the district and
// the provinces layer.
const provinceNote = "The province is the district's: the district lines are more detailed than the provinces layer " +
	"(Natural Earth), whose coarser line puts this point in province_by_layer."

// Location is everything the atlas knows about a point.
type Location struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
	// Country is the ISO3 code of the country whose sovereign area contains
	// the point, or "" when it is in neither Afghanistan nor Pakistan. The
	// sovereign area is the land polygons with their holes (inland water)
	// filled and with the water notches their outlines make along the
	// border closed by the border line (see notches).
	Country     string `json:"country"`
	CountryName string `json:"country_name"`
	// Province is the province of that country containing the point; with
	// districts installed, the province of the district, so that the two
	// always agree. Where the provinces layer (coarser lines) puts the point
	// in another province, that one is ProvinceByLayer and ProvinceNote
	// says why they differ.
	Province        string `json:"province"`
	ProvinceID      string `json:"province_id"`
	ProvinceByLayer string `json:"province_by_layer,omitempty"`
	ProvinceNote    string `json:"province_note,omitempty"`
	// District is the installed district of that country containing the
	// point, or the nearest one within 5 km (then DistrictDistanceM > 0).
	// Empty when districts are not installed.
	District          string  `json:"district,omitempty"`
	DistrictID        string  `json:"district_id,omitempty"`
	DistrictDistanceM float64 `json:"district_distance_m,omitempty"`
	// Border is the nearest point of the border and the distance to it.
	Border BorderDistance `json:"border"`
	// NearestCrossing is the nearest border crossing.
	NearestCrossing *CrossingDistance `json:"nearest_crossing,omitempty"`
}

// CrossingDistance is a crossing and its geodesic distance from a point.
type CrossingDistance struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Metres float64 `json:"distance_m"`
	// Method is how the crossing was placed (sourced, corrected,
	// derived) and UncertaintyM how uncertain its position is, in metres.
	Method       string  `json:"method"`
	UncertaintyM float64 `json:"uncertainty_m"`
	// Status is the crossing's status on StatusDate (set by callers that
	// know the day, such as the server's /locate; see CrossingStatus).
	Status     Status `json:"status,omitempty"`
	StatusDate string `json:"status_date,omitempty"`

	Crossing *Crossing `json:"-"`
}

// CountryAt returns the ISO3 code of the country containing p, or "".
func (a *Atlas) CountryAt(p orb.Point) (string, error) {
	if err := checkPoint(p); err != nil {
		return "", err
	}
	if i := a.sovereign.containing(p, nil); i >= 0 {
		return a.countries[i].ID, nil
	}
	return "", nil
}

// Locate returns the country, province, district, the distance to the border
// with the nearest border point and its chainage, and the nearest crossing.
func (a *Atlas) Locate(p orb.Point) (Location, error) {
	if err := checkPoint(p); err != nil {
		return Location{}, err
	}
	loc := Location{Lon: p[0], Lat: p[1]}
	if i := a.sovereign.containing(p, nil); i >= 0 {
		c := a.countries[i]
		loc.Country, loc.CountryName = c.ID, c.Name
		if pr := a.provinceIn(p, c.ID); pr != nil {
			loc.Province, loc.ProvinceID = pr.Name, pr.ID
		}
		if d, dist := a.districtIn(p, c.ID); d != nil {
			loc.District, loc.DistrictID, loc.DistrictDistanceM = d.Name, d.ID, dist
			if d.Province != "" && Fold(d.Province) != Fold(loc.Province) {
				loc.ProvinceByLayer, loc.ProvinceNote = loc.Province, provinceNote
				loc.Province, loc.ProvinceID = d.Province, ""
				if pr := a.provinceNamed(d.Province, c.ID); pr != nil {
					loc.ProvinceID = pr.ID
				}
			}
		}
	}
	loc.Border = a.distanceToBorder(p)
	if c, ok := a.nearestCrossing(p); ok {
		loc.NearestCrossing = &c
	}
	return loc, nil
}

// provinceIn returns the province of country iso3 containing p or, for
// points in slivers no province covers, the nearest one.
func (a *Atlas) provinceIn(p orb.Point, iso3 string) *Province {
	keep := func(i int) bool { return a.provinces[i].Country == iso3 }
	if i := a.provSet.containing(p, keep); i >= 0 {
		return a.provinces[i]
	}
	if i, _ := a.provSet.nearest(p, 50000, keep); i >= 0 {
		return a.provinces[i]
	}
	return nil
}

// districtIn returns the district of country iso3 containing p, or the
// nearest within districtSnapMetres and its distance.
func (a *Atlas) districtIn(p orb.Point, iso3 string) (*District, float64) {
	if a.distSet == nil {
		return nil, 0
	}
	keep := func(i int) bool { return a.districts[i].Country == iso3 }
	if i := a.distSet.containing(p, keep); i >= 0 {
		return a.districts[i], 0
	}
	if i, d := a.distSet.nearest(p, districtSnapMetres, keep); i >= 0 {
		return a.districts[i], math.Round(d)
	}
	return nil, 0
}

// DistanceToBorder returns the geodesic distance in metres from p to the
// border, the nearest border point and its chainage.
func (a *Atlas) DistanceToBorder(p orb.Point) (BorderDistance, error) {
	if err := checkPoint(p); err != nil {
		return BorderDistance{}, err
	}
	return a.distanceToBorder(p), nil
}

func (a *Atlas) distanceToBorder(p orb.Point) BorderDistance {
	return a.border.nearest(p)
}

// NearestCrossings returns the n crossings nearest to p, nearest first.
func (a *Atlas) NearestCrossings(p orb.Point, n int) ([]CrossingDistance, error) {
	if err := checkPoint(p); err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("%w: n = %d, want at least 1", ErrOutOfRange, n)
	}
	return a.nearestCrossings(p, n), nil
}

// crossTie bounds the ratio of the ellipsoidal distance between two points
// to their angle on the geodetic sphere, largest over smallest: the polar
// radius a/√(1−e²) over the meridian radius at the equator a(1−e²), with
// slack. A crossing whose angle from a point exceeds crossTie times the
// smallest cannot be the nearest.
const crossTie = 1.0102

// nearestCrossing returns the nearest crossing: those within crossTie of
// the smallest angle from p are measured (arcMetres). False when there are
// no crossings.
func (a *Atlas) nearestCrossing(p orb.Point) (CrossingDistance, bool) {
	if len(a.crossings) == 0 {
		return CrossingDistance{}, false
	}
	pv := toVec(p)
	var buf [16]float64
	chord2 := buf[:0] // squared chords
	if len(a.crossings) > len(buf) {
		chord2 = make([]float64, 0, len(a.crossings))
	}
	best := math.Inf(1)
	for i := range a.crossings {
		d := pv.sub(a.crossVec[i])
		chord2 = append(chord2, d.dot(d))
		best = min(best, chord2[i])
	}
	// The chord of crossTie times the smallest angle.
	limit := 2*math.Sin(math.Min(math.Pi/2, crossTie*math.Asin(math.Min(1, math.Sqrt(best)/2)))) + 1e-12
	out := CrossingDistance{Metres: math.Inf(1)}
	for i, c := range a.crossings {
		if chord2[i] <= limit*limit {
			if d := arcMetres(pv, a.crossVec[i]); d < out.Metres {
				out = CrossingDistance{ID: c.ID, Name: c.Name, Metres: d, Method: c.Method, UncertaintyM: c.UncertaintyM, Crossing: c}
			}
		}
	}
	return out, true
}

func (a *Atlas) nearestCrossings(p orb.Point, n int) []CrossingDistance {
	if len(a.crossings) == 0 {
		return nil
	}
	if n == 1 {
		c, _ := a.nearestCrossing(p)
		return []CrossingDistance{c}
	}
	pv := toVec(p)
	out := make([]CrossingDistance, len(a.crossings))
	for i, c := range a.crossings {
		out[i] = CrossingDistance{ID: c.ID, Name: c.Name, Metres: arcMetres(pv, a.crossVec[i]), Crossing: c}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Metres < out[j].Metres })
	if n < len(out) {
		out = out[:n]
	}
	return out
}
