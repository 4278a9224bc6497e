package graph

import (
	"math"

	G "gorgonia.org/gorgonia"
)

// geluTanhC is sqrt(2/pi), the constant of GELU's tanh approximation.
var geluTanhC = math.Sqrt(2 / math.Pi)

// geluTanhFn is GELU's tanh approximation (Hendrycks and Gimpel 2016; PyTorch's
// F.gelu(x, approximate="tanh"), Keras' gelu(approximate=True)):
// 0.5·x·(1 + tanh(sqrt(2/pi)·(x + 0.044715·x³))).
var geluTanhFn = elemFunc{"gelu_tanh", func(x float64) float64 {
	return 0.5 * x * (1 + math.Tanh(geluTanhC*(x+0.044715*x*x*x)))
}, func(x float64) float64 {
	t := math.Tanh(geluTanhC * (x + 0.044715*x*x*x))
	return 0.5*(1+t) + 0.5*x*(1-t*t)*geluTanhC*(1+3*0.044715*x*x)
}}

// GELU is the Gaussian error linear unit element-wise: x·Φ(x) with Φ the standard
// normal distribution function (the "gelu" activation, PyTorch's F.gelu), or with
// approximate its tanh form (the "gelu_tanh" activation, F.gelu(approximate="tanh")).
// Values and gradients are computed element by element in float64 arithmetic and
// rounded once (float32 data is never copied whole), split across cores when large.
func GELU(x *G.Node, approximate bool) (*G.Node, error) {
	if approximate {
		return applyElem(geluTanhFn, x)
	}
	return applyElem(geluFn, x)
}

// Float32 forms of GELU: the same functions in float64 arithmetic with exp32 in
// place of math.Exp and math.Erf's tail, accurate far inside float32 precision and
// used for float32 data only (float64 data keeps geluFn and geluTanhFn exactly).
func init() {
	elem32["gelu"] = elemFunc{"gelu", func(x float64) float64 { return x * phi32(x) },
		func(x float64) float64 { return phi32(x) + x*exp32(-0.5*x*x)*invSqrt2Pi }}
	elem32["gelu_tanh"] = elemFunc{"gelu_tanh", func(x float64) float64 {
		return 0.5 * x * (1 + tanh32(geluTanhC*(x+0.044715*x*x*x)))
	}, func(x float64) float64 {
		t := tanh32(geluTanhC * (x + 0.044715*x*x*x))
		return 0.5*(1+t) + 0.5*x*(1-t*t)*geluTanhC*(1+3*0.044715*x*x)
	}}
}

var invSqrt2Pi = 1 / math.Sqrt(2*math.Pi)

// tanh32 is tanh(u) as (1 - e^-2|u|)/(1 + e^-2|u|) with exp32.
func tanh32(u float64) float64 {
	if u != u {
		return u
	}
	e := exp32(-2 * math.Abs(u))
	t := (1 - e) / (1 + e)
	if u < 0 {
		return -t
	}
	return t
}

// phi32 is the standard normal distribution function Φ(x) = (1 + erf(x/√2))/2,
// with the rational approximations of math.Erf (FreeBSD's s_erf.c) inlined: erf's
// own for |x/√2| < 1.25, erfc's with one exp32 beyond.
func phi32(x float64) float64 {
	if x != x {
		return x
	}
	z := math.Abs(x) / math.Sqrt2
	if z < 1.25 {
		var e float64 // erf(z)
		if z < 0.84375 {
			zz := z * z
			r := 1.28379167095512558561e-01 + zz*(-3.25042107247001499370e-01+zz*(-2.84817495755985104766e-02+zz*(-5.77027029648944159157e-03+zz*-2.37630166566501626084e-05)))
			q := 1 + zz*(3.97917223959155352819e-01+zz*(6.50222499887672944485e-02+zz*(5.08130628187576562776e-03+zz*(1.32494738004321644526e-04+zz*-3.96022827877536812320e-06))))
			e = z + z*(r/q)
		} else {
			s := z - 1
			p := -2.36211856075265944077e-03 + s*(4.14856118683748331666e-01+s*(-3.72207876035701323847e-01+s*(3.18346619901161753674e-01+s*(-1.10894694282396677476e-01+s*(3.54783043256182359371e-02+s*-2.16637559486879084300e-03)))))
			q := 1 + s*(1.06420880400844228286e-01+s*(5.40397917702171048937e-01+s*(7.18286544141962662868e-02+s*(1.26171219808761642112e-01+s*(1.36370839120290507362e-02+s*1.19844998467991074170e-02)))))
			e = 8.45062911510467529297e-01 + p/q
		}
		if x > 0 {
			return 0.5 * (1 + e)
		}
		return 0.5 * (1 - e)
	}
	c := 0.0 // erfc(z)
	if z < 28 {
		s := 1 / (z * z)
		var r, q float64
		if z < 1/0.35 {
			r = -9.86494403484714822705e-03 + s*(-6.93858572707181764372e-01+s*(-1.05586262253232909814e+01+s*(-6.23753324503260060396e+01+s*(-1.62396669462573470355e+02+s*(-1.84605092906711035994e+02+s*(-8.12874355063065934246e+01+s*-9.81432934416914548592e+00))))))
			q = 1 + s*(1.96512716674392571292e+01+s*(1.37657754143519042600e+02+s*(4.34565877475229228821e+02+s*(6.45387271733267880336e+02+s*(4.29008140027567833386e+02+s*(1.08635005541779435134e+02+s*(6.57024977031928170135e+00+s*-6.04244152148580987438e-02)))))))
		} else {
			r = -9.86494292470009928597e-03 + s*(-7.99283237680523006574e-01+s*(-1.77579549177547519889e+01+s*(-1.60636384855821916062e+02+s*(-6.37566443368389627722e+02+s*(-1.02509513161107724954e+03+s*-4.83519191608651397019e+02)))))
			q = 1 + s*(3.03380607434824582924e+01+s*(3.25792512996573918826e+02+s*(1.53672958608443695994e+03+s*(3.19985821950859553908e+03+s*(2.55305040643316442583e+03+s*(4.74528541206955367215e+02+s*-2.24409524465858183362e+01))))))
		}
		c = exp32(-z*z-0.5625+r/q) / z
	}
	if x > 0 {
		return 1 - 0.5*c
	}
	return 0.5 * c
}
