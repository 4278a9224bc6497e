package layers

import (
	"math/rand"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Layer is one step of a model. Every layer embeds Base, which gives it a name, the
// weights it made with BuildContext.AddWeight, the build-once rule and the record of
// where the layer was applied. A layer also implements one of two ways to build and
// run it:
//
//   - SingleLayer: one float input, one output (Dense, Conv2D, Dropout, ...);
//   - MultiLayer: any number of inputs and outputs of any dtype (merges, Embedding,
//     a functional model used as a layer).
//
// A layer is built once, by the first model build that reaches it; applying it again
// (Apply) shares its weights.
type Layer interface {
	// Name is the layer's name, unique within a model once the model is made
	// ("dense", "dense_1", ...), or what the user set with WithName.
	Name() string
	// SetName renames the layer; models call it for unnamed layers.
	SetName(name string)
	// Type is the layer's kind as Keras prints it: "Dense", "Dropout", ...
	Type() string
	// Params are the layer's weights (nil before Build).
	Params() []*graph.Param
	// LayerBase returns the embedded Base.
	LayerBase() *Base
}

// SingleLayer is a layer of one float input and one output.
type SingleLayer interface {
	Layer
	// Build creates the weights for inputs of shape in (without the batch
	// dimension) and returns the output shape. Models call it once, before Forward.
	Build(ctx BuildContext, in []int) (out []int, err error)
	// Forward adds the layer to g. x has shape (batch, in...).
	Forward(g *graph.Graph, x *G.Node) (*G.Node, error)
}

// MultiLayer is a layer of several inputs or outputs, or of non-float inputs.
type MultiLayer interface {
	Layer
	// BuildMulti creates the weights for inputs described by in (shapes without the
	// batch dimension) and returns the outputs' specs. Called once, before
	// ForwardMulti.
	BuildMulti(ctx BuildContext, in []Spec) (out []Spec, err error)
	// ForwardMulti adds the layer to g; xs[i] has shape (batch, in[i].Shape...).
	ForwardMulti(g *graph.Graph, xs []*G.Node) ([]*G.Node, error)
}

// BuildContext carries what Build needs besides the input shape: the model's float
// type, its seeded random source, and the scope that names weights (AddWeight).
type BuildContext struct {
	// DType is the model's float type (tensor.Float32 by default).
	DType tensor.Dtype
	// RNG is the model's seeded source for initializers.
	RNG *rand.Rand
	// scope prefixes weight names inside a model used as a layer ("tower/").
	scope string
	// plan is the tensor table of the file being loaded (nil otherwise): AddWeight
	// checks each weight against it before allocating.
	plan weightPlan
}

// Base holds what every layer shares. Embed it in a layer; a layer that makes its
// weights with BuildContext.AddWeight gets Params from it.
type Base struct {
	name    string
	weights []*graph.Param
	// built is set by the first model build that builds the layer; in and out
	// are the specs it was built for.
	built    bool
	buildErr error
	in, out  []Spec
	// nodes are the calls recorded by Apply, in order.
	nodes []*node
}

// Name returns the layer's name.
func (b *Base) Name() string { return b.name }

// SetName sets the layer's name.
func (b *Base) SetName(name string) { b.name = name }

// Params returns the weights made with BuildContext.AddWeight, in order.
func (b *Base) Params() []*graph.Param { return append([]*graph.Param(nil), b.weights...) }

// LayerBase returns b.
func (b *Base) LayerBase() *Base { return b }

// Built reports whether a model has built the layer.
func (b *Base) Built() bool { return b.built }
