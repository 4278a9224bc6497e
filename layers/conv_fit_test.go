package layers_test

import (
	"context"
	"io"
	"math/rand"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// quadrants is a small image task: 8x8x1 noise with one bright 4x4 quadrant,
// whose index (0..3) is the class.
func quadrants(n int, seed int64) (*tensor.Dense, *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	x, y := make([]float32, n*64), make([]float32, n)
	for i := 0; i < n; i++ {
		q := rng.Intn(4)
		y[i] = float32(q)
		for r := 0; r < 8; r++ {
			for c := 0; c < 8; c++ {
				v := 0.3 * rng.Float32()
				if r/4 == q/2 && c/4 == q%2 {
					v += 0.7
				}
				x[i*64+r*8+c] = v
			}
		}
	}
	return tensor.New(tensor.WithShape(n, 8, 8, 1), tensor.WithBacking(x)), tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(y))
}

// TestConvNetLearns: a small convolutional net with batch normalization, a
// residual block and global pooling learns the quadrant task through Fit, and
// inference (moving statistics, batch 1) agrees.
func TestConvNetLearns(t *testing.T) {
	relu := layers.WithActivation("relu")
	model := layers.NewSequential(layers.Input(8, 8, 1),
		layers.Conv2D(8, 3, relu, layers.WithPadding("same")),
		layers.BatchNormalization(),
		layers.Residual([]layers.Layer{layers.Conv2D(8, 3, relu, layers.WithPadding("same")), layers.Conv2D(8, 3, layers.WithPadding("same"))},
			nil, relu),
		layers.MaxPooling2D(2),
		layers.AveragePooling2D(2, layers.WithStrides(1, 1), layers.WithPadding("same")),
		layers.GlobalMaxPooling2D(),
		layers.Dense(4, layers.WithActivation("softmax")))
	tr, err := trainers.New(model, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy"),
		trainers.WithOptimizer(trainers.Adam(0.01)), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	x, y := quadrants(256, 1)
	if _, err := tr.Fit(context.Background(), x, y, trainers.Epochs(8), trainers.BatchSize(32), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	tx, ty := quadrants(128, 2)
	logs, err := tr.Evaluate(context.Background(), tx, ty, trainers.BatchSize(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test accuracy %.3f, loss %.4f", logs["accuracy"], logs["loss"])
	if logs["accuracy"] < 0.95 {
		t.Errorf("test accuracy %.3f after 8 epochs, want >= 0.95 (logs %v)", logs["accuracy"], logs)
	}
}
