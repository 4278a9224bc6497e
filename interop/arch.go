package interop

import (
	"sort"
	"strings"

	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Arch is a gokeras model built to receive a PyTorch state dict of a known
// architecture (BuildArchitecture), with what was inferred from the tensors.
type Arch struct {
	// Name is the architecture ("resnet18", "lstm-classifier", "transformer-encoder").
	Name string
	// Model is the built functional model (weights still random until Load).
	Model *layers.Functional
	// Modules maps each gokeras layer holding weights (its name) to the PyTorch
	// module prefix it takes them from ("layer1_0_conv1" -> "layer1.0.conv1"):
	// the argument of WithModules.
	Modules map[string]string
	// Tensors maps weights that no module mapping covers (layers.WeightPaths'
	// "pos/embeddings") to the tensor copied as is ("pos.weight"): WithTensor.
	Tensors map[string]string
	// Format is the file format ImportTorch read: "torch" or "safetensors" ("" from
	// BuildArchitecture).
	Format string
	// Sizes are the sizes read from the tensors' shapes and the options, by name:
	// resnet18: input_shape (H, W, C), stem_width, widths (output channels of
	// each stage), blocks (per stage), bottleneck (0 BasicBlock, 1 Bottleneck),
	// classes; lstm-classifier: steps, vocab, embedding_dim, hidden,
	// lstm_layers, classes; transformer-encoder: steps, vocab, width, heads,
	// feedforward, encoder_layers, positions, classes, norm_first (0 or 1).
	Sizes map[string][]int
}

// LoadOptions are the options of Load that fill a.Model from its state dict:
// WithModules(a.Modules) and a WithTensor(path, name, AsIs) per entry of Tensors.
func (a *Arch) LoadOptions() []LoadOption {
	opts := []LoadOption{WithModules(a.Modules)}
	for _, path := range sortedKeys(a.Tensors) {
		opts = append(opts, WithTensor(path, a.Tensors[path], AsIs))
	}
	return opts
}

// archBuilder builds one architecture from a state dict.
type archBuilder func(sd *StateDict, c archConfig) (*Arch, error)

// archBuilders is the fixed table of known architectures (read only).
func archBuilders() map[string]archBuilder {
	return map[string]archBuilder{
		"resnet18":            buildResNet,
		"lstm-classifier":     buildLSTMClassifier,
		"transformer-encoder": buildTransformerEncoder,
	}
}

// Architectures lists the names BuildArchitecture knows, sorted:
// "lstm-classifier", "resnet18", "transformer-encoder".
func Architectures() []string {
	var names []string
	for n := range archBuilders() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// BuildArchitecture builds and returns the gokeras counterpart of a PyTorch model
// whose state dict is sd, inferring every size from the tensors' shapes, and the
// module map that Load takes (interop.Load(a.Model, sd, interop.WithModules(a.Modules))).
// The model is built (float32 unless WithArchDType) with random weights; it
// outputs what the PyTorch model's forward returns (logits: no softmax).
//
//   - "resnet18": torchvision.models.resnet.ResNet of BasicBlocks (resnet18,
//     resnet34, or the same at other widths: stage widths, blocks per stage,
//     input channels and classes are read from conv1, layerN.B.* and fc) or
//     Bottleneck blocks (resnet50/101/152). Input (H, W, C) channels-last images:
//     PyTorch's NCHW batch x becomes x.permute(0, 2, 3, 1). Default input shape
//     (224, 224, C); WithInputShape changes it. Stride 2 in the stem, the max
//     pool and the first block of every stage after the first, as torchvision.
//   - "lstm-classifier": nn.Embedding(vocab, dim) -> nn.LSTM(dim, hidden,
//     num_layers=L, batch_first=True) -> last time step -> nn.Linear(hidden,
//     classes). Input (steps) int64 ids; WithSteps is required (the state dict
//     does not hold the sequence length).
//   - "transformer-encoder": nn.Embedding(vocab, width) plus a learned positional
//     nn.Embedding(positions, width) on arange(steps) -> nn.TransformerEncoder of
//     L nn.TransformerEncoderLayer(width, heads, ff, batch_first=True) -> mean over
//     the steps -> nn.Linear(width, classes). Input (steps) int64 ids, steps
//     default positions (WithSteps: 1..positions). Heads are not in the state
//     dict: WithHeads, default 4 (a wrong count gives wrong outputs, not an
//     error); WithNormFirst and WithFFActivation follow norm_first and
//     activation (defaults false and "relu", as PyTorch).
//
// A state dict that is not of the architecture is an error naming the tensor that
// is missing or of the wrong shape; an unknown name lists the known ones.
func BuildArchitecture(name string, sd *StateDict, opts ...ArchOption) (a *Arch, err error) {
	defer func() {
		if r := recover(); r != nil {
			a, err = nil, errors.Errorf("%s: building the model failed: %v", name, r)
		}
	}()
	b, ok := archBuilders()[name]
	if !ok {
		return nil, errors.Errorf("architecture %q is unknown (known: %s)", name, strings.Join(Architectures(), ", "))
	}
	if sd == nil || sd.Len() == 0 {
		return nil, errors.Errorf("%s: the state dict is empty", name)
	}
	c := archConfig{dtype: tensor.Float32, heads: 4, activation: "relu"}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.dtype != tensor.Float32 && c.dtype != tensor.Float64 {
		return nil, errors.Errorf("%s: dtype %v is not float32 or float64", name, c.dtype)
	}
	a, err = b(sd, c)
	if err != nil {
		return nil, err
	}
	a.Name = name
	if err := a.Model.Build(layers.WithDType(c.dtype)); err != nil {
		return nil, errors.Wrapf(err, "%s: build", name)
	}
	return a, nil
}

// ArchOption sets an option of BuildArchitecture.
type ArchOption func(*archConfig)

type archConfig struct {
	dtype      tensor.Dtype
	inputShape []int
	steps      int
	heads      int
	normFirst  bool
	activation string
}

// WithArchDType is the model's float type: tensor.Float32 (default) or tensor.Float64.
func WithArchDType(dt tensor.Dtype) ArchOption { return func(c *archConfig) { c.dtype = dt } }

// WithInputShape is the image shape (height, width, channels) of "resnet18";
// default (224, 224, channels of conv1). Channels must be conv1's.
func WithInputShape(height, width, channels int) ArchOption {
	return func(c *archConfig) { c.inputShape = []int{height, width, channels} }
}

// WithSteps is the sequence length of "lstm-classifier" (required) and
// "transformer-encoder" (default: the positional table's length, the most it
// takes).
func WithSteps(n int) ArchOption { return func(c *archConfig) { c.steps = n } }

// WithHeads is the number of attention heads of "transformer-encoder" (default 4:
// PyTorch's state dict does not record nhead). The width must be a multiple of it.
func WithHeads(n int) ArchOption { return func(c *archConfig) { c.heads = n } }

// WithNormFirst is nn.TransformerEncoderLayer's norm_first of
// "transformer-encoder" (default false: post-norm).
func WithNormFirst(on bool) ArchOption { return func(c *archConfig) { c.normFirst = on } }

// WithFFActivation is nn.TransformerEncoderLayer's activation of
// "transformer-encoder": "relu" (default) or "gelu".
func WithFFActivation(name string) ArchOption { return func(c *archConfig) { c.activation = name } }

// needTensor returns the tensor called name of rank dims, or an error saying
// that the state dict is not of the architecture arch.
func needTensor(sd *StateDict, arch, name string, dims int) (*Tensor, error) {
	t := sd.Get(name)
	if t == nil {
		return nil, errors.Errorf("%s: tensor %q is missing, so the state dict is not a %s (it has %d tensors: %s)",
			arch, name, arch, sd.Len(), firstNames(sd, 4))
	}
	if len(t.Shape) != dims {
		return nil, errors.Errorf("%s: tensor %q has shape %v, want %d dimensions", arch, name, t.Shape, dims)
	}
	for _, d := range t.Shape {
		if d < 1 {
			return nil, errors.Errorf("%s: tensor %q has shape %v with an empty dimension", arch, name, t.Shape)
		}
	}
	return t, nil
}

// wantShape checks that tensor name has exactly shape want.
func wantShape(sd *StateDict, arch, name string, want ...int) error {
	t, err := needTensor(sd, arch, name, len(want))
	if err != nil {
		return err
	}
	for i := range want {
		if t.Shape[i] != want[i] {
			return errors.Errorf("%s: tensor %q has shape %v, want %v", arch, name, t.Shape, want)
		}
	}
	return nil
}

// firstNames is "a, b, c, ..." of the state dict's first n names.
func firstNames(sd *StateDict, n int) string {
	names := sd.Names()
	more := ""
	if len(names) > n {
		names, more = names[:n], ", ..."
	}
	return strings.Join(names, ", ") + more
}

// torchName is the gokeras layer name of a PyTorch module: its prefix with the
// dots made underscores ("layer1.0.conv1" -> "layer1_0_conv1").
func torchName(prefix string) string { return strings.ReplaceAll(prefix, ".", "_") }

// modules records gokeras layer -> torch prefix pairs for an Arch.
type modules map[string]string

// add names a layer after prefix, records it and returns the name.
func (m modules) add(prefix string) string {
	n := torchName(prefix)
	m[n] = prefix
	return n
}

// limit checks 1 <= v <= max for a size read from a file or an option.
func limit(arch, what string, v, max int) error {
	if v < 1 || v > max {
		return errors.Errorf("%s: %s %d is out of range [1, %d]", arch, what, v, max)
	}
	return nil
}
