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
// Values and gradients are computed in float64.
func GELU(x *G.Node, approximate bool) (*G.Node, error) {
	if approximate {
		return applyElem(geluTanhFn, x)
	}
	return applyElem(geluFn, x)
}
