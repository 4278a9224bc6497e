package layers

import (
	"encoding/json"
	"math"
	"sort"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
)

// LayerConfig is a layer's architecture as a model file stores it, like Keras'
// get_config: the class, the name, and the settings needed to rebuild the layer.
type LayerConfig struct {
	Class  string                 `json:"class_name"`
	Name   string                 `json:"name"`
	Config map[string]interface{} `json:"config"`
}

// Configurable is a layer that can be saved. Every layer of this package is; a
// custom layer must implement it (and be given to Load with WithCustomLayer) to be
// saved and loaded.
type Configurable interface {
	Config() LayerConfig
}

// LayerFactory rebuilds a layer from its configuration, for WithCustomLayer.
type LayerFactory func(c LayerConfig) (Layer, error)

// Config returns the input shape, the dtype unless it is the model's float type,
// and "variable_steps": true for an input declared WithVariableSteps (the key is
// written only then, so that the configs of other inputs stay as they were).
func (l *InputLayer) Config() LayerConfig {
	c := map[string]interface{}{"shape": l.shape}
	if dt := dtypeName(l.dtype); dt != "" {
		c["dtype"] = dt
	}
	if l.variable {
		c[variableStepsKey] = true
	}
	return LayerConfig{"InputLayer", l.Name(), c}
}

// variableStepsKey is the InputLayer config key of WithVariableSteps.
const variableStepsKey = "variable_steps"

// variableStepsFromConfig reads the optional "variable_steps" of an InputLayer
// config: false when the key is absent (files written before it existed), an
// error when it is not a boolean.
func variableStepsFromConfig(c LayerConfig) (bool, error) {
	if _, ok := c.Config[variableStepsKey]; !ok {
		return false, nil
	}
	r := cfgReader{c: c}
	v := r.boolean(variableStepsKey)
	return v, r.err
}

// Config returns units, activation, bias, initializer names and the regularizer.
func (l *DenseLayer) Config() LayerConfig {
	return LayerConfig{"Dense", l.Name(), map[string]interface{}{
		"units": l.units, "activation": orLinear(l.activation), "use_bias": l.cfg.useBias,
		"kernel_initializer": orCustom(l.cfg.kernelInitName), "bias_initializer": orCustom(l.cfg.biasInitName),
		"kernel_regularizer": map[string]float64{"l1": l.cfg.kernelRegularizer.L1, "l2": l.cfg.kernelRegularizer.L2},
	}}
}

// Config returns the activation name.
func (l *ActivationLayer) Config() LayerConfig {
	return LayerConfig{"Activation", l.Name(), map[string]interface{}{"activation": orLinear(l.activation)}}
}

// Config returns the axis (Concatenate) or the axes and normalize (Dot); nothing
// for the element-wise merges.
func (l *MergeLayer) Config() LayerConfig {
	c := map[string]interface{}{}
	switch l.kind {
	case "Concatenate":
		c["axis"] = l.axis
	case "Dot":
		c["axes"] = l.axes[:]
		c["normalize"] = l.normalize
	}
	return LayerConfig{l.kind, l.Name(), c}
}

// Config returns input_dim, output_dim, mask_zero and the initializer's name.
func (l *EmbeddingLayer) Config() LayerConfig {
	return LayerConfig{"Embedding", l.Name(), map[string]interface{}{
		"input_dim": l.vocab, "output_dim": l.dim, "mask_zero": l.maskZero,
		"embeddings_initializer": orCustom(l.cfg.embInitName),
	}}
}

// Config returns the rate.
func (l *DropoutLayer) Config() LayerConfig {
	return LayerConfig{"Dropout", l.Name(), map[string]interface{}{"rate": l.rate}}
}

// Config returns the target shape (none for Flatten).
func (l *ReshapeLayer) Config() LayerConfig {
	c := map[string]interface{}{}
	if l.target != nil {
		c["target_shape"] = l.target
	}
	return LayerConfig{l.kind, l.Name(), c}
}

func orLinear(s string) string {
	if s == "" {
		return "linear"
	}
	return s
}

// orCustom names an initializer given as a value: its weights are in the file, so
// the name only documents it.
func orCustom(s string) string {
	if s == "" {
		return "custom"
	}
	return s
}

// Config returns {"axis": -1, "invert": ...}; the statistics are weights in the
// file.
func (l *NormalizationLayer) Config() LayerConfig {
	return LayerConfig{"Normalization", l.Name(), map[string]interface{}{"axis": -1, "invert": l.invert}}
}

// Config returns {"vocabulary": [...], "num_oov_indices": n, "max_tokens": m}: the
// vocabulary travels in the configuration. An IntegerLookup's values are written
// as decimal strings, so that values beyond 2^53 survive (a configuration is read
// back through float64); Load also takes them as numbers.
func (l *LookupLayer) Config() LayerConfig {
	c := map[string]interface{}{"num_oov_indices": l.numOOV, "max_tokens": l.maxTokens, "vocabulary": l.Vocabulary()}
	return LayerConfig{l.kind, l.Name(), c}
}

// Config returns {"num_tokens": n, "output_mode": mode}.
func (l *CategoryEncodingLayer) Config() LayerConfig {
	return LayerConfig{"CategoryEncoding", l.Name(), map[string]interface{}{"num_tokens": l.tokens, "output_mode": l.mode}}
}

