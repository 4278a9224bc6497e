package zoo

import (
	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
)

// lenetRecipe is LeNet-5 (NHWC) on MNIST.
func lenetRecipe() Recipe {
	return newRecipe("lenet",
		"LeNet-5 on MNIST: Conv2D(6,5x5,same) MaxPool Conv2D(16,5x5) MaxPool Dense 120-84-10, Adam",
		"test accuracy >= 0.99 (measured 0.9928) in 6 epochs, ~3 min on 2 cores (pure Go)",
		Settings{Epochs: 6, BatchSize: 64, LR: 0.002, Seed: 42},
		lenetSpec(0, 0))
}

// lenetSpec is the data, model and training of the lenet recipe on
// the first trainRows and testRows of MNIST (0: all).
func lenetSpec(trainRows, testRows int) spec {
	var classes []string
	return spec{
		split: imageData(datasets.MNIST, trainRows, testRows, &classes),
		adapt: nameClasses(&classes),
		model: sequential(func() *layers.Sequential {
			return layers.NewSequential(layers.Input(28, 28, 1), pixelScale(),
				layers.Conv2D(6, 5, layers.WithActivation("relu"), layers.WithPadding("same")),
				layers.MaxPooling2D(2),
				layers.Conv2D(16, 5, layers.WithActivation("relu")),
				layers.MaxPooling2D(2),
				layers.Flatten(),
				layers.Dense(120, layers.WithActivation("relu")),
				layers.Dense(84, layers.WithActivation("relu")),
				layers.Dense(10, layers.WithActivation("softmax")))
		}),
		loss: "sparse_categorical_crossentropy", metrics: []string{"accuracy"}, optimizer: adamCosine,
	}
}

// resBlock is a ResNet basic block: two 3x3 convolutions with batch norm, added to
// a shortcut (a strided 1x1 convolution when the shape changes), then ReLU.
func resBlock(filters, stride int, project bool) layers.Layer {
	branch := []layers.Layer{
		layers.Conv2D(filters, 3, layers.WithStrides(stride, stride), layers.WithPadding("same"), layers.WithBias(false)),
		layers.BatchNormalization(),
		layers.Activation("relu"),
		layers.Conv2D(filters, 3, layers.WithPadding("same"), layers.WithBias(false)),
		layers.BatchNormalization(),
	}
	var shortcut []layers.Layer
	if project {
		shortcut = []layers.Layer{
			layers.Conv2D(filters, 1, layers.WithStrides(stride, stride), layers.WithBias(false)),
			layers.BatchNormalization(),
		}
	}
	return layers.Residual(branch, shortcut, layers.WithActivation("relu"))
}

// resnetFashionRecipe is a ResNet-8-style network (three stages of one basic
// block, 8-16-32 filters) on Fashion-MNIST.
func resnetFashionRecipe() Recipe {
	var classes []string
	return newRecipe("resnet-fashion",
		"ResNet-8 style (3 residual stages, 8-16-32 filters, batch norm) on Fashion-MNIST, Adam",
		"test accuracy >= 0.90 (measured 0.904) in 4 epochs, ~7 min on 2 cores (pure Go)",
		Settings{Epochs: 4, BatchSize: 64, LR: 0.003, Seed: 42},
		spec{
			split: imageData(datasets.FashionMNIST, 0, 0, &classes),
			adapt: nameClasses(&classes),
			model: sequential(func() *layers.Sequential {
				return layers.NewSequential(layers.Input(28, 28, 1), pixelScale(),
					layers.Conv2D(8, 3, layers.WithPadding("same"), layers.WithBias(false)),
					layers.BatchNormalization(),
					layers.Activation("relu"),
					resBlock(8, 1, false),
					resBlock(16, 2, true),
					resBlock(32, 2, true),
					layers.GlobalAveragePooling2D(),
					layers.Dense(10, layers.WithActivation("softmax")))
			}),
			loss: "sparse_categorical_crossentropy", metrics: []string{"accuracy"}, optimizer: adamCosine,
		})
}

// vggDigitsRecipe is a small VGG-style network (stacked 3x3 convolutions and max
// pooling) on scikit-learn's 8x8 digits, scaled to [0, 1].
func vggDigitsRecipe() Recipe {
	return newRecipe("vgg-digits",
		"VGG style (2x Conv2D(16,3x3) MaxPool, 2x Conv2D(32,3x3) MaxPool, Dense 64-10) on 8x8 Digits, Adam",
		"test accuracy >= 0.97 (measured 0.983) in ~15s",
		Settings{Epochs: 30, BatchSize: 32, LR: 0.003, Seed: 42},
		spec{
			split: func(int64) (datasets.Dataset, datasets.Dataset, error) {
				s, err := datasets.Digits()
				if err != nil {
					return nil, nil, err
				}
				train, err := digitImages(s.Train)
				if err != nil {
					return nil, nil, err
				}
				test, err := digitImages(s.Test)
				return train, test, err
			},
			model: sequential(func() *layers.Sequential {
				conv := func(f int) layers.Layer {
					return layers.Conv2D(f, 3, layers.WithActivation("relu"), layers.WithPadding("same"))
				}
				return layers.NewSequential(layers.Input(8, 8, 1), digitScale(),
					conv(16), conv(16), layers.MaxPooling2D(2),
					conv(32), conv(32), layers.MaxPooling2D(2),
					layers.Flatten(),
					layers.Dense(64, layers.WithActivation("relu")),
					layers.Dense(10, layers.WithActivation("softmax")))
			}),
			loss: "sparse_categorical_crossentropy", metrics: []string{"accuracy"}, optimizer: adamCosine,
		})
}

// digitImages reshapes 8x8 digits (64 features, pixel counts in [0, 16]) to raw
// images (8, 8, 1); the models scale them with digitScale.
func digitImages(t *datasets.Tensor) (datasets.Dataset, error) {
	x := append([]float64(nil), t.X().Data().([]float64)...)
	return datasets.FromFlat(x, []int{8, 8, 1}, t.Y().Data().([]float64), []int{1})
}

// digitScale is the first layer of the models of raw 8x8 digits: a Normalization
// with mean 0 and variance 256, x/16, which maps the pixel counts 0..16 to [0, 1]
// (exactly: 16 is a power of two), so that a saved model takes the raw counts.
func digitScale() *layers.NormalizationLayer {
	return layers.Normalization(layers.WithName("scale"), layers.WithMeanVariance([]float64{0}, []float64{256}))
}
