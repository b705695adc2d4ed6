package cql2

// Classes are the CQL2 conformance classes this package implements, as
// an OGC API server lists them in its conformance declaration.
func Classes() []string {
	return []string{
		"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
		"http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
		"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
		"http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
		"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
	}
}
