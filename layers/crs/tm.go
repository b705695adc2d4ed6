package crs

import "math"

// transverseMercator is the Transverse Mercator projection of an
// ellipsoid by Krüger's series in the third flattening n, to n^6.
type transverseMercator struct {
	k0, falseE, falseN float64
	e                  float64    // eccentricity
	a1                 float64    // rectifying radius A = a/(1+n)(1 + n²/4 + n⁴/64 + n⁶/256)
	alpha, beta        [7]float64 // series coefficients, [1..6]
}

// WGS 84.
const (
	wgs84A = 6378137.0
	wgs84F = 1 / 298.257223563
)

// utm is UTM (north) on WGS 84: scale 0.9996 on the central meridian,
// false easting 500 km.
var utm = newTM(wgs84A, wgs84F, 0.9996, 500000, 0)

func newTM(a, f, k0, fe, fn float64) transverseMercator {
	n := f / (2 - f)
	n2 := n * n
	n3, n4, n5, n6 := n2*n, n2*n2, n2*n2*n, n2*n2*n2
	tm := transverseMercator{k0: k0, falseE: fe, falseN: fn, e: math.Sqrt(f * (2 - f))}
	tm.a1 = a / (1 + n) * (1 + n2/4 + n4/64 + n6/256)
	tm.alpha = [7]float64{0,
		n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800,
		13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360,
		61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440,
		49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600,
		34729*n5/80640 - 3418889*n6/1995840,
		212378941 * n6 / 319334400,
	}
	tm.beta = [7]float64{0,
		n/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800,
		n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720,
		17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720,
		4397*n4/161280 - 11*n5/504 - 830251*n6/7257600,
		4583*n5/161280 - 108847*n6/3991680,
		20648693 * n6 / 638668800,
	}
	return tm
}

const deg = math.Pi / 180

// forward projects (dlon from the central meridian, lat) in degrees to
// easting and northing in metres.
func (tm transverseMercator) forward(dlon, lat float64) (float64, float64) {
	phi, lam := lat*deg, dlon*deg
	// Conformal latitude as τ' = tan χ.
	s := math.Sin(phi)
	t := math.Sinh(math.Atanh(s) - tm.e*math.Atanh(tm.e*s))
	xi1 := math.Atan2(t, math.Cos(lam))
	eta1 := math.Atanh(math.Sin(lam) / math.Sqrt(1+t*t))
	xi, eta := xi1, eta1
	for j := 1; j <= 6; j++ {
		fj := float64(2 * j)
		xi += tm.alpha[j] * math.Sin(fj*xi1) * math.Cosh(fj*eta1)
		eta += tm.alpha[j] * math.Cos(fj*xi1) * math.Sinh(fj*eta1)
	}
	return tm.falseE + tm.k0*tm.a1*eta, tm.falseN + tm.k0*tm.a1*xi
}

// inverse returns (dlon from the central meridian, lat) in degrees of an
// easting and northing.
func (tm transverseMercator) inverse(e, n float64) (float64, float64) {
	xi := (n - tm.falseN) / (tm.k0 * tm.a1)
	eta := (e - tm.falseE) / (tm.k0 * tm.a1)
	xi1, eta1 := xi, eta
	for j := 1; j <= 6; j++ {
		fj := float64(2 * j)
		xi1 -= tm.beta[j] * math.Sin(fj*xi) * math.Cosh(fj*eta)
		eta1 -= tm.beta[j] * math.Cos(fj*xi) * math.Sinh(fj*eta)
	}
	sh := math.Sinh(eta1)
	c := math.Cos(xi1)
	tau1 := math.Sin(xi1) / math.Sqrt(sh*sh+c*c) // tan of the conformal latitude
	lam := math.Atan2(sh, c)
	// Solve tan φ from τ' by Newton's method (Karney 2011, eqs. 7-9).
	tau := tau1
	for i := 0; i < 8; i++ {
		sig := math.Sinh(tm.e * math.Atanh(tm.e*tau/math.Sqrt(1+tau*tau)))
		tp := tau*math.Sqrt(1+sig*sig) - sig*math.Sqrt(1+tau*tau)
		d := (tau1 - tp) / math.Sqrt(1+tp*tp) * (1 + (1-tm.e*tm.e)*tau*tau) / ((1 - tm.e*tm.e) * math.Sqrt(1+tau*tau))
		tau += d
		if math.Abs(d) < 1e-14 {
			break
		}
	}
	return lam / deg, math.Atan(tau) / deg
}
