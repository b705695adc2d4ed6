package cql2

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every error of a filter that cannot be used.
var ErrInvalid = errors.New("cql2: invalid filter")

// Limits on input.
const (
	// MaxLength is the longest filter accepted, in bytes.
	MaxLength = 16 << 10
	// MaxDepth is the deepest nesting of expressions accepted.
	MaxDepth = 64
)

// SyntaxError is a filter that is not CQL2. In text, Pos is the byte
// offset (from 0) where the problem was found; in JSON, Path says where
// in the document (e.g. "args[1]") and Pos is the byte offset when the
// JSON itself is malformed, otherwise -1.
type SyntaxError struct {
	Pos  int
	Path string
	Msg  string
}

func (e *SyntaxError) Error() string {
	switch {
	case e.Path != "" && e.Pos >= 0:
		return fmt.Sprintf("cql2: syntax error at %s (offset %d): %s", e.Path, e.Pos, e.Msg)
	case e.Path != "":
		return fmt.Sprintf("cql2: syntax error at %s: %s", e.Path, e.Msg)
	}
	return fmt.Sprintf("cql2: syntax error at position %d: %s", e.Pos+1, e.Msg)
}

func (e *SyntaxError) Unwrap() error { return ErrInvalid }

// TypeError is a well-formed filter that cannot be evaluated on a
// collection: it names a property that is not queryable or compares
// values of different types.
type TypeError struct{ Msg string }

func (e *TypeError) Error() string { return "cql2: " + e.Msg }

func (e *TypeError) Unwrap() error { return ErrInvalid }
