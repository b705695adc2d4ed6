package geo

import (
	"errors"
	"fmt"

	"github.com/paulmach/orb"
)

var (
	// ErrInvalidCoordinate is matched (errors.Is) by every CoordError.
	ErrInvalidCoordinate = errors.New("geo: invalid coordinate")
	// ErrNotFound is returned when an id or name matches no feature.
	ErrNotFound = errors.New("geo: not found")
	// ErrUnknownLayer is returned for a layer name the atlas does not have.
	ErrUnknownLayer = errors.New("geo: unknown layer")
	// ErrOutOfRange is returned for a chainage outside the border's length
	// or a count that is not positive.
	ErrOutOfRange = errors.New("geo: out of range")
	// ErrInvalidData is matched by every DataError.
	ErrInvalidData = errors.New("geo: invalid data")
)

// CoordError describes a coordinate that cannot be used: NaN, infinite, or
// outside the WGS84 ranges.
type CoordError struct {
	Point  orb.Point
	Reason string
}

func (e *CoordError) Error() string {
	return fmt.Sprintf("geo: invalid coordinate (%v, %v): %s", e.Point[0], e.Point[1], e.Reason)
}

// Is makes errors.Is(err, ErrInvalidCoordinate) true.
func (e *CoordError) Is(target error) bool { return target == ErrInvalidCoordinate }

// DataError describes a layer file that cannot be loaded.
type DataError struct {
	File string // the file name within the fs.FS
	Err  error  // what is wrong
}

func (e *DataError) Error() string { return fmt.Sprintf("geo: %s: %v", e.File, e.Err) }

// Unwrap returns the underlying error.
func (e *DataError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidData) true.
func (e *DataError) Is(target error) bool { return target == ErrInvalidData }