// builtinLayer rebuilds a layer of this package from its configuration.
func builtinLayer(c LayerConfig) (Layer, error) {
	r := cfgReader{c: c}
	name := WithName(c.Name)
	var l Layer
	switch c.Class {
	case "InputLayer":
		t, err := inputFromConfig(c)
		if err != nil {
			return nil, err
		}
		l = t.Layer()
	case "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum":
		l, _ = newMerge(c.Class, nil, []Option{name})
	case "Concatenate":
		l = Concatenate(r.integer("axis"), name)
	case "Dot":
		axes := r.ints("axes")
		if r.err == nil && len(axes) != 2 {
			r.err = errors.Errorf("config \"axes\": %v is not a pair", axes)
		}
		if r.err == nil {
			l = DotAxes(axes[0], axes[1], name, WithNormalize(r.boolean("normalize")))
		}
	case "Embedding":
		opts := []Option{name, WithMaskZero(r.boolean("mask_zero"))}
		if k := r.str("embeddings_initializer"); k != "custom" {
			opts = append(opts, WithEmbeddingsInitializerName(k))
		}
		l = Embedding(r.size("input_dim", 1), r.size("output_dim", 1), opts...)
	case "Dense":
		opts := []Option{name, WithActivation(r.str("activation")), WithBias(r.boolean("use_bias"))}
		if k := r.str("kernel_initializer"); k != "custom" {
			opts = append(opts, WithKernelInitializerName(k))
		}
		var reg map[string]float64
		r.decode("kernel_regularizer", &reg)
		if reg["l1"] != 0 || reg["l2"] != 0 {
			opts = append(opts, WithKernelRegularizer(graph.Regularizer{L1: reg["l1"], L2: reg["l2"]}))
		}
		l = Dense(r.size("units", 1), opts...)
	case "Activation":
		l = Activation(r.str("activation"), name)
	case "Dropout":
		l = Dropout(r.float("rate"), name)
	case "Flatten":
		l = Flatten(name)
	case "StringLookup", "IntegerLookup":
		opts := []Option{name, WithNumOOVIndices(r.size("num_oov_indices", 0)), WithMaxTokens(r.size("max_tokens", 0))}
		var v []string
		if c.Class == "IntegerLookup" {
			var nums []json.Number
			r.decode("vocabulary", &nums)
			for _, s := range nums {
				v = append(v, string(s))
			}
		} else {
			r.decode("vocabulary", &v)
		}
		if r.err == nil {
			lk := newLookup(c.Class, opts)
			if err := lk.SetVocabulary(v); err != nil && r.err == nil {
				r.err = err
			}
			l = lk
		}
	case "CategoryEncoding":
		l = CategoryEncoding(r.size("num_tokens", 1), name, WithOutputMode(r.str("output_mode")))
	case "Normalization":
		if axis := r.integer("axis"); r.err == nil && axis != -1 {
			r.err = errors.Errorf("config \"axis\": %d (only -1, the last axis, is supported)", axis)
		}
		l = Normalization(name, WithInvert(r.boolean("invert")))
	case "Reshape":
		l = Reshape(r.sizes("target_shape", 1, -1), name)
	default:
		return familyLayer(c)
	}
	if r.err != nil {
		return nil, errors.Wrapf(r.err, "layer %q (%s)", c.Name, c.Class)
	}
	if in, ok := l.(*InputLayer); ok {
		in.SetName(c.Name)
	}
	return l, nil
}

// BuiltinLayerClasses lists the classes Load knows without WithCustomLayer.
func BuiltinLayerClasses() []string {
	names := append([]string{"Activation", "Add", "Average", "CategoryEncoding", "Concatenate", "Dense", "Dot", "Dropout", "Embedding", "Flatten",
		"Functional", "InputLayer", "IntegerLookup", "Maximum", "Minimum", "Multiply", "Normalization", "Reshape", "Sequential", "StringLookup", "Subtract"}, familyLayerClasses()...)
	sort.Strings(names)
	return names
}

// cfgReader reads typed settings from a decoded JSON config, keeping the first
// error (a missing key or a wrong type), so that callers check once.
type cfgReader struct {
	c   LayerConfig
	err error
}

func (r *cfgReader) decode(key string, into interface{}) {
	if r.err != nil {
		return
	}
	v, ok := r.c.Config[key]
	if !ok {
		r.err = errors.Errorf("config has no %q", key)
		return
	}
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, into)
	}
	if err != nil {
		r.err = errors.Wrapf(err, "config %q", key)
	}
}

// maxConfigInt bounds the sizes, counts and paddings a layer's config may give
// (2^31-1), so that the shape arithmetic of a loaded model cannot overflow.
const maxConfigInt = math.MaxInt32

// size reads an integer setting in [min, maxConfigInt].
func (r *cfgReader) size(key string, min int) int {
	v := r.integer(key)
	if r.err == nil && (v < min || v > maxConfigInt) {
		r.err = errors.Errorf("config %q: %d is not in [%d, %d]", key, v, min, maxConfigInt)
	}
	return v
}

// sizes reads a list of integer settings, each in [min, maxConfigInt] or equal to
// one of also.
func (r *cfgReader) sizes(key string, min int, also ...int) []int {
	v := r.ints(key)
	for _, d := range v {
		ok := d >= min && d <= maxConfigInt
		for _, a := range also {
			ok = ok || d == a
		}
		if r.err == nil && !ok {
			r.err = errors.Errorf("config %q: %v has %d, not in [%d, %d]", key, v, d, min, maxConfigInt)
		}
	}
	return v
}

func (r *cfgReader) str(key string) (s string)    { r.decode(key, &s); return }
func (r *cfgReader) boolean(key string) (b bool)  { r.decode(key, &b); return }
func (r *cfgReader) float(key string) (f float64) { r.decode(key, &f); return }
func (r *cfgReader) integer(key string) (i int)   { r.decode(key, &i); return }
func (r *cfgReader) ints(key string) (v []int)    { r.decode(key, &v); return }
func knownClasses(custom map[string]LayerFactory) string {
	names := BuiltinLayerClasses()
	for k := range custom {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
