package layers

import (
	"io"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Model is what a trainer compiles and a server runs: a network from named inputs to
// named outputs. *Functional (NewModel) and *Sequential implement it; a Model is
// also a layer (it can be applied inside another model).
type Model interface {
	MultiLayer
	// Build creates every parameter (once; later calls return the first result).
	Build(opts ...BuildOption) error
	// Built reports whether Build succeeded.
	Built() bool
	// DType is the model's float type.
	DType() tensor.Dtype
	// Inputs and Outputs describe the model's tensors in order: name, shape
	// without the batch dimension, dtype. Output shapes are known once built.
	Inputs() []Spec
	Outputs() []Spec
	// InputShape and OutputShape are the shapes of the first input and output.
	InputShape() []int
	OutputShape() []int
	// Forward adds a model of one input and one output to g; x has shape
	// (batch, InputShape()...).
	Forward(g *graph.Graph, x *G.Node) (*G.Node, error)
	// Layers lists the layers, inputs first, each once.
	Layers() []Layer
	// Summary is a Keras-style table of the layers.
	Summary() string
	// ToDot draws the layers as a Graphviz digraph.
	ToDot() string
	// Save writes the model file; SaveTo writes it to w.
	Save(path string) error
	SaveTo(w io.Writer) error
	// Attach stores a JSON value with the model (a scaler, a vocabulary);
	// Attachment reads it back; Attachments lists the names.
	Attach(name string, v interface{}) error
	Attachment(name string, into interface{}) (bool, error)
	Attachments() []string
}

// BuildOption sets how a model is built.
type BuildOption interface{ applyBuild(*buildConfig) }

type buildOptionFunc func(*buildConfig)

func (f buildOptionFunc) applyBuild(c *buildConfig) { f(c) }

type buildConfig struct {
	seed  int64
	dtype tensor.Dtype
	plan  weightPlan // the file's tensors, when Load builds the model
}

// DefaultSeed is the seed of a model built without WithSeed.
const DefaultSeed = 42

func newBuildConfig(opts []BuildOption) buildConfig {
	c := buildConfig{seed: DefaultSeed, dtype: tensor.Float32}
	for _, o := range opts {
		if o != nil {
			o.applyBuild(&c)
		}
	}
	return c
}

// WithSeed seeds the initializers (default DefaultSeed): the same seed gives the
// same initial weights.
func WithSeed(seed int64) BuildOption {
	return buildOptionFunc(func(c *buildConfig) { c.seed = seed })
}

// WithDType sets the model's float type: tensor.Float32 (the default, as in Keras)
// or tensor.Float64.
func WithDType(dt tensor.Dtype) BuildOption {
	return buildOptionFunc(func(c *buildConfig) { c.dtype = dt })
}
