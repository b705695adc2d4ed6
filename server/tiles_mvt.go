package server

import (
	"errors"
	"slices"
)

// errMVT reports a tile that is not a well-formed MVT protobuf message.
var errMVT = errors.New("server: malformed vector tile")

// selectLayers returns the layers of the encoded vector tile whose names
// are in names, in their order in the tile, as a new encoded tile: the
// bytes of the kept Layer messages are copied unchanged, so the result is
// exactly what encoding those layers alone would give. A tile left with
// no layer gives nil.
//
// A tile is a protobuf message whose field 3 (length-delimited) repeats
// the Layer messages; a Layer's field 1 is its name (MVT 2.1, 4.1).
func selectLayers(tile []byte, names []string) ([]byte, error) {
	var out []byte
	for i := 0; i < len(tile); {
		field, wire, value, end, err := nextField(tile, i)
		if err != nil {
			return nil, err
		}
		if field == 3 && wire == 2 {
			name, err := layerName(bytesField(tile, value))
			if err != nil {
				return nil, err
			}
			if slices.Contains(names, name) {
				out = append(out, tile[i:end]...)
			}
		}
		i = end
	}
	return out, nil
}

// layerName returns field 1 of a Layer message.
func layerName(layer []byte) (string, error) {
	for i := 0; i < len(layer); {
		field, wire, value, end, err := nextField(layer, i)
		if err != nil {
			return "", err
		}
		if field == 1 && wire == 2 {
			return string(bytesField(layer, value)), nil
		}
		i = end
	}
	return "", errMVT
}

// nextField reads the key of the protobuf field that starts at b[i] and
// returns the field's number, its wire type, the offset of its value and
// the offset just past the field. A truncated or malformed field is
// errMVT. The one walker of the tile's messages (Tile, Layer, Feature).
func nextField(b []byte, i int) (field, wire uint64, value, end int, err error) {
	key, n := uvarint(b[i:])
	if n <= 0 {
		return 0, 0, 0, 0, errMVT
	}
	value = i + n
	if end, err = skipField(b, value, key&7); err != nil {
		return 0, 0, 0, 0, err
	}
	return key >> 3, key & 7, value, end, nil
}

// bytesField returns the bytes of the length-delimited value at b[value]
// of a field that nextField has checked.
func bytesField(b []byte, value int) []byte {
	l, n := uvarint(b[value:])
	return b[value+n : value+n+int(l)]
}

// skipField returns the offset just past the value of a field of wire
// type wire starting at i in b.
func skipField(b []byte, i int, wire uint64) (int, error) {
	switch wire {
	case 0:
		_, n := uvarint(b[i:])
		if n <= 0 {
			return 0, errMVT
		}
		return i + n, nil
	case 1:
		i += 8
	case 2:
		l, n := uvarint(b[i:])
		if n <= 0 || l > uint64(len(b)-i-n) {
			return 0, errMVT
		}
		i += n + int(l)
	case 5:
		i += 4
	default:
		return 0, errMVT
	}
	if i > len(b) {
		return 0, errMVT
	}
	return i, nil
}

// uvarint decodes a protobuf varint; n <= 0 means malformed or truncated.
func uvarint(b []byte) (v uint64, n int) {
	var shift uint
	for i, c := range b {
		if i == 10 {
			return 0, -1
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, i + 1
		}
		shift += 7
	}
	return 0, 0
}

// dayLayers returns the encoded tile without the layers named in drop and
// with the layers named in keep reduced to the features whose id is in
// their set (a layer left with no feature is left out); other layers are
// copied unchanged, in their order.
func dayLayers(tile []byte, drop []string, keep map[string]map[uint64]bool) ([]byte, error) {
	out := make([]byte, 0, len(tile))
	for i := 0; i < len(tile); {
		field, wire, value, end, err := nextField(tile, i)
		if err != nil {
			return nil, err
		}
		if field != 3 || wire != 2 {
			i = end
			continue
		}
		layer := bytesField(tile, value)
		name, err := layerName(layer)
		if err != nil {
			return nil, err
		}
		ids, filtered := keep[name]
		switch {
		case slices.Contains(drop, name):
		case !filtered:
			out = append(out, tile[i:end]...)
		default:
			body, kept, err := filterFeatures(layer, ids)
			if err != nil {
				return nil, err
			}
			if kept > 0 {
				out = append(out, 3<<3|2) // field 3, length-delimited
				out = appendUvarint(out, uint64(len(body)))
				out = append(out, body...)
			}
		}
		i = end
	}
	return out, nil
}

// filterFeatures returns the Layer message layer with only the features
// (field 2) whose id (the feature's field 1) is in ids, and how many it
// kept. The keys and values stay as they are: a value no kept feature
// uses is harmless (MVT 2.1, 4.4 does not require every one to be used).
func filterFeatures(layer []byte, ids map[uint64]bool) ([]byte, int, error) {
	out := make([]byte, 0, len(layer))
	kept := 0
	for i := 0; i < len(layer); {
		field, wire, value, end, err := nextField(layer, i)
		if err != nil {
			return nil, 0, err
		}
		if field == 2 && wire == 2 {
			id, err := featureIDOf(bytesField(layer, value))
			if err != nil {
				return nil, 0, err
			}
			if !ids[id] {
				i = end
				continue
			}
			kept++
		}
		out = append(out, layer[i:end]...)
		i = end
	}
	return out, kept, nil
}

// featureIDOf returns field 1 of a Feature message, 0 when it has none.
func featureIDOf(f []byte) (uint64, error) {
	for i := 0; i < len(f); {
		field, wire, value, end, err := nextField(f, i)
		if err != nil {
			return 0, err
		}
		if field == 1 && wire == 0 {
			v, _ := uvarint(f[value:]) // checked by nextField
			return v, nil
		}
		i = end
	}
	return 0, nil
}

// appendUvarint appends v as a protobuf varint.
func appendUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}
