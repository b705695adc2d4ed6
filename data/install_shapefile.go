// The checked shapefile (.shp and .dbf) decoder of the install inputs.

package data

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/durandline/durand/geo/geojsonio"
	shp "github.com/jonas-p/go-shp"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// decodeShapefile reads Polygon records and their dBASE attributes. The
// structure of both files is checked before github.com/jonas-p/go-shp decodes
// them, so corrupt files give errors, not panics or huge allocations.
func decodeShapefile(shpFile string, shpData []byte, dbfFile string, dbfData []byte) ([]feature, error) {
	nrec, err := checkShp(shpFile, shpData)
	if err != nil {
		return nil, err
	}
	dbfNorm, deleted, err := checkDbf(dbfFile, dbfData)
	if err != nil {
		return nil, err
	}
	if len(deleted) != nrec {
		return nil, invalid(dbfFile, "has %d records, the shapefile has %d shapes", len(deleted), nrec)
	}
	r := shp.SequentialReaderFromExt(io.NopCloser(bytes.NewReader(shpData)), io.NopCloser(bytes.NewReader(dbfNorm)))
	defer r.Close()
	fields := r.Fields()
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = cleanDbfString(f.Name[:])
	}
	var out []feature
	n := 0
	for i := 0; r.Next(); i++ {
		n++
		if deleted[i] {
			continue
		}
		_, s := r.Shape()
		poly, ok := s.(*shp.Polygon)
		if !ok {
			return nil, invalid(shpFile, "record %d: shape type %T, want Polygon", i, s)
		}
		props := make(map[string]any, len(names))
		for k, n := range names {
			props[n] = cleanDbfString([]byte(r.Attribute(k)))
		}
		geom, err := shpPolygon(poly)
		if err != nil {
			return nil, invalid(shpFile, "record %d%s: %v", i, featureLabel(props), err)
		}
		out = append(out, feature{index: i, props: props, geom: geom})
	}
	if err := r.Err(); err != nil {
		return nil, invalid(shpFile, "%v", err)
	}
	if n != nrec {
		return nil, invalid(shpFile, "read %d of %d shapes", n, nrec)
	}
	if len(out) == 0 {
		return nil, invalid(shpFile, "has no shapes")
	}
	return out, nil
}

// checkShp validates the .shp main file structure and returns the number of
// records. All records must be Polygon (type 5).
func checkShp(file string, b []byte) (int, error) {
	const polygon = 5
	if len(b) < 100 {
		return 0, invalid(file, "%d bytes, too short for a shapefile header (100 bytes)", len(b))
	}
	if code := binary.BigEndian.Uint32(b[0:4]); code != 9994 {
		return 0, invalid(file, "not a shapefile (file code %d, want 9994)", code)
	}
	if n := int64(binary.BigEndian.Uint32(b[24:28])) * 2; n != int64(len(b)) {
		return 0, invalid(file, "header gives a length of %d bytes but the file has %d (truncated?)", n, len(b))
	}
	if t := int32(binary.LittleEndian.Uint32(b[32:36])); t != polygon {
		return 0, invalid(file, "shape type %d, want 5 (Polygon)", t)
	}
	n := 0
	for off := int64(100); off < int64(len(b)); n++ {
		if int64(len(b))-off < 12 {
			return 0, invalid(file, "record %d: truncated record header at byte %d", n, off)
		}
		clen := int64(binary.BigEndian.Uint32(b[off+4:off+8])) * 2
		body := off + 8
		if clen < 4 || body+clen > int64(len(b)) {
			return 0, invalid(file, "record %d at byte %d: content length %d runs past the end of the file", n, off, clen)
		}
		c := b[body : body+clen]
		if t := int32(binary.LittleEndian.Uint32(c[0:4])); t != polygon {
			return 0, invalid(file, "record %d: shape type %d, want 5 (Polygon)", n, t)
		}
		if clen < 44 {
			return 0, invalid(file, "record %d: %d bytes, too short for a polygon", n, clen)
		}
		parts := int64(int32(binary.LittleEndian.Uint32(c[36:40])))
		points := int64(int32(binary.LittleEndian.Uint32(c[40:44])))
		if parts < 1 || points < 4 || parts > points {
			return 0, invalid(file, "record %d: %d parts and %d points", n, parts, points)
		}
		if need := 44 + 4*parts + 16*points; need > clen {
			return 0, invalid(file, "record %d: %d parts and %d points need %d bytes, the record has %d", n, parts, points, need, clen)
		}
		prev := int64(-1)
		for k := int64(0); k < parts; k++ {
			p := int64(int32(binary.LittleEndian.Uint32(c[44+4*k:])))
			if (k == 0 && p != 0) || p <= prev || p >= points {
				return 0, invalid(file, "record %d: part %d starts at point %d (of %d)", n, k, p, points)
			}
			prev = p
		}
		off = body + clen
	}
	return n, nil
}

