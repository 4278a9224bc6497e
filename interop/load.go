package interop

import (
	"sort"

	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// LoadOption sets how Load and Plan map a state dict onto a model.
type LoadOption interface{ applyLoad(*loadConfig) }

type loadOptionFunc func(*loadConfig)

func (f loadOptionFunc) applyLoad(c *loadConfig) { f(c) }

// explicitEntry is one WithTensor or WithConverter.
type explicitEntry struct {
	weight  string
	sources []string
	conv    conversion
	err     error
}

type loadConfig struct {
	modules     map[string]string
	allowUnused bool
	explicit    []explicitEntry
}

// WithModules pairs gokeras layers with PyTorch modules: each key is a layer's
// path in the model (its name, "model/layer" inside a model applied as a layer,
// the prefixes layers.WeightPaths uses; "block/conv2d" for a layer of a Residual
// block), each value the torch module's prefix in the state dict ("layer1.0.conv1";
// "" for tensors at the top level, as a bare nn.Linear saves them). One layer of a
// multi-layer nn.LSTM/nn.GRU/nn.RNN is "<prefix>@<k>" ("lstm@1" holds
// weight_ih_l1, ...); a single-layer one is its plain prefix. Layers not in the map
// are paired with the remaining modules by order (default: every layer by order).
// Several WithModules add up.
func WithModules(m map[string]string) LoadOption {
	cp := make(map[string]string, len(m))
	for k, v := range m {
		cp[k] = v
	}
	return loadOptionFunc(func(c *loadConfig) {
		if c.modules == nil {
			c.modules = map[string]string{}
		}
		for k, v := range cp {
			c.modules[k] = v
		}
	})
}

// WithAllowUnused(true) lets tensors of the state dict go unused (default false:
// an unused tensor is an error naming it; BatchNorm's num_batches_tracked is
// always ignored). With it, pairing by order also skips a torch module that does
// not fit the next layer (kind or shapes), as when loading a backbone without its
// classifier. Every gokeras weight must still get a value.
func WithAllowUnused(on bool) LoadOption {
	return loadOptionFunc(func(c *loadConfig) { c.allowUnused = on })
}

// WithTensor fills the gokeras weight at weightPath (as layers.WeightPaths names
// it: "dense_1/kernel") from the state dict's tensor tensorName, converted by
// layout (AsIs, Transpose, ConvKernel1D, ConvKernel2D). It overrides what
// automatic mapping would give that weight; a layer all of whose weights are
// given explicitly is left out of automatic mapping.
func WithTensor(weightPath, tensorName string, layout Layout) LoadOption {
	conv, err := layoutConversion(layout)
	e := explicitEntry{weight: weightPath, sources: []string{tensorName}, conv: conv, err: err}
	return loadOptionFunc(func(c *loadConfig) { c.explicit = append(c.explicit, e) })
}

// WithConverter fills the gokeras weight at weightPath with fn's result on the
// state dict's tensors tensorNames (in that order), for layouts WithTensor does
// not cover. fn's result must have the weight's shape. It overrides automatic
// mapping as WithTensor does.
func WithConverter(weightPath string, tensorNames []string, fn ConvertFunc) LoadOption {
	e := explicitEntry{weight: weightPath, sources: append([]string(nil), tensorNames...)}
	if fn == nil {
		e.err = errors.Errorf("WithConverter(%q): nil function", weightPath)
	} else {
		e.conv = conversion{desc: "custom converter", fn: func(src []*Tensor) (*Tensor, error) {
			cp := make([]*Tensor, len(src))
			for i, t := range src {
				c := *t
				c.Shape = append([]int(nil), t.Shape...)
				c.Data = append([]float64(nil), t.Data...)
				cp[i] = &c
			}
			t, err := fn(cp)
			if err == nil && t == nil {
				err = errors.New("converter returned no tensor")
			}
			if err == nil && t.Size() != len(t.Data) {
				err = errors.Errorf("converter returned shape %s with %d values", fmtShape(t.Shape), len(t.Data))
			}
			return t, err
		}}
	}
	return loadOptionFunc(func(c *loadConfig) { c.explicit = append(c.explicit, e) })
}

// Assignment is what Load does to one gokeras weight: which tensors of the state
// dict fill it and how.
type Assignment struct {
	// Weight is the weight's path (layers.WeightPaths: "dense_1/kernel").
	Weight string
	// Layer and Kind are the path and type of the layer owning it ("dense_1",
	// "Dense"; for a layer wrapped by TimeDistributed, the wrapper's path and the
	// wrapped layer's type).
	Layer, Kind string
	// Shape is the weight's shape.
	Shape []int
	// Module is the torch module the layer was paired with, as WithModules
	// names it ("fc1", "lstm@1"; "" for a module at the top level, and for a
	// weight given explicitly).
	Module string
	// Explicit is true for a weight given by WithTensor or WithConverter.
	Explicit bool
	// Sources are the tensors' names and SourceShapes their shapes, in order;
	// none when the value is made from nothing (zeros for a bias the torch module
	// does not have).
	Sources      []string
	SourceShapes [][]int
	// Conversion describes the layout change ("transposed", "gates r,z,n→z,r,h,
	// transposed", ...); Converted is the shape it gives (equal to Shape when the
	// assignment is valid).
	Conversion string
	Converted  []int
	// Note is a caution that the state dict cannot check (an epsilon that
	// differs from PyTorch's default, the number of attention heads), or "".
	Note string
}

// Load copies sd into m's weights. An unbuilt model is built first with layers'
// defaults (float32, DefaultSeed): build it yourself beforehand for float64.
//
// Torch modules are found from the tensors' names (the prefix before the last
// dot, "layer1.0.conv1") and kinds; layers with weights are taken in model order
// (inside models applied as layers, Residual blocks and TimeDistributed too).
// Layers named by WithModules get their module; the others are paired with the
// remaining modules in file order (a state_dict's order is the modules'
// registration order), each pair checked for kind and shapes. Weights given by
// WithTensor or WithConverter override the pairing. The automatic counterparts
// and their conversions:
//
//	Dense ← nn.Linear                 kernel = weightᵀ (out, in)→(in, out); bias
//	Conv1D ← nn.Conv1d                kernel (out, in, k)→(k, in, out); bias
//	Conv2D ← nn.Conv2d                kernel (out, in, kh, kw)→(kh, kw, in, out); bias
//	BatchNormalization ← nn.BatchNorm1d/2d   gamma ← weight, beta ← bias,
//	                                  moving_mean ← running_mean, moving_variance ← running_var
//	LayerNormalization ← nn.LayerNorm gamma ← weight, beta ← bias
//	Embedding, PositionalEmbedding ← nn.Embedding   embeddings ← weight
//	LSTM, GRU, SimpleRNN ← nn.LSTM, nn.GRU, nn.RNN (layer k: "<prefix>@k")
//	                                  kernel = W_ihᵀ, recurrent_kernel = W_hhᵀ, gate blocks
//	                                  LSTM i,f,g,o as they are, GRU r,z,n→z,r,h; bias = b_ih + b_hh
//	                                  (GRU: rows (b_ih, b_hh), reset_after only)
//	Bidirectional ← bidirectional RNN forward ← _lk, backward ← _lk_reverse
//	MultiHeadAttention ← nn.MultiheadAttention   query/key/value kernels (d, heads, head_dim)
//	                                  from in_proj_weight's blocks (or q/k/v_proj_weight), transposed;
//	                                  biases (heads, head_dim); output kernel (heads, head_dim, E)
//	TransformerEncoder ← nn.TransformerEncoderLayer   self_attn → self_attention, norm1, norm2 →
//	                                  the attention and feed-forward layer norms, linear1, linear2 →
//	                                  the feed-forward Dense layers
//
// The state dict holds no hyper-parameters: strides, padding, num_heads,
// norm_first, activations and epsilons must match by construction. PyTorch's
// BatchNorm (eps 1e-5, momentum 0.1) is BatchNormalization(WithEpsilon(1e-5),
// WithMomentum(0.9)) (Keras' defaults are 1e-3 and 0.99); nn.LayerNorm is
// LayerNormalization(WithEpsilon(1e-5)). Plan's notes say where a layer differs
// from PyTorch's defaults.
//
// Every weight of m must get a value and (unless WithAllowUnused) every tensor of
// sd must be used (num_batches_tracked excepted). Every shape is checked and
// every value converted before the first weight is written: on error m is
// unchanged, and the error lists every problem found, each naming the gokeras
// weight and the torch tensor, e.g.
//
//	layer "dense_1" (Dense) weight dense_1/kernel shape (784, 256) ← fc1.weight shape (128, 784) transposed to (784, 128): shapes differ
func Load(m layers.Model, sd *StateDict, opts ...LoadOption) error {
	p, err := plan(m, sd, opts)
	if err != nil {
		return errors.Wrap(err, "interop: load")
	}
	for _, a := range p {
		if err := a.param.SetFloat64s(a.value.Data); err != nil { // sizes were checked: not reached
			return errors.Wrapf(err, "interop: load: weight %s", a.Weight)
		}
	}
	return nil
}

// Plan returns what Load would do, one Assignment per gokeras weight in model
// order, without changing a weight (it builds an unbuilt model as Load does). On
// a problem it returns the error Load would return together with the assignments
// it could make, so that a command can print both.
func Plan(m layers.Model, sd *StateDict, opts ...LoadOption) ([]Assignment, error) {
	p, err := plan(m, sd, opts)
	out := make([]Assignment, len(p))
	for i, a := range p {
		out[i] = a.Assignment
	}
	if err != nil {
		return out, errors.Wrap(err, "interop: plan")
	}
	return out, nil
}

// sortedKeys lists a map's keys in order.
func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
