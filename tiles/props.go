package tiles

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
)

// MVT value kinds: the field numbers of Tile.Value in vector_tile.proto.
const (
	valString = 1
	valFloat  = 2
	valDouble = 3
	valUint   = 5
	valSint   = 6
	valBool   = 7
)

// value is one encodable property value. It is comparable, so a tile's
// value table deduplicates values by type and content (an int 1 and a
// float64 1 stay distinct, as the spec asks).
type value struct {
	kind uint8
	s    string
	bits uint64 // float bits, uint, int64 as uint64 or bool
}

// tag is one key/value pair of a feature.
type tag struct {
	key string
	val value
}

// Field types reported by Layer metadata (TileJSON vector_layers style).
const (
	FieldString  = "String"
	FieldNumber  = "Number"
	FieldBoolean = "Boolean"
)

// encodeProperties converts a property map to tags sorted by key. nil values
// are omitted. Go types map to MVT value types as follows:
//
//	string                          string_value
//	bool                            bool_value
//	int, int8, int16, int32, int64  sint_value (zigzag)
//	uint, uint8 ... uint64          uint_value
//	float32                         float_value
//	float64                         double_value
//	[]string, []any, map[string]any JSON text in string_value
//
// Any other type is an ErrProperty error.
func encodeProperties(props map[string]any) ([]tag, error) {
	tags := make([]tag, 0, len(props))
	for k, v := range props {
		if k == "" {
			return nil, fmt.Errorf("%w: empty key", ErrProperty)
		}
		if v == nil {
			continue
		}
		val, err := toValue(v)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %v", ErrProperty, k, err)
		}
		tags = append(tags, tag{key: k, val: val})
	}
	slices.SortFunc(tags, func(a, b tag) int { return strings.Compare(a.key, b.key) })
	return tags, nil
}

func toValue(v any) (value, error) {
	switch v := v.(type) {
	case string:
		return value{kind: valString, s: v}, nil
	case bool:
		var b uint64
		if v {
			b = 1
		}
		return value{kind: valBool, bits: b}, nil
	case int:
		return value{kind: valSint, bits: uint64(int64(v))}, nil
	case int8:
		return value{kind: valSint, bits: uint64(int64(v))}, nil
	case int16:
		return value{kind: valSint, bits: uint64(int64(v))}, nil
	case int32:
		return value{kind: valSint, bits: uint64(int64(v))}, nil
	case int64:
		return value{kind: valSint, bits: uint64(v)}, nil
	case uint:
		return value{kind: valUint, bits: uint64(v)}, nil
	case uint8:
		return value{kind: valUint, bits: uint64(v)}, nil
	case uint16:
		return value{kind: valUint, bits: uint64(v)}, nil
	case uint32:
		return value{kind: valUint, bits: uint64(v)}, nil
	case uint64:
		return value{kind: valUint, bits: v}, nil
	case float32:
		return value{kind: valFloat, bits: uint64(math.Float32bits(v))}, nil
	case float64:
		return value{kind: valDouble, bits: math.Float64bits(v)}, nil
	}
	switch reflect.TypeOf(v).Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		b, err := json.Marshal(v)
		if err != nil {
			return value{}, err
		}
		return value{kind: valString, s: string(b)}, nil
	}
	return value{}, fmt.Errorf("unsupported type %T", v)
}

// fieldType is the TileJSON type name of a value kind.
func fieldType(kind uint8) string {
	switch kind {
	case valString:
		return FieldString
	case valBool:
		return FieldBoolean
	default:
		return FieldNumber
	}
}
