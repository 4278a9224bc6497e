package layers

import (
	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Model is what a trainer compiles: a built network from one input to one output.
// Sequential implements it.
type Model interface {
	// Build creates every parameter (once; later calls return the first result).
	Build(opts ...BuildOption) error
	// Built reports whether Build succeeded.
	Built() bool
	// DType is the model's float type.
	DType() tensor.Dtype
	// InputShape and OutputShape exclude the batch dimension.
	InputShape() []int
	OutputShape() []int
	// Params lists every parameter, in a fixed order.
	Params() []*graph.Param
	// Forward adds the model to g; x has shape (batch, InputShape()...).
	Forward(g *graph.Graph, x *G.Node) (*G.Node, error)
	// Summary is a Keras-style table of the layers.
	Summary() string
}

// BuildOption sets how a model is built.
type BuildOption interface{ applyBuild(*buildConfig) }

type buildOptionFunc func(*buildConfig)

func (f buildOptionFunc) applyBuild(c *buildConfig) { f(c) }

type buildConfig struct {
	seed  int64
	dtype tensor.Dtype
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
