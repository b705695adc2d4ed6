package cql2_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/durandline/durand/layers/cql2"
)

type event struct {
	props map[string]any
	at    orb.Point
}

func (e event) Property(name string) any            { return e.props[name] }
func (e event) Geometry() (orb.Geometry, orb.Bound) { return e.at, e.at.Bound() }

func Example() {
	expr, err := cql2.ParseText("kind = 'airstrike' AND killed > 5 AND S_INTERSECTS(geometry, BBOX(68, 31, 72, 36))")
	if err != nil {
		fmt.Println(err)
		return
	}
	flt, err := cql2.Compile(expr, cql2.Queryables{"kind": cql2.TypeString, "killed": cql2.TypeNumber, "geometry": cql2.TypeGeometry})
	if err != nil {
		fmt.Println(err)
		return
	}
	kabul := event{map[string]any{"kind": "airstrike", "killed": 12.0}, orb.Point{69.17, 34.53}}
	doha := event{map[string]any{"kind": "talks"}, orb.Point{51.53, 25.29}}
	fmt.Println(flt.Match(kabul), flt.Match(doha))
	js, _ := cql2.JSON(expr)
	fmt.Println(string(js))

	_, err = cql2.ParseText("kind = 'airstrike' AND killed >")
	fmt.Println(err)
	// Output:
	// true false
	// {"op":"and","args":[{"op":"=","args":[{"property":"kind"},"airstrike"]},{"op":"\u003e","args":[{"property":"killed"},5]},{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[68,31,72,36]}]}]}
	// cql2: syntax error at position 32: expected a property or a value, found the end of the filter
}
