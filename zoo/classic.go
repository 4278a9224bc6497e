package zoo

import (
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// ownSplit returns a classic data set's own train/test split, raw: the model
// standardizes its input with a Normalization layer (see adaptFirst). The class
// names go to *classes.
func ownSplit(load func() (*datasets.Split, error), classes *[]string) func(int64) (datasets.Dataset, datasets.Dataset, error) {
	return func(int64) (datasets.Dataset, datasets.Dataset, error) {
		s, err := load()
		if err != nil {
			return nil, nil, err
		}
		*classes = append([]string(nil), s.Classes...)
		return s.Train, s.Test, nil
	}
}

// adaptAndName is adaptFirst, then nameClasses.
func adaptAndName(classes *[]string) func(layers.Model, datasets.Multi) error {
	return func(m layers.Model, train datasets.Multi) error {
		if err := adaptFirst(m, train); err != nil {
			return err
		}
		return nameClasses(classes)(m, train)
	}
}

// classifier is a softmax MLP over the given widths, for integer class ids, that
// standardizes its raw input first with a Normalization layer (adapted to the
// training rows by adaptFirst), so that a saved model takes raw rows.
func classifier(in int, hidden []int, classes int) func() *layers.Sequential {
	return func() *layers.Sequential {
		ls := []layers.Layer{layers.Input(in), layers.Normalization()}
		for _, h := range hidden {
			ls = append(ls, layers.Dense(h, layers.WithActivation("relu")))
		}
		ls = append(ls, layers.Dense(classes, layers.WithActivation("softmax")))
		return layers.NewSequential(ls...)
	}
}

// adaptFirst adapts the Normalization layers that read the model's inputs directly
// (the first layer of a Sequential; those applied to an input of a Functional) to
// the training part's values of that input, as a Keras user calls adapt before fit.
func adaptFirst(model layers.Model, train datasets.Multi) error {
	for i, in := range train.Inputs() {
		for _, l := range inputReaders(model, i) {
			norm, ok := l.(*layers.NormalizationLayer)
			if !ok {
				continue
			}
			x, err := wholeInput(train, i, in)
			if err != nil {
				return err
			}
			if err := norm.Adapt(x); err != nil {
				return err
			}
		}
	}
	return nil
}

// inputReaders returns the layers that read input i of model directly.
func inputReaders(model layers.Model, i int) []layers.Layer {
	if s, ok := model.(*layers.Sequential); ok {
		ls := s.Layers()
		for _, l := range ls {
			if _, isInput := l.(*layers.InputLayer); !isInput {
				return []layers.Layer{l}
			}
		}
		return nil
	}
	if f, ok := model.(*layers.Functional); ok {
		return f.InputReaders(i)
	}
	return nil
}

// wholeInput gathers every example of input i of m into one tensor of the input's
// dtype (float64 for float inputs).
func wholeInput(m datasets.Multi, i int, spec datasets.Spec) (*tensor.Dense, error) {
	n := m.Len()
	idx := make([]int, n)
	for k := range idx {
		idx[k] = k
	}
	dt := spec.DType
	if dt == tensor.Float32 {
		dt = tensor.Float64
	}
	x := tensor.New(tensor.Of(dt), tensor.WithShape(append([]int{n}, spec.Shape...)...))
	if err := datasets.GatherInputMulti(m, idx, i, x); err != nil {
		return nil, errors.Wrapf(err, "adapt: gather input %q", spec.Name)
	}
	return x, nil
}

// irisRecipe classifies Iris (scikit-learn's copy, embedded).
func irisRecipe() Recipe {
	var classes []string
	return newRecipe("iris",
		"MLP 4-16-3 on Iris (150 flowers, standardized by a Normalization layer): sparse_categorical_crossentropy, Adam",
		"test accuracy >= 0.95 in ~1s",
		Settings{Epochs: 100, BatchSize: 16, LR: 0.01, Seed: 42},
		spec{
			split:     ownSplit(datasets.Iris, &classes),
			adapt:     adaptAndName(&classes),
			model:     sequential(classifier(4, []int{16}, 3)),
			loss:      "sparse_categorical_crossentropy",
			metrics:   []string{"accuracy"},
			optimizer: adamCosine,
		})
}

// digitsRecipe classifies scikit-learn's 8x8 digits.
func digitsRecipe() Recipe {
	var classes []string
	return newRecipe("digits",
		"MLP 64-64-10 on Digits (1797 8x8 images, standardized by a Normalization layer): sparse_categorical_crossentropy, Adam",
		"test accuracy >= 0.96 in ~3s",
		Settings{Epochs: 60, BatchSize: 32, LR: 0.005, Seed: 42},
		spec{
			split:     ownSplit(datasets.Digits, &classes),
			adapt:     adaptAndName(&classes),
			model:     sequential(classifier(64, []int{64}, 10)),
			loss:      "sparse_categorical_crossentropy",
			metrics:   []string{"accuracy"},
			optimizer: adamCosine,
		})
}

// mnistRecipe is an MLP on MNIST, read from the Go module cache.
func mnistRecipe() Recipe {
	var classes []string
	return newRecipe("mnist",
		"MLP 784-256-10 on MNIST (60000 training images): sparse_categorical_crossentropy, Adam",
		"test accuracy >= 0.975 (measured 0.982) in 5 epochs, ~45s (pure Go)",
		Settings{Epochs: 5, BatchSize: 64, LR: 0.002, Seed: 42},
		spec{
			split: imageData(datasets.MNIST, 0, 0, &classes),
			adapt: nameClasses(&classes),
			model: sequential(func() *layers.Sequential {
				return layers.NewSequential(layers.Input(28, 28, 1), pixelScale(), layers.Flatten(),
					layers.Dense(256, layers.WithActivation("relu")),
					layers.Dense(10, layers.WithActivation("softmax")))
			}),
			loss:      "sparse_categorical_crossentropy",
			metrics:   []string{"accuracy"},
			optimizer: adamCosine,
		})
}

// wholeTarget gathers every example of the first target of m as float64.
func wholeTarget(m datasets.Multi) (*tensor.Dense, error) {
	n := m.Len()
	spec := m.Targets()[0]
	y := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(append([]int{n}, spec.Shape...)...))
	if err := datasets.GatherTargetMulti(m, identityRows(n), 0, y); err != nil {
		return nil, errors.Wrapf(err, "adapt: gather target %q", spec.Name)
	}
	return y, nil
}
