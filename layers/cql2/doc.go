// Package cql2 parses and evaluates filters written in OGC Common Query
// Language (CQL2, OGC 21-065r2) as OGC API – Features Part 3 servers take
// them in the filter parameter.
//
// Both encodings are read: CQL2 text (ParseText) and CQL2 JSON
// (ParseJSON). Either gives an Expr, which Text and JSON write back (a
// parsed filter written and parsed again is the same filter). The
// conformance classes covered are those in Classes: Basic CQL2
// (comparisons, AND, OR, NOT, IS NULL, booleans), Advanced Comparison
// Operators (LIKE, BETWEEN, IN) and Basic Spatial Functions
// (S_INTERSECTS between the feature's geometry and a point, line,
// polygon, their multi forms or a BBOX), with temporal values
// (DATE('2025-10-12'), TIMESTAMP('2025-10-12T06:00:00Z')) compared like
// numbers. Geometries are in CRS84: longitude, latitude in degrees.
//
// Two extensions serve GDAL 3.6, whose OGC API client writes its draft
// dialect ("cql-text"): ILIKE (LIKE ignoring case) and a text literal
// compared with a date or timestamp property is read as a date.
//
// Compile checks an expression against the queryables of a collection
// (their names and types) and returns a Filter, which tells whether a
// feature matches. Evaluation follows SQL's three-valued logic: a
// comparison with a missing or null value is unknown, NOT of unknown is
// unknown, and only features for which the filter is true match.
//
// Errors: a syntax error is a *SyntaxError giving the byte offset of the
// problem (Pos, 0-based) in the filter text, or the JSON path in a CQL2
// JSON document; an expression that names a property that is not
// queryable, or compares values of different types, is a *TypeError.
// Both wrap ErrInvalid. Input is bounded: MaxDepth nesting levels and
// MaxLength bytes.
package cql2
