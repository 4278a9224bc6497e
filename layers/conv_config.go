package layers

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
)

// Config returns filters, kernel_size, strides, padding, dilation_rate,
// activation, use_bias, the initializer names and the kernel regularizer.
func (l *Conv2DLayer) Config() LayerConfig {
	return LayerConfig{"Conv2D", l.Name(), map[string]interface{}{
		"filters": l.filters, "kernel_size": l.size[:], "strides": l.spec.Strides[:], "padding": l.spec.Padding,
		"dilation_rate": l.spec.Dilation[:], "activation": orLinear(l.cfg.activation), "use_bias": l.cfg.useBias,
		"kernel_initializer": orCustom(l.cfg.kernelInitName), "bias_initializer": orCustom(l.cfg.biasInitName),
		"kernel_regularizer": map[string]float64{"l1": l.cfg.kernelRegularizer.L1, "l2": l.cfg.kernelRegularizer.L2},
		"data_format":        "channels_last",
	}}
}

// Config returns pool_size, strides and padding.
func (l *PoolingLayer) Config() LayerConfig {
	return LayerConfig{l.kind, l.Name(), map[string]interface{}{
		"pool_size": l.spec.Size[:], "strides": l.spec.Strides[:], "padding": l.spec.Padding, "data_format": "channels_last",
	}}
}

// Config returns the data format.
func (l *GlobalPoolingLayer) Config() LayerConfig {
	return LayerConfig{l.kind, l.Name(), map[string]interface{}{"data_format": "channels_last"}}
}

// Config returns the padding as Keras writes it: ((top, bottom), (left, right)).
func (l *ZeroPaddingLayer) Config() LayerConfig {
	return LayerConfig{"ZeroPadding2D", l.Name(), map[string]interface{}{
		"padding": [][]int{{l.pad[0], l.pad[1]}, {l.pad[2], l.pad[3]}}, "data_format": "channels_last",
	}}
}

// Config returns momentum, epsilon and the axis (always -1).
func (l *BatchNormLayer) Config() LayerConfig {
	return LayerConfig{"BatchNormalization", l.Name(), map[string]interface{}{
		"momentum": l.spec.Momentum, "epsilon": l.spec.Epsilon, "axis": -1,
	}}
}

// Config returns the branch's and the shortcut's layer configurations and the
// activation. A sub-layer that is not Configurable is written with its class and
// no settings, so that loading names it.
func (l *ResidualLayer) Config() LayerConfig {
	sub := func(ls []Layer) []LayerConfig {
		out := make([]LayerConfig, len(ls))
		for i, s := range ls {
			if c, ok := s.(Configurable); ok {
				out[i] = c.Config()
			} else {
				out[i] = LayerConfig{Class: s.Type(), Name: s.Name()}
			}
		}
		return out
	}
	return LayerConfig{"Residual", l.Name(), map[string]interface{}{
		"branch": sub(l.branch), "shortcut": sub(l.shortcut), "activation": orLinear(l.activation),
	}}
}

// convLayerClasses lists the classes convLayer rebuilds.
func convLayerClasses() []string {
	return []string{"AveragePooling2D", "BatchNormalization", "Conv2D", "GlobalAveragePooling2D",
		"GlobalMaxPooling2D", "MaxPooling2D", "Residual", "ZeroPadding2D"}
}

// convLayer rebuilds a layer of this file family from its configuration, or
// returns nil, nil for another class. Residual sub-layers are rebuilt with
// builtinLayer and convLayer.
func convLayer(c LayerConfig) (Layer, error) {
	r := cfgReader{c: c}
	name := WithName(c.Name)
	pairOf := func(key string) [2]int {
		v := r.sizes(key, 1)
		if r.err == nil && len(v) != 2 {
			r.err = errors.Errorf("config %q: %v is not a pair", key, v)
		}
		if r.err != nil {
			return [2]int{}
		}
		return [2]int{v[0], v[1]}
	}
	var l Layer
	switch c.Class {
	case "Conv2D":
		ks, st, dl := pairOf("kernel_size"), pairOf("strides"), pairOf("dilation_rate")
		opts := []Option{name, WithKernelSize(ks[0], ks[1]), WithStrides(st[0], st[1]), WithDilation(dl[0], dl[1]),
			WithPadding(r.str("padding")), WithActivation(r.str("activation")), WithBias(r.boolean("use_bias"))}
		if k := r.str("kernel_initializer"); k != "custom" {
			opts = append(opts, WithKernelInitializerName(k))
		}
		var reg map[string]float64
		r.decode("kernel_regularizer", &reg)
		if reg["l1"] != 0 || reg["l2"] != 0 {
			opts = append(opts, WithKernelRegularizer(graph.Regularizer{L1: reg["l1"], L2: reg["l2"]}))
		}
		l = Conv2D(r.size("filters", 1), ks[0], opts...)
	case "MaxPooling2D", "AveragePooling2D":
		ps, st := pairOf("pool_size"), pairOf("strides")
		l = newPooling(c.Class, ps[0], []Option{name, WithPoolSize(ps[0], ps[1]), WithStrides(st[0], st[1]), WithPadding(r.str("padding"))})
	case "GlobalAveragePooling2D", "GlobalMaxPooling2D":
		l = newGlobalPooling(c.Class, []Option{name})
	case "ZeroPadding2D":
		var p [][]int
		r.decode("padding", &p)
		if r.err == nil && (len(p) != 2 || len(p[0]) != 2 || len(p[1]) != 2) {
			r.err = errors.Errorf("config \"padding\": %v is not ((top, bottom), (left, right))", p)
		}
		for _, side := range p {
			for _, d := range side {
				if r.err == nil && (d < 0 || d > maxConfigInt) {
					r.err = errors.Errorf("config \"padding\": %v has %d, not in [0, %d]", p, d, maxConfigInt)
				}
			}
		}
		if r.err == nil {
			l = ZeroPadding2D(p[0][0], p[0][1], p[1][0], p[1][1], name)
		}
	case "BatchNormalization":
		l = BatchNormalization(name, WithMomentum(r.float("momentum")), WithEpsilon(r.float("epsilon")))
	case "Residual":
		var branch, shortcut []LayerConfig
		r.decode("branch", &branch)
		r.decode("shortcut", &shortcut)
		b, err := rebuildLayers(branch)
		if err != nil {
			return nil, errors.Wrapf(err, "layer %q (Residual) branch", c.Name)
		}
		s, err := rebuildLayers(shortcut)
		if err != nil {
			return nil, errors.Wrapf(err, "layer %q (Residual) shortcut", c.Name)
		}
		l = Residual(b, s, name, WithActivation(r.str("activation")))
	default:
		return nil, nil
	}
	if r.err != nil {
		return nil, errors.Wrapf(r.err, "layer %q (%s)", c.Name, c.Class)
	}
	return l, nil
}

// rebuildLayers rebuilds sub-layers with builtinLayer, then convLayer.
func rebuildLayers(cs []LayerConfig) ([]Layer, error) {
	out := make([]Layer, len(cs))
	for i, c := range cs {
		l, err := builtinLayer(c)
		if err == nil && l == nil {
			l, err = convLayer(c)
		}
		if err != nil {
			return nil, errors.Wrapf(err, "layer %d", i)
		}
		if l == nil {
			return nil, errors.Errorf("layer %d (%s) has unknown class %q", i, c.Name, c.Class)
		}
		out[i] = l
	}
	return out, nil
}
