package zoo

import (
	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
)

// Data of the "dense" recipe: two moons.
const (
	denseN     = 1000
	denseNoise = 0.1
)

// denseRecipe is the seed's dense network, Dense(10, relu) then Dense(1, sigmoid),
// on two moons, which no linear model separates.
func denseRecipe() Recipe {
	return newRecipe("dense",
		"dense network 2-10-1 (relu, sigmoid) on two moons (noise 0.1): binary_crossentropy, Adam (1000 examples)",
		"test accuracy >= 0.98 (measured 0.995; 0.99-1.00 over 10 seeds) in ~0.5s",
		Settings{Epochs: 100, BatchSize: 32, LR: 0.05, Seed: 42},
		spec{
			data: func(seed int64) (datasets.Dataset, error) { return datasets.Moons(denseN, denseNoise, seed) },
			model: sequential(func() *layers.Sequential {
				return layers.NewSequential(
					layers.Input(2),
					layers.Dense(10, layers.WithActivation("relu")),
					layers.Dense(1, layers.WithActivation("sigmoid")),
				)
			}),
			loss:      "binary_crossentropy",
			metrics:   []string{"accuracy"},
			optimizer: adamCosine,
		})
}
