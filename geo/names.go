package geo

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/durandline/durand/geo/geojsonio"
	"github.com/paulmach/orb/geojson"
	"golang.org/x/text/unicode/norm"
)

// Fold returns the key under which names are compared: case-folded, with
// diacritics removed (Unicode NFD, combining marks dropped), and with
// punctuation and runs of spaces reduced to single spaces, so that
// "Spīn Būldak", "spin  buldak" and "SPIN-BULDAK" fold alike.
func Fold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// names returns the names a feature can be found by.
func featureNames(f *geojson.Feature) []string {
	out := []string{geojsonio.FeatureID(f), str(f, "name")}
	out = append(out, strs(f, "alt_names")...)
	return out
}

func (a *Atlas) indexNames(alt []altName) {
	a.names = map[string]map[string][]int{}
	for _, name := range a.order {
		l := a.layers[name]
		m := map[string][]int{}
		add := func(key string, i int) {
			k := Fold(key)
			if k == "" {
				return
			}
			for _, j := range m[k] {
				if j == i {
					return
				}
			}
			m[k] = append(m[k], i)
		}
		for i, f := range l.features {
			for _, n := range featureNames(f) {
				add(n, i)
			}
			if name == LayerDistricts || name == LayerProvinces {
				// "Spin Boldak District", "Kandahar Province" also match.
				add(str(f, "name")+" district", i)
				add(str(f, "name")+" province", i)
			}
		}
		for _, an := range alt {
			if an.layer != name {
				continue
			}
			for _, i := range m[Fold(an.name)] {
				add(an.alt, i)
			}
		}
		a.names[name] = m
	}
}

// Find returns the features of a layer whose id, name or alternative name
// matches q (case- and diacritic-insensitive, see Fold), in file order.
// It returns ErrNotFound when nothing matches.
func (a *Atlas) Find(layerName, q string) ([]*geojson.Feature, error) {
	l, ok := a.layers[layerName]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownLayer, layerName)
	}
	idx := a.names[layerName][Fold(q)]
	if len(idx) == 0 {
		// An exact id match (ids can hold characters Fold drops).
		for i, f := range l.features {
			if geojsonio.FeatureID(f) == q {
				idx = append(idx, i)
			}
		}
	}
	if len(idx) == 0 {
		return nil, fmt.Errorf("%w: no %s named %q", ErrNotFound, layerName, q)
	}
	out := make([]*geojson.Feature, len(idx))
	for k, i := range idx {
		out[k] = l.features[i]
	}
	return out, nil
}

func (a *Atlas) findIndex(layerName, q string) (int, error) {
	if _, ok := a.layers[layerName]; !ok {
		return 0, fmt.Errorf("%w: %q", ErrUnknownLayer, layerName)
	}
	idx := a.names[layerName][Fold(q)]
	if len(idx) == 0 {
		for i, f := range a.layers[layerName].features {
			if geojsonio.FeatureID(f) == q {
				return i, nil
			}
		}
		return 0, fmt.Errorf("%w: no %s named %q", ErrNotFound, layerName, q)
	}
	return idx[0], nil
}

// Crossing returns the crossing with the given id, name or alternative name.
func (a *Atlas) Crossing(q string) (*Crossing, error) {
	i, err := a.findIndex(LayerCrossings, q)
	if err != nil {
		return nil, err
	}
	return a.crossings[i], nil
}

// Province returns the province with the given id, name or alternative name.
func (a *Atlas) Province(q string) (*Province, error) {
	i, err := a.findIndex(LayerProvinces, q)
	if err != nil {
		return nil, err
	}
	return a.provinces[i], nil
}

// District returns the district with the given id, name or alternative
// name. It returns ErrNotFound when districts are not installed.
func (a *Atlas) District(q string) (*District, error) {
	if !a.HasDistricts() {
		return nil, fmt.Errorf("%w: districts are not installed (run durand data install)", ErrNotFound)
	}
	i, err := a.findIndex(LayerDistricts, q)
	if err != nil {
		return nil, err
	}
	return a.districts[i], nil
}

// Country returns the country with the given ISO3 code or name.
func (a *Atlas) Country(q string) (*Country, error) {
	i, err := a.findIndex(LayerCountries, q)
	if err != nil {
		return nil, err
	}
	return a.countries[i], nil
}
