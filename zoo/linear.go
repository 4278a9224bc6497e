package zoo

import (
	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// linearN is the number of examples of the "linear" recipe.
const linearN = 1000

// linearRecipe is linear regression y = 3x + 2 + U(0,1) with one Dense unit,
// checked against the closed-form least-squares fit of the training split.
func linearRecipe() Recipe {
	return newRecipe("linear",
		"linear regression y = 3x + 2 + U(0,1): Dense(1), mse, Adam (1000 examples)",
		"weight and bias within 0.02 of least squares (measured 0.001), test mae ~0.26, in ~0.2s",
		Settings{Epochs: 200, BatchSize: 100, LR: 0.05, Seed: 42},
		spec{
			data: func(seed int64) (datasets.Dataset, error) { return datasets.Linear(linearN, seed) },
			model: sequential(func() *layers.Sequential {
				return layers.NewSequential(layers.Input(1), layers.Dense(1))
			}),
			loss:      "mse",
			metrics:   []string{"mae"},
			optimizer: adamConstant,
			extra:     linearExtra,
		})
}

// linearExtra reports the trained weight and bias next to the least-squares ones.
func linearExtra(model layers.Model, train datasets.Multi) (map[string]float64, error) {
	ls := model.Layers()
	dense, ok := ls[len(ls)-1].(*layers.DenseLayer)
	if !ok || dense.Kernel() == nil || dense.Bias() == nil {
		return nil, errors.New("linear: the last layer is not a built Dense layer with a bias")
	}
	w, b := dense.Kernel().Float64s(), dense.Bias().Float64s()
	if len(w) != 1 || len(b) != 1 {
		return nil, errors.Errorf("linear: want one weight and one bias, got %d and %d", len(w), len(b))
	}
	ds, err := datasets.AsDataset(train)
	if err != nil {
		return nil, errors.Wrap(err, "linear: training data")
	}
	x, y, err := columns(ds)
	if err != nil {
		return nil, errors.Wrap(err, "linear: training data")
	}
	lsW, lsB, err := leastSquares(x, y)
	if err != nil {
		return nil, errors.Wrap(err, "linear")
	}
	return map[string]float64{"weight": w[0], "bias": b[0], "ls_weight": lsW, "ls_bias": lsB}, nil
}
