// The district features of the two sources (geoBoundaries for Afghanistan,
// OCHA for Pakistan), as Install reads them.

package data

import (
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

type district struct {
	id, name, province, country, source, sourceID string
	administration                                string // AdministrationNote for disputed, Pakistan-administered units
	file                                          string // input location, for errors
	geom                                          orb.MultiPolygon
}

// feature is one decoded input feature: string (and string array)
// properties and a normalised geometry.
type feature struct {
	index int
	props map[string]any
	geom  orb.MultiPolygon
}

func (f *feature) str(file, key string) (string, bool, error) {
	v, ok := f.props[key]
	if !ok || v == nil {
		return "", false, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", false, invalid(file, "feature %d: property %q is %T, want a string", f.index, key, v)
	}
	return strings.TrimSpace(s), true, nil
}

func (f *feature) required(file, key string) (string, error) {
	s, ok, err := f.str(file, key)
	if err != nil {
		return "", err
	}
	if !ok || s == "" {
		return "", invalid(file, "feature %d: property %q is missing or empty", f.index, key)
	}
	return s, nil
}

func (in *installer) afgDistricts(set *inputSet) ([]*district, error) {
	var (
		feats []feature
		file  string
		err   error
	)
	if set.afgGeoJSON != nil {
		file = set.afgGeoJSON.location
		in.progress("decoding %s", file)
		feats, err = decodeGeoJSON(file, set.afgGeoJSON.data, true)
	} else {
		file = set.afgShp.location
		in.progress("decoding %s", file)
		feats, err = decodeShapefile(file, set.afgShp.data, set.afgDbf.location, set.afgDbf.data)
	}
	if err != nil {
		return nil, err
	}
	return geoBoundariesDistricts(file, feats)
}

func geoBoundariesDistricts(file string, feats []feature) ([]*district, error) {
	out := make([]*district, 0, len(feats))
	for i := range feats {
		f := &feats[i]
		name, err := f.required(file, "shapeName")
		if err != nil {
			return nil, err
		}
		sid, err := f.required(file, "shapeID")
		if err != nil {
			return nil, err
		}
		if g, ok, err := f.str(file, "shapeGroup"); err != nil {
			return nil, err
		} else if ok && g != "AFG" {
			return nil, invalid(file, "feature %d (%s): shapeGroup is %q, want AFG (wrong file?)", f.index, name, g)
		}
		out = append(out, &district{
			id: "AFG-" + sid, name: name, country: "AFG", source: sourceGeoBoundaries, sourceID: sid, file: file, geom: f.geom,
		})
	}
	return out, nil
}

func (in *installer) pakDistricts(set *inputSet) ([]*district, error) {
	file := set.pak.location
	in.progress("decoding %s", file)
	feats, err := decodeGeoJSON(file, set.pak.data, true)
	if err != nil {
		return nil, err
	}
	ds, left, err := ochaDistricts(file, feats)
	for _, name := range left {
		in.note("PAK: %q (ADM1_PCODE %s) left out: it is Indian-administered Jammu and Kashmir, not part of Pakistan", name, IndianAdministeredPCode)
	}
	return ds, err
}

// ochaDistricts reads the OCHA districts; left names the units left out
// (the Indian-administered one).
func ochaDistricts(file string, feats []feature) (out []*district, left []string, err error) {
	out = make([]*district, 0, len(feats))
	for i := range feats {
		f := &feats[i]
		name, err := f.required(file, "ADM2_EN")
		if err != nil {
			return nil, nil, err
		}
		adm1, err := f.required(file, "ADM1_EN")
		if err != nil {
			return nil, nil, err
		}
		adm1Code, _, err := f.str(file, "ADM1_PCODE")
		if err != nil {
			return nil, nil, err
		}
		if adm1Code == IndianAdministeredPCode {
			left = append(left, name)
			continue
		}
		admin := ""
		if slices.Contains(administeredPCodes(), adm1Code) {
			admin = AdministrationNote
		}
		code, ok, err := f.str(file, "ADM2_PCODE")
		if err != nil {
			return nil, nil, err
		}
		if !ok || code == "" {
			if code, err = f.required(file, "ADM1_PCODE"); err != nil {
				return nil, nil, invalid(file, "feature %d (%s): neither ADM2_PCODE nor ADM1_PCODE is set", f.index, name)
			}
		}
		if c, ok, err := f.str(file, "ADM0_PCODE"); err != nil {
			return nil, nil, err
		} else if ok && c != "PK" {
			return nil, nil, invalid(file, "feature %d (%s): ADM0_PCODE is %q, want PK (wrong file?)", f.index, name, c)
		}
		out = append(out, &district{
			id: "PAK-" + code, name: name, province: adm1, country: "PAK", source: sourceOCHA, sourceID: code, file: file, geom: f.geom,
			administration: admin,
		})
	}
	return out, left, nil
}
