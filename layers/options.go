package layers

import (
	"sort"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
)

// Option sets an optional setting of a layer. Each layer documents which options
// it takes; giving a layer an option it does not take is an error at Build.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config holds every optional setting; set records which options were given.
type config struct {
	name              string
	activation        string
	useBias           bool
	kernelInit        graph.Initializer
	biasInit          graph.Initializer
	kernelInitName    string
	biasInitName      string
	kernelRegularizer graph.Regularizer
	kernelSize        [2]int  // Conv2D and pooling windows; zero: not given
	strides           [2]int  // zero: not given
	dilation          [2]int  // zero: not given
	padding           string  // "valid" or "same"; empty: not given
	momentum          float64 // BatchNormalization
	epsilon           float64 // BatchNormalization
	normalize         bool    // Dot
	maskZero          bool    // Embedding
	embInit           graph.Initializer
	embInitName       string
	invert            bool               // Normalization
	normMean, normVar []float64          // Normalization
	vocab             []string           // StringLookup, IntegerLookup
	intVocab          bool               // vocab came from WithIntVocabulary
	numOOV, maxTokens int                // StringLookup, IntegerLookup
	tokens            int                // CategoryEncoding
	outputMode        string             // CategoryEncoding
	feature           featureOptions     // the categorical feature layers' settings
	interaction       interactionOptions // the interaction layers' settings
	conv1d            conv1DOptions      // the 1-D convolution and pooling layers' settings
	seqUtil           seqUtilOptions     // the sequence utility layers' settings
	rnn               rnnOptions         // the recurrent layers' settings
	attention         attentionOptions   // the attention layers' settings
	set               map[string]bool
}

// layerConfig applies opts over the defaults: no name, linear activation, a bias,
// glorot_uniform kernels, zero biases, no regularizer. It returns an error naming
// any option the layer (kind, taking allowed) does not take.
func layerConfig(kind string, allowed []string, opts []Option) (config, error) {
	c := config{useBias: true, kernelInitName: "glorot_uniform", biasInitName: "zeros", set: map[string]bool{}}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	ok := map[string]bool{"name": true}
	for _, a := range allowed {
		ok[a] = true
	}
	var bad []string
	for k := range c.set {
		if !ok[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return c, errors.Errorf("%s does not take option(s) %s", kind, strings.Join(bad, ", "))
	}
	return c, nil
}

// WithName names the layer (default: its kind in snake case, numbered by the model:
// "dense", "dense_1", ...). All layers take it.
func WithName(name string) Option {
	return optionFunc(func(c *config) { c.name = name; c.set["name"] = true })
}

// WithActivation sets the activation by Keras name (default "linear"); see
// graph.Activation for the names. Dense takes it.
func WithActivation(name string) Option {
	return optionFunc(func(c *config) { c.activation = name; c.set["activation"] = true })
}

// WithBias turns the bias on or off (default on). Dense takes it.
func WithBias(on bool) Option {
	return optionFunc(func(c *config) { c.useBias = on; c.set["bias"] = true })
}

// WithKernelInitializer sets the kernel initializer (default glorot_uniform).
// Dense takes it.
func WithKernelInitializer(init graph.Initializer) Option {
	return optionFunc(func(c *config) { c.kernelInit = init; c.kernelInitName = ""; c.set["kernel_initializer"] = true })
}

// WithKernelInitializerName sets the kernel initializer by Keras name, e.g.
// "he_normal" (default "glorot_uniform"). Dense takes it.
func WithKernelInitializerName(name string) Option {
	return optionFunc(func(c *config) { c.kernelInit = nil; c.kernelInitName = name; c.set["kernel_initializer"] = true })
}

// WithBiasInitializer sets the bias initializer (default zeros). Dense takes it.
func WithBiasInitializer(init graph.Initializer) Option {
	return optionFunc(func(c *config) { c.biasInit = init; c.biasInitName = ""; c.set["bias_initializer"] = true })
}

// WithKernelRegularizer adds an L1/L2 penalty on the kernel to the loss (default
// none), e.g. WithKernelRegularizer(graph.L2(1e-4)). Dense takes it.
func WithKernelRegularizer(r graph.Regularizer) Option {
	return optionFunc(func(c *config) { c.kernelRegularizer = r; c.set["kernel_regularizer"] = true })
}

// initializer resolves an initializer given directly or by name.
func initializer(init graph.Initializer, name string) (graph.Initializer, error) {
	if init != nil {
		return init, nil
	}
	return graph.InitializerByName(name)
}
