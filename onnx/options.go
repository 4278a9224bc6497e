package onnx

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// DefaultOpset is the ONNX opset Export targets unless WithOpset says otherwise.
const DefaultOpset = 17

// MinOpset is the oldest opset the converters support.
const MinOpset = 13

// Option sets an optional property of Export and Save.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	opset    int
	inNames  []string
	outNames []string
	extra    map[string]Converter
	floatDT  tensor.Dtype
}

func newConfig(opts []Option) (config, error) {
	c := config{opset: DefaultOpset}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.floatDT.Type != nil && c.floatDT != tensor.Float32 && c.floatDT != tensor.Float64 {
		return c, errors.Errorf("onnx: float type %v is not Float32 or Float64", c.floatDT)
	}
	if c.opset < MinOpset || c.opset > DefaultOpset {
		return c, errors.Errorf("onnx: opset %d is not supported (valid: %d to %d)", c.opset, MinOpset, DefaultOpset)
	}
	return c, nil
}

// WithOpset sets the ONNX opset of the default domain (default 17, DefaultOpset;
// valid 13 to 17).
func WithOpset(n int) Option { return optionFunc(func(c *config) { c.opset = n }) }

// WithInputNames names the graph inputs, one per model input in order (default:
// the names of the model's Input layers).
func WithInputNames(names ...string) Option {
	return optionFunc(func(c *config) { c.inNames = append([]string(nil), names...) })
}

// WithOutputNames names the graph outputs, one per model output in order (default:
// the model's output names, as Model.Outputs gives them).
func WithOutputNames(names ...string) Option {
	return optionFunc(func(c *config) { c.outNames = append([]string(nil), names...) })
}

// WithConverter exports layers of the given type (layers.Layer.Type(), e.g. a
// custom layer's) with conv, in place of the built-in converter if there is one
// (default: the built-in converters only). Several may be given.
func WithConverter(layerType string, conv Converter) Option {
	return optionFunc(func(c *config) {
		if c.extra == nil {
			c.extra = map[string]Converter{}
		}
		c.extra[layerType] = conv
	})
}

// WithFloatType writes every float value (inputs, outputs, weights, constants) as
// dt, tensor.Float32 or tensor.Float64 (default: the model's float type). A
// float64 model exported as Float32 runs on ONNX Runtime's CPU kernels, which have
// no double Conv, AveragePool or Erf.
func WithFloatType(dt tensor.Dtype) Option { return optionFunc(func(c *config) { c.floatDT = dt }) }