// checkDbf validates a dBASE file and returns it with the header cut to
// what go-shp's sequential reader expects (no padding after the field
// descriptors), and its record count.
func checkDbf(file string, b []byte) ([]byte, []bool, error) {
	if len(b) < 33 {
		return nil, nil, invalid(file, "%d bytes, too short for a dBASE header", len(b))
	}
	nrec := int64(binary.LittleEndian.Uint32(b[4:8]))
	hlen := int64(binary.LittleEndian.Uint16(b[8:10]))
	rlen := int64(binary.LittleEndian.Uint16(b[10:12]))
	if hlen < 33 || hlen > int64(len(b)) {
		return nil, nil, invalid(file, "header length %d is invalid for a %d-byte file", hlen, len(b))
	}
	nf := (hlen - 33) / 32
	term := 32 + 32*nf
	// Some writers pad the header; the terminator is then earlier.
	for k := int64(0); k < nf; k++ {
		if b[32+32*k] == 0x0d {
			nf, term = k, 32+32*k
			break
		}
	}
	if b[term] != 0x0d {
		return nil, nil, invalid(file, "field descriptor terminator missing at byte %d", term)
	}
	sum := int64(1) // deletion flag
	for k := int64(0); k < nf; k++ {
		sum += int64(b[32+32*k+16])
	}
	if rlen < 1 || sum > rlen {
		return nil, nil, invalid(file, "record length %d, but the fields need %d bytes", rlen, sum)
	}
	if end := hlen + nrec*rlen; end > int64(len(b)) {
		return nil, nil, invalid(file, "%d records of %d bytes need %d bytes, the file has %d (truncated?)", nrec, rlen, end, len(b))
	}
	deleted := make([]bool, nrec)
	for k := int64(0); k < nrec; k++ {
		f := b[hlen+k*rlen]
		if f != ' ' && f != '*' {
			return nil, nil, invalid(file, "record %d: invalid deletion flag 0x%02x", k, f)
		}
		deleted[k] = f == '*'
	}
	out := make([]byte, 0, term+1+nrec*rlen)
	out = append(out, b[:term+1]...)
	binary.LittleEndian.PutUint16(out[8:10], uint16(term+1))
	out = append(out, b[hlen:hlen+nrec*rlen]...)
	return out, deleted, nil
}

// cleanDbfString trims padding and NULs and makes the text valid UTF-8
// (bytes that are not UTF-8 are read as Latin-1).
func cleanDbfString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	s := strings.TrimSpace(string(b))
	if utf8.ValidString(s) {
		return s
	}
	r := make([]rune, 0, len(s))
	for i := 0; i < len(s); i++ {
		r = append(r, rune(s[i]))
	}
	return string(r)
}

// shpPolygon turns shapefile rings (outer clockwise, holes counter-
// clockwise) into a normalised MultiPolygon: each hole goes to the smallest
// outer ring containing it; a hole inside no outer ring becomes an outer
// ring.
func shpPolygon(p *shp.Polygon) (orb.MultiPolygon, error) {
	var rings []orb.Ring
	for k := range p.Parts {
		start, end := int(p.Parts[k]), len(p.Points)
		if k+1 < len(p.Parts) {
			end = int(p.Parts[k+1])
		}
		ring := make(orb.Ring, 0, end-start)
		for _, q := range p.Points[start:end] {
			ring = append(ring, orb.Point{q.X, q.Y})
		}
		r, err := cleanRing(ring, true, k)
		if err != nil {
			return nil, err
		}
		if r != nil {
			rings = append(rings, r)
		}
	}
	var outers, holes []orb.Ring
	for _, r := range rings {
		if r.Orientation() == orb.CW { // a shapefile outer ring
			outers = append(outers, r)
		} else {
			holes = append(holes, r)
		}
	}
	mp := make(orb.MultiPolygon, len(outers))
	for i, o := range outers {
		mp[i] = orb.Polygon{o}
	}
	for _, h := range holes {
		best, bestArea := -1, math.Inf(1)
		hb := h.Bound()
		for i, o := range outers {
			a := planar.Area(o)
			if a < bestArea && o.Bound().Contains(hb.Min) && o.Bound().Contains(hb.Max) && planar.RingContains(o, h[0]) {
				best, bestArea = i, a
			}
		}
		if best < 0 {
			mp = append(mp, orb.Polygon{h})
			continue
		}
		mp[best] = append(mp[best], h)
	}
	for _, poly := range mp {
		geojsonio.OrientPolygon(poly)
	}
	if len(mp) == 0 {
		return nil, errors.New("geometry has no area")
	}
	return mp, nil
}
