package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
)

// conv1DOptions holds the settings of the 1-D layers' options (see config).
type conv1DOptions struct {
	stride   int // Conv1D, MaxPooling1D, AveragePooling1D; zero: not given
	dilation int // Conv1D; zero: not given
}

// WithStride1D sets the stride of Conv1D (default 1), MaxPooling1D or
// AveragePooling1D (default: the pool size).
func WithStride1D(stride int) Option {
	return optionFunc(func(c *config) { c.conv1d.stride = stride; c.set["strides_1d"] = true })
}

// WithDilation1D sets a Conv1D kernel's dilation rate (default 1): taps are
// dilation steps apart.
func WithDilation1D(dilation int) Option {
	return optionFunc(func(c *config) { c.conv1d.dilation = dilation; c.set["dilation_1d"] = true })
}

// Config returns filters, kernel_size, strides, padding, dilation_rate,
// activation, use_bias, the initializer names and the kernel regularizer (sizes as
// Keras writes them: lists of one).
func (l *Conv1DLayer) Config() LayerConfig {
	return LayerConfig{"Conv1D", l.Name(), map[string]interface{}{
		"filters": l.filters, "kernel_size": []int{l.size}, "strides": []int{l.spec.Stride}, "padding": l.spec.Padding,
		"dilation_rate": []int{l.spec.Dilation}, "activation": orLinear(l.cfg.activation), "use_bias": l.cfg.useBias,
		"kernel_initializer": orCustom(l.cfg.kernelInitName), "bias_initializer": orCustom(l.cfg.biasInitName),
		"kernel_regularizer": map[string]float64{"l1": l.cfg.kernelRegularizer.L1, "l2": l.cfg.kernelRegularizer.L2},
		"data_format":        "channels_last",
	}}
}

// Config returns pool_size, strides and padding.
func (l *Pooling1DLayer) Config() LayerConfig {
	return LayerConfig{l.kind, l.Name(), map[string]interface{}{
		"pool_size": []int{l.spec.Size}, "strides": []int{l.spec.Stride}, "padding": l.spec.Padding, "data_format": "channels_last",
	}}
}

// Config returns the data format.
func (l *GlobalPooling1DLayer) Config() LayerConfig {
	return LayerConfig{l.kind, l.Name(), map[string]interface{}{"data_format": "channels_last"}}
}

// conv1DLayerClasses lists the classes conv1DLayer rebuilds: the 1-D convolution
// and pooling layers.
func conv1DLayerClasses() []string {
	return []string{"AveragePooling1D", "Conv1D", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "MaxPooling1D"}
}

// conv1DLayer rebuilds a 1-D convolution or pooling layer from its configuration,
// or returns nil, nil for another class.
func conv1DLayer(c LayerConfig) (Layer, error) {
	r := cfgReader{c: c}
	name := WithName(c.Name)
	single := func(key string) int {
		v := r.sizes(key, 1)
		if r.err == nil && len(v) != 1 {
			r.err = errors.Errorf("config %q: %v is not a list of one size", key, v)
		}
		if r.err != nil {
			return 0
		}
		return v[0]
	}
	var l Layer
	switch c.Class {
	case "Conv1D":
		ks, st, dl := single("kernel_size"), single("strides"), single("dilation_rate")
		opts := []Option{name, WithStride1D(st), WithDilation1D(dl),
			WithPadding(r.str("padding")), WithActivation(r.str("activation")), WithBias(r.boolean("use_bias"))}
		if k := r.str("kernel_initializer"); k != "custom" {
			opts = append(opts, WithKernelInitializerName(k))
		}
		var reg map[string]float64
		r.decode("kernel_regularizer", &reg)
		if reg["l1"] != 0 || reg["l2"] != 0 {
			opts = append(opts, WithKernelRegularizer(graph.Regularizer{L1: reg["l1"], L2: reg["l2"]}))
		}
		l = Conv1D(r.size("filters", 1), ks, opts...)
	case "MaxPooling1D", "AveragePooling1D":
		ps, st := single("pool_size"), single("strides")
		l = newPooling1D(c.Class, ps, []Option{name, WithStride1D(st), WithPadding(r.str("padding"))})
	case "GlobalAveragePooling1D", "GlobalMaxPooling1D":
		l = newGlobalPooling1D(c.Class, []Option{name})
	default:
		return nil, nil
	}
	if r.err != nil {
		return nil, errors.Wrapf(r.err, "layer %q (%s)", c.Name, c.Class)
	}
	return l, nil
}
