package layers

import (
	"math/rand"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Layer is one step of a model. A layer is built once (Build creates its
// parameters for a given input shape) and may then be added to any number of graphs
// (Forward). Embed Base to get Name and SetName.
type Layer interface {
	// Name is the layer's name, unique within a model once the model is built
	// ("dense", "dense_1", ...), or what the user set with WithName.
	Name() string
	// SetName renames the layer; models call it before Build for unnamed layers.
	SetName(name string)
	// Type is the layer's kind as Keras prints it: "Dense", "Dropout", ...
	Type() string
	// Build creates the parameters for inputs of shape in (without the batch
	// dimension) and returns the output shape. It is called once, before Forward.
	Build(ctx BuildContext, in []int) (out []int, err error)
	// Forward adds the layer to g. x has shape (batch, in...).
	Forward(g *graph.Graph, x *G.Node) (*G.Node, error)
	// Params are the layer's parameters (nil before Build).
	Params() []*graph.Param
}

// BuildContext carries what Build needs besides the input shape.
type BuildContext struct {
	// DType is the model's float type (tensor.Float32 by default).
	DType tensor.Dtype
	// RNG is the model's seeded source for initializers.
	RNG *rand.Rand
}

// Base holds a layer's name. Embed it in a layer to implement Name and SetName.
type Base struct{ name string }

// Name returns the layer's name.
func (b *Base) Name() string { return b.name }

// SetName sets the layer's name.
func (b *Base) SetName(name string) { b.name = name }

// Params returns nil: embedders with parameters override it.
func (b *Base) Params() []*graph.Param { return nil }
