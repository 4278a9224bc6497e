package graph

import (
	"math"
	"sort"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
)

// ActivationFunc adds an activation to a graph. Element-wise activations keep the
// shape; softmax acts on the last axis.
type ActivationFunc func(x *G.Node) (*G.Node, error)

// SELU constants (Klambauer et al. 2017), as in Keras.
const (
	seluAlpha = 1.6732632423543772848170429916717
	seluScale = 1.0507009873554804934193349852946
)

// LeakyReLUAlpha is the negative slope of the "leaky_relu" activation by name
// (tf.nn.leaky_relu's default). Use LeakyReLU for another slope.
const LeakyReLUAlpha = 0.2

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func step(x float64) float64 {
	if x > 0 {
		return 1
	}
	return 0
}

var (
	reluFn = elemFunc{"relu", func(x float64) float64 { return math.Max(x, 0) }, step}
	eluFn  = elemFunc{"elu", func(x float64) float64 {
		if x > 0 {
			return x
		}
		return math.Expm1(x)
	}, func(x float64) float64 {
		if x > 0 {
			return 1
		}
		return math.Exp(x)
	}}
	seluFn = elemFunc{"selu", func(x float64) float64 {
		if x > 0 {
			return seluScale * x
		}
		return seluScale * seluAlpha * math.Expm1(x)
	}, func(x float64) float64 {
		if x > 0 {
			return seluScale
		}
		return seluScale * seluAlpha * math.Exp(x)
	}}
	geluFn = elemFunc{"gelu", func(x float64) float64 {
		return 0.5 * x * (1 + math.Erf(x/math.Sqrt2))
	}, func(x float64) float64 {
		return 0.5*(1+math.Erf(x/math.Sqrt2)) + x*math.Exp(-0.5*x*x)/math.Sqrt(2*math.Pi)
	}}
	sigmoidFn = elemFunc{"sigmoid", sigmoid, func(x float64) float64 {
		s := sigmoid(x)
		return s * (1 - s)
	}}
	hardSigmoidFn = elemFunc{"hard_sigmoid", func(x float64) float64 {
		return math.Min(1, math.Max(0, 0.2*x+0.5))
	}, func(x float64) float64 {
		if x > -2.5 && x < 2.5 {
			return 0.2
		}
		return 0
	}}
	tanhFn = elemFunc{"tanh", math.Tanh, func(x float64) float64 {
		t := math.Tanh(x)
		return 1 - t*t
	}}
	softplusFn = elemFunc{"softplus", softplus, sigmoid}
	softsignFn = elemFunc{"softsign", func(x float64) float64 { return x / (1 + math.Abs(x)) }, func(x float64) float64 {
		d := 1 + math.Abs(x)
		return 1 / (d * d)
	}}
	swishFn = elemFunc{"swish", func(x float64) float64 { return x * sigmoid(x) }, func(x float64) float64 {
		s := sigmoid(x)
		return s + x*s*(1-s)
	}}
	expFn = elemFunc{"exponential", math.Exp, math.Exp}
)

// softplus is log(1+exp(x)) computed without overflow.
func softplus(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

func leakyFn(alpha float64) elemFunc {
	return elemFunc{withParam("leaky_relu", alpha), func(x float64) float64 {
		if x > 0 {
			return x
		}
		return alpha * x
	}, func(x float64) float64 {
		if x > 0 {
			return 1
		}
		return alpha
	}}
}

func elem(fn elemFunc) ActivationFunc {
	return func(x *G.Node) (*G.Node, error) { return applyElem(fn, x) }
}

func identity(x *G.Node) (*G.Node, error) { return x, nil }

// activations maps every Keras activation name this package knows to its function.
// It is never written after package initialization.
var activations = map[string]ActivationFunc{
	"linear":       identity,
	"relu":         elem(reluFn),
	"leaky_relu":   elem(leakyFn(LeakyReLUAlpha)),
	"elu":          elem(eluFn),
	"selu":         elem(seluFn),
	"gelu":         elem(geluFn),
	"gelu_tanh":    elem(geluTanhFn),
	"sigmoid":      elem(sigmoidFn),
	"hard_sigmoid": elem(hardSigmoidFn),
	"tanh":         elem(tanhFn),
	"softmax":      Softmax,
	"softplus":     elem(softplusFn),
	"softsign":     elem(softsignFn),
	"swish":        elem(swishFn),
	"silu":         elem(swishFn),
	"exponential":  elem(expFn),
}

// Activation returns the activation of the given Keras name: linear (also ""),
// relu, leaky_relu (slope 0.2), elu (alpha 1), selu, gelu (exact, erf form),
// gelu_tanh (GELU's tanh approximation, PyTorch's approximate="tanh"), sigmoid,
// hard_sigmoid (clip(0.2x+0.5, 0, 1) as in Keras 2), tanh, softmax (last axis),
// softplus, softsign, swish, silu (same as swish), exponential. An unknown name is an
// error that lists the valid ones.
func Activation(name string) (ActivationFunc, error) {
	if name == "" {
		return identity, nil
	}
	f, ok := activations[name]
	if !ok {
		return nil, errors.Errorf("unknown activation %q (valid: %s)", name, strings.Join(ActivationNames(), ", "))
	}
	return f, nil
}

// ActivationNames lists the valid activation names, sorted.
func ActivationNames() []string {
	names := make([]string, 0, len(activations))
	for n := range activations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LeakyReLU is max(x, alpha*x) element-wise, for 0 <= alpha < 1.
func LeakyReLU(x *G.Node, alpha float64) (*G.Node, error) { return applyElem(leakyFn(alpha), x) }

// ReLU is max(x, 0) element-wise.
func ReLU(x *G.Node) (*G.Node, error) { return applyElem(reluFn, x) }

// Sigmoid is 1/(1+exp(-x)) element-wise, without overflow for large |x|.
func Sigmoid(x *G.Node) (*G.Node, error) { return applyElem(sigmoidFn, x) }

// Softplus is log(1+exp(x)) element-wise, without overflow for large x.
func Softplus(x *G.Node) (*G.Node, error) { return applyElem(softplusFn, x) }

// Tanh is the hyperbolic tangent element-wise.
func Tanh(x *G.Node) (*G.Node, error) { return applyElem(tanhFn, x) }
