package tiles

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of these, so
// callers can test them with errors.Is.
var (
	// ErrEmpty is returned by Tileset.Tile for a valid tile address that
	// holds no features (no layer has anything inside the tile and its
	// buffer). Servers typically answer it with 204 No Content.
	ErrEmpty = errors.New("tiles: empty tile")

	// ErrTileAddress is returned for a tile address outside the tileset:
	// zoom above Options.MaxZoom, or x or y not below 2^z.
	ErrTileAddress = errors.New("tiles: tile address out of range")

	// ErrOptions reports an invalid Options value.
	ErrOptions = errors.New("tiles: invalid options")

	// ErrLayer reports an invalid Layer (empty or duplicate name, bad zoom
	// range, features of mixed geometry kinds).
	ErrLayer = errors.New("tiles: invalid layer")

	// ErrGeometry reports an unsupported or malformed feature geometry (nil,
	// geometry collection, non-finite or out-of-range coordinates).
	ErrGeometry = errors.New("tiles: invalid geometry")

	// ErrProperty reports a property value whose type cannot be encoded.
	ErrProperty = errors.New("tiles: invalid property")
)

// FeatureError locates an input error at one feature of one layer.
type FeatureError struct {
	Layer string // layer name
	Index int    // index of the feature in Layer.Features
	Err   error  // wraps ErrGeometry or ErrProperty
}

func (e *FeatureError) Error() string {
	return fmt.Sprintf("layer %q feature %d: %v", e.Layer, e.Index, e.Err)
}

func (e *FeatureError) Unwrap() error { return e.Err }
