// Province assignment of the installed districts, with the written
// corrections.

package data

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
)

type province struct {
	name, country string
	aliases       []string // normalised keys of name and alt_names
	geom          orb.MultiPolygon
	index         *scanIndex
}

func (in *installer) loadProvinces() ([]*province, string, error) {
	b, err := fs.ReadFile(in.opt.Provinces, provincesName)
	if err != nil {
		return nil, "", &InstallError{File: provincesName, Err: fmt.Errorf("provinces layer: %w", err)}
	}
	sum := sha256.Sum256(b)
	feats, err := decodeGeoJSON(provincesName, b, false)
	if err != nil {
		return nil, "", err
	}
	var out []*province
	for i := range feats {
		f := &feats[i]
		name, err := f.required(provincesName, "name")
		if err != nil {
			return nil, "", err
		}
		country, err := f.required(provincesName, "country")
		if err != nil {
			return nil, "", err
		}
		p := &province{name: name, country: country, geom: f.geom, aliases: []string{nameKey(name)}}
		if alts, ok := f.props["alt_names"].([]any); ok {
			for _, a := range alts {
				if s, ok := a.(string); ok && s != "" {
					p.aliases = append(p.aliases, nameKey(s))
				}
			}
		}
		out = append(out, p)
	}
	return out, hex.EncodeToString(sum[:]), nil
}

// nameKey folds a name for matching: lower case letters and digits only.
func nameKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pakProvinceAliases lists, for each Pakistani province or territory, its
// canonical name (as used in provinces.geojson) followed by the keys
// (nameKey) of the spellings it goes by, including the OCHA ADM1_EN values.
func pakProvinceAliases() [][]string {
	return [][]string{
		{"Khyber Pakhtunkhwa", "khyberpakhtunkhwa", "kp", "kpk", "nwfp", "northwestfrontierprovince"},
		{"Balochistan", "balochistan", "baluchistan"},
		{"Punjab", "punjab"},
		{"Sindh", "sindh", "sind"},
		{"Gilgit-Baltistan", "gilgitbaltistan", "northernareas"},
		{"Azad Kashmir", "azadkashmir", "azadjammuandkashmir", "ajk", "ajandk"},
		{"Islamabad", "islamabad", "islamabadcapitalterritory", "ict", "fct", "federalcapitalterritory"},
	}
}

// pakProvince resolves an OCHA ADM1_EN value to the name of a PAK province
// in provs, or to the canonical spelling (found=false) if none matches.
func pakProvince(adm1 string, provs []*province) (name string, found bool) {
	keys := []string{nameKey(adm1)}
	canonical := adm1
	for _, al := range pakProvinceAliases() {
		if slices.Contains(al[1:], keys[0]) {
			canonical, keys = al[0], al[1:]
			break
		}
	}
	for _, p := range provs {
		if p.country != "PAK" {
			continue
		}
		for _, k := range keys {
			if slices.Contains(p.aliases, k) {
				return p.name, true
			}
		}
	}
	return canonical, false
}

func (in *installer) assignPAKProvinces(ds []*district, provs []*province) {
	var unmatched []string
	for _, d := range ds {
		name, ok := pakProvince(d.province, provs)
		if !ok && !slices.Contains(unmatched, d.province) {
			unmatched = append(unmatched, d.province)
			in.warn("PAK: ADM1_EN %q matches no PAK province in %s; districts keep the name %q", d.province, provincesName, name)
		}
		d.province = name
	}
}

// provinceCorrection sets the province of one geoBoundaries district whose
// largest overlap with the provinces layer is known to be wrong: Natural
// Earth's province lines are coarser than the district lines, and for a
// few districts split almost evenly between two provinces the larger part
// is on the wrong side.
type provinceCorrection struct {
	shapeID string
	keys    []string // nameKey spellings of the province
	reason  string
}

func afgProvinceCorrections() []provinceCorrection {
	return []provinceCorrection{
		{"17698898B48544319080592", []string{"khost", "khowst"},
			"Mosa Khail (Musa Khel) is a district of Khost"},
		{"17698898B88117199286775", []string{"wardak", "maidanwardak", "wardag"},
			"this Jaghatu is the Wardak district (Ghazni's is \"Bahrami Shahid (Jaghatu)\")"},
	}
}

// assignAFGProvinces gives each Afghan district the AFG province it
// overlaps most (largest intersection area; ties go to the first name in
// alphabetical order), except for the districts in afgProvinceCorrections.
// Areas are integrated along horizontal scan lines: on each line the
// district's and the province's inside intervals are intersected exactly,
// and line lengths are weighted by cos(latitude). It returns the
// corrections applied, as text.
func (in *installer) assignAFGProvinces(ds []*district, provs []*province) []string {
	var afg []*province
	for _, p := range provs {
		if p.country == "AFG" {
			if p.index == nil {
				p.index = newScanIndex(p.geom)
			}
			afg = append(afg, p)
		}
	}
	slices.SortStableFunc(afg, func(a, b *province) int { return strings.Compare(a.name, b.name) })
	var applied []string
	for _, d := range ds {
		ov := overlaps(d.geom, afg)
		if len(ov) == 0 {
			in.warn("AFG district %s (%s) overlaps no AFG province; province left empty", d.id, d.name)
			continue
		}
		d.province = ov[0].p.name
		split := fmt.Sprintf("%.0f %% in %s", ov[0].share*100, ov[0].p.name)
		if len(ov) > 1 && ov[1].share > 0.05 {
			split += fmt.Sprintf(", %.0f %% in %s", ov[1].share*100, ov[1].p.name)
		}
		if c, p := correctionFor(d, afg); p != nil {
			if p.name != d.province {
				d.province = p.name
				msg := fmt.Sprintf("%s (%s): province %s, not %s by overlap (%s): %s", d.id, d.name, p.name, ov[0].p.name, split, c.reason)
				applied = append(applied, msg)
				in.note("corrected %s", msg)
			}
			continue
		}
		if ov[0].share < 0.6 {
			in.note("AFG district %s (%s): ambiguous overlap, %s; assigned %s", d.id, d.name, split, d.province)
		}
	}
	return applied
}

func correctionFor(d *district, afg []*province) (provinceCorrection, *province) {
	for _, c := range afgProvinceCorrections() {
		if d.source != sourceGeoBoundaries || d.sourceID != c.shapeID {
			continue
		}
		for _, p := range afg {
			for _, k := range c.keys {
				if slices.Contains(p.aliases, k) {
					return c, p
				}
			}
		}
	}
	return provinceCorrection{}, nil
}
