package disttest

import (
	"math"
	"math/rand"

	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// Data is a classification problem of n rows, the same for a given n and shape:
// x (n, shape...) float64, y (n, 1) class ids of 3 classes that depend on x.
func Data(n int, shape ...int) (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(3))
	w := 1
	for _, s := range shape {
		w *= s
	}
	xs, ys := make([]float64, n*w), make([]float64, n)
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < w; j++ {
			v := rng.NormFloat64()
			xs[i*w+j] = v
			s += v * float64(j%3-1)
		}
		ys[i] = float64(int(math.Abs(s*2)) % 3)
	}
	return tensor.New(tensor.WithShape(append([]int{n}, shape...)...), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys))
}

// MLP is a 6-16-3 network (tanh, then logits) for Data(n, 6).
func MLP() layers.Model {
	return layers.NewSequential(layers.Input(6), layers.Dense(16, layers.WithActivation("tanh")), layers.Dense(3))
}

// Conv is a small conv net (Conv2D 4 3x3 relu, max pooling, Dense 3) for
// Data(n, 6, 6, 1).
func Conv() layers.Model {
	return layers.NewSequential(layers.Input(6, 6, 1), layers.Conv2D(4, 3, layers.WithActivation("relu")),
		layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(3))
}
