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
		start := i
		key, n := uvarint(tile[i:])
		if n <= 0 {
			return nil, errMVT
		}
		i += n
		field, wire := key>>3, key&7
		end, err := skipField(tile, i, wire)
		if err != nil {
			return nil, err
		}
		if field == 3 && wire == 2 {
			l, n := uvarint(tile[i:])
			name, err := layerName(tile[i+n : i+n+int(l)])
			if err != nil {
				return nil, err
			}
			if slices.Contains(names, name) {
				out = append(out, tile[start:end]...)
			}
		}
		i = end
	}
	return out, nil
}

// layerName returns field 1 of a Layer message.
func layerName(layer []byte) (string, error) {
	for i := 0; i < len(layer); {
		key, n := uvarint(layer[i:])
		if n <= 0 {
			return "", errMVT
		}
		i += n
		field, wire := key>>3, key&7
		end, err := skipField(layer, i, wire)
		if err != nil {
			return "", err
		}
		if field == 1 && wire == 2 {
			l, n := uvarint(layer[i:])
			return string(layer[i+n : i+n+int(l)]), nil
		}
		i = end
	}
	return "", errMVT
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
