package layers

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Sequential is a linear stack of layers. The first layer is an Input (or any
// layer after which the shape is known); every later layer infers its input shape.
type Sequential struct {
	name   string
	layers []Layer
	built  bool
	err    error
	dtype  tensor.Dtype
	in     []int
	shapes [][]int // output shape of each layer
	// attachments are JSON values saved with the model (scalers, vocabularies).
	attachments map[string]json.RawMessage
}

// NewSequential returns a model made of the given layers, in order. Nothing is
// checked until Build (or trainers.New, which builds the model).
func NewSequential(ls ...Layer) *Sequential {
	return &Sequential{name: "sequential", layers: append([]Layer(nil), ls...), dtype: tensor.Float32}
}

// Add appends a layer; it is an error once the model is built.
func (s *Sequential) Add(l Layer) error {
	if s.built || s.err != nil {
		return errors.New("sequential: cannot add a layer to a built model")
	}
	s.layers = append(s.layers, l)
	return nil
}

// Layers returns the layers in order.
func (s *Sequential) Layers() []Layer { return append([]Layer(nil), s.layers...) }

// Build names unnamed layers (dense, dense_1, ...), infers every shape and
// creates every parameter, seeded by WithSeed (default DefaultSeed) in the dtype of
// WithDType (default float32). It runs once: later calls return the first result.
// Errors name the layer by index and name.
func (s *Sequential) Build(opts ...BuildOption) error {
	if s.built || s.err != nil {
		return s.err
	}
	s.err = s.build(newBuildConfig(opts))
	s.built = s.err == nil
	return s.err
}

func (s *Sequential) build(cfg buildConfig) (err error) {
	defer recoverTo(&err, "sequential: build")
	if cfg.dtype != tensor.Float32 && cfg.dtype != tensor.Float64 {
		return errors.Errorf("sequential: dtype %v is not supported (want float32 or float64)", cfg.dtype)
	}
	if len(s.layers) == 0 {
		return errors.New("sequential: no layers")
	}
	first, ok := s.layers[0].(*InputLayer)
	if !ok {
		return errors.Errorf("sequential: layer 0 (%s) must be an Input giving the example shape", s.layers[0].Type())
	}
	s.dtype = cfg.dtype
	names := map[string]int{}
	for _, l := range s.layers {
		if l.Name() != "" {
			names[l.Name()]++
		}
	}
	for _, l := range s.layers {
		if l.Name() == "" {
			l.SetName(uniqueName(snake(l.Type()), names))
		}
	}
	seen := map[string]bool{}
	for i, l := range s.layers {
		if seen[l.Name()] {
			return errors.Errorf("sequential: layer %d: two layers named %q", i, l.Name())
		}
		seen[l.Name()] = true
	}
	ctx := BuildContext{DType: cfg.dtype, RNG: rand.New(rand.NewSource(cfg.seed))}
	var shape []int
	s.shapes = make([][]int, len(s.layers))
	for i, l := range s.layers {
		out, err := l.Build(ctx, shape)
		if err != nil {
			return errors.Wrapf(err, "layer %d (%s) with input shape %s", i, l.Name(), fmtShape(shape))
		}
		s.shapes[i] = out
		shape = out
	}
	s.in = first.Shape()
	return nil
}

// Built reports whether Build succeeded.
func (s *Sequential) Built() bool { return s.built }

// DType is the model's float type (Float32 unless built WithDType).
func (s *Sequential) DType() tensor.Dtype { return s.dtype }

// InputShape is the example shape of the Input layer (nil before Build).
func (s *Sequential) InputShape() []int { return append([]int(nil), s.in...) }

// OutputShape is the example shape of the last layer (nil before Build).
func (s *Sequential) OutputShape() []int {
	if !s.built {
		return nil
	}
	return append([]int(nil), s.shapes[len(s.shapes)-1]...)
}

// Params lists every layer's parameters, layer by layer.
func (s *Sequential) Params() []*graph.Param {
	var ps []*graph.Param
	for _, l := range s.layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Forward adds every layer to g in order, checking each input's shape against the
// shape inferred at Build. x has shape (batch, InputShape()...).
func (s *Sequential) Forward(g *graph.Graph, x *G.Node) (out *G.Node, err error) {
	if !s.built {
		return nil, errors.New("sequential: model is not built (call Build)")
	}
	defer recoverTo(&err, "sequential: forward")
	in := s.in
	for i, l := range s.layers {
		if got := x.Shape(); len(got) < 1 || !equalShapes(got[1:], in) {
			return nil, errors.Errorf("layer %d (%s): expects input shape %s, got %s", i, l.Name(), fmtShape(in), fmtBatchShape(got))
		}
		if x, err = l.Forward(g, x); err != nil {
			return nil, errors.Wrapf(err, "layer %d (%s)", i, l.Name())
		}
		in = s.shapes[i]
	}
	return x, nil
}

// uniqueName returns base, or base_N for the first N that is free, and marks it used.
func uniqueName(base string, used map[string]int) string {
	name := base
	for n := 1; used[name] > 0; n++ {
		name = fmt.Sprintf("%s_%d", base, n)
	}
	used[name]++
	return name
}

// snake turns a Keras class name into its layer name: "Dense" -> "dense",
// "InputLayer" -> "input_layer".
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && !(s[i-1] >= '0' && s[i-1] <= '9') {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func fmtShape(s []int) string {
	if s == nil {
		return "(unknown)"
	}
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// fmtBatchShape formats a shape whose first axis is the batch.
func fmtBatchShape(s []int) string {
	if len(s) == 0 {
		return "()"
	}
	return fmtShape(s[1:]) + fmt.Sprintf(" (batch %d)", s[0])
}

// recoverTo turns a panic inside Gorgonia into an error, so that none escapes the
// public API.
func recoverTo(err *error, what string) {
	if r := recover(); r != nil {
		*err = errors.Errorf("%s: internal error: %v", what, r)
	}
}
