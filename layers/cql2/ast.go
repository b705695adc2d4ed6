package cql2

import (
	"time"

	"github.com/paulmach/orb"
)

// Expr is a boolean CQL2 expression: And, Or, Not, Comparison, Like,
// Between, In, IsNull, Spatial or Bool.
type Expr interface{ isExpr() }

// Operand is a value in a predicate: Property, String, Number, Bool,
// Date, Timestamp, Geometry or BBox.
type Operand interface{ isOperand() }

// And is true when all its arguments (two or more) are true.
type And struct{ Args []Expr }

// Or is true when one of its arguments (two or more) is true.
type Or struct{ Args []Expr }

// Not negates its argument.
type Not struct{ Arg Expr }

// CompOp is a binary comparison operator: =, <>, <, >, <= or >=.
type CompOp string

// The comparison operators.
const (
	Eq CompOp = "="
	Ne CompOp = "<>"
	Lt CompOp = "<"
	Gt CompOp = ">"
	Le CompOp = "<="
	Ge CompOp = ">="
)

// Comparison compares two scalar operands.
type Comparison struct {
	Op          CompOp
	Left, Right Operand
}

// Like matches text against a pattern where % stands for any text and _
// for one character; a backslash escapes them. CaseInsensitive is the
// ILIKE extension.
type Like struct {
	Value, Pattern  Operand
	Not             bool
	CaseInsensitive bool
}

// Between is true when Low <= Value <= High.
type Between struct {
	Value, Low, High Operand
	Not              bool
}

// In is true when Value equals one of List.
type In struct {
	Value Operand
	List  []Operand
	Not   bool
}

// IsNull is true when Value is missing or null.
type IsNull struct {
	Value Operand
	Not   bool
}

// Spatial is a spatial function; Basic Spatial Functions has only
// S_INTERSECTS.
type Spatial struct {
	Op   string // "S_INTERSECTS"
	A, B Operand
}

// Property names a property of the features (a queryable).
type Property struct{ Name string }

// String is a text literal.
type String string

// Number is a numeric literal.
type Number float64

// Bool is a boolean literal; as an Expr it is TRUE or FALSE.
type Bool bool

// Date is a calendar day, DATE('2025-10-12'); it stands for the start of
// the day (UTC) when compared.
type Date struct{ Time time.Time }

// Timestamp is an instant, TIMESTAMP('2025-10-12T06:00:00Z').
type Timestamp struct{ Time time.Time }

// Geometry is a geometry literal in CRS84: orb.Point, orb.LineString,
// orb.Polygon, orb.MultiPoint, orb.MultiLineString or orb.MultiPolygon.
type Geometry struct{ Geometry orb.Geometry }

// BBox is a bounding box literal, BBOX(west, south, east, north).
type BBox struct{ Bound orb.Bound }

func (And) isExpr()        {}
func (Or) isExpr()         {}
func (Not) isExpr()        {}
func (Comparison) isExpr() {}
func (Like) isExpr()       {}
func (Between) isExpr()    {}
func (In) isExpr()         {}
func (IsNull) isExpr()     {}
func (Spatial) isExpr()    {}
func (Bool) isExpr()       {}

func (Property) isOperand()  {}
func (String) isOperand()    {}
func (Number) isOperand()    {}
func (Bool) isOperand()      {}
func (Date) isOperand()      {}
func (Timestamp) isOperand() {}
func (Geometry) isOperand()  {}
func (BBox) isOperand()      {}
