package onnx

import (
	"math"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
)

// activation writes gokeras' activation name applied to x (see graph.Activation
// for the definitions matched here) and returns the result.
func activation(c *Context, name, x string) (string, error) {
	switch name {
	case "", "linear":
		return x, nil
	case "relu":
		return c.Op("Relu", []string{x}), nil
	case "sigmoid":
		return c.Op("Sigmoid", []string{x}), nil
	case "tanh":
		return c.Op("Tanh", []string{x}), nil
	case "softmax":
		return c.Op("Softmax", []string{x}, AttrInt("axis", -1)), nil
	case "elu":
		return c.Op("Elu", []string{x}, AttrFloat("alpha", 1)), nil
	case "selu":
		// ONNX's defaults are Keras' constants rounded to float32; write them.
		return c.Op("Selu", []string{x}, AttrFloat("alpha", 1.6732632423543772), AttrFloat("gamma", 1.0507009873554805)), nil
	case "softplus":
		return c.Op("Softplus", []string{x}), nil
	case "softsign":
		return c.Op("Softsign", []string{x}), nil
	case "swish", "silu":
		return c.Op("Mul", []string{x, c.Op("Sigmoid", []string{x})}), nil
	case "hard_sigmoid":
		// Keras 2: clip(0.2x + 0.5, 0, 1), ONNX HardSigmoid's alpha/beta.
		return c.Op("HardSigmoid", []string{x}, AttrFloat("alpha", 0.2), AttrFloat("beta", 0.5)), nil
	case "exponential":
		return c.Op("Exp", []string{x}), nil
	case "gelu":
		// 0.5·x·(1 + erf(x/√2)), the exact form gokeras computes.
		e := c.Op("Erf", []string{c.Op("Div", []string{x, c.Scalar("sqrt2", math.Sqrt2)})})
		h := c.Op("Add", []string{e, c.Scalar("one", 1)})
		return c.Op("Mul", []string{c.Op("Mul", []string{x, h}), c.Scalar("half", 0.5)}), nil
	case "gelu_tanh":
		// 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))).
		x3 := c.Op("Mul", []string{c.Op("Mul", []string{x, x}), x})
		in := c.Op("Add", []string{x, c.Op("Mul", []string{x3, c.Scalar("c", 0.044715)})})
		t := c.Op("Tanh", []string{c.Op("Mul", []string{in, c.Scalar("sqrt_2_pi", math.Sqrt(2/math.Pi))})})
		h := c.Op("Add", []string{t, c.Scalar("one", 1)})
		return c.Op("Mul", []string{c.Op("Mul", []string{x, h}), c.Scalar("half", 0.5)}), nil
	}
	if alpha, ok := leakyAlpha(name); ok {
		return c.Op("LeakyRelu", []string{x}, AttrFloat("alpha", alpha)), nil
	}
	return "", errors.Errorf("activation %q has no ONNX form", name)
}

// leakyAlpha reads "leaky_relu" (slope graph.LeakyReLUAlpha) or a parameterized
// "leaky_relu(0.1)" / "leaky_relu:0.1" name.
func leakyAlpha(name string) (float64, bool) {
	if name == "leaky_relu" {
		return graph.LeakyReLUAlpha, true
	}
	if !strings.HasPrefix(name, "leaky_relu") {
		return 0, false
	}
	rest := strings.Trim(strings.TrimPrefix(name, "leaky_relu"), "():=_ ")
	v, err := strconv.ParseFloat(rest, 64)
	return v, err == nil
}

// convActivation is the Activation layer.
func convActivation(c *Context) ([]string, error) {
	y, err := c.Activation(c.StringConfig("activation"), c.Inputs()[0])
	if err != nil {
		return nil, err
	}
	if y == c.Inputs()[0] {
		y = c.Op("Identity", []string{y})
	}
	return []string{y}, nil
}
