package zoo

import (
	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// inceptionRecipe is a small Inception network (GoogLeNet-style blocks of
// parallel branches joined by Concatenate) on Fashion-MNIST.
func inceptionRecipe() Recipe { return inceptionRecipeRows(0, 0) }

// inceptionRecipeRows is inceptionRecipe on the first trainRows training and
// testRows test images (0: all of them); the short tests use it.
func inceptionRecipeRows(trainRows, testRows int) Recipe {
	var classes []string
	return newRecipe("inception",
		"Inception style on Fashion-MNIST: Conv2D(16,3x3) MaxPool, two inception blocks (1x1 | 1x1-3x3 | 1x1-3x3-3x3 | "+
			"MaxPool-1x1 branches, Concatenate: 40 and 56 channels) with MaxPool between, Dense 10, Adam",
		"test accuracy >= 0.90 (measured 0.910; 0.9085 with seed 7) in 3 epochs, ~3 min on 2 cores (pure Go, ~60s/epoch)",
		Settings{Epochs: 3, BatchSize: 64, LR: 0.003, Seed: 42},
		spec{
			split:     imageData(datasets.FashionMNIST, trainRows, testRows, &classes),
			adapt:     nameClasses(&classes),
			model:     inceptionModel,
			loss:      "sparse_categorical_crossentropy",
			metrics:   []string{"accuracy"},
			optimizer: adamCosine,
		})
}

// firstRows returns the first n examples of ds (all of them when n is 0 or at
// least ds.Len()).
func firstRows(ds datasets.Dataset, n int) (datasets.Dataset, error) {
	if n <= 0 || n >= ds.Len() {
		return ds, nil
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sub, err := datasets.Subset(ds, idx)
	return sub, errors.Wrapf(err, "first %d examples", n)
}

// inceptionBranches are the filters of an inception block's four branches: a
// 1x1 convolution (f1); a 1x1 reduction (r3) then a 3x3 (f3); a 1x1 reduction
// (r5) then two 3x3 (f5 each: the field of view of a 5x5 for less work); a 3x3
// max pooling (stride 1) then a 1x1 projection (pool).
type inceptionBranches struct {
	f1, r3, f3, r5, f5, pool int
}

// inceptionBlock applies the four branches of b to x, every convolution with
// ReLU and padding "same" so that all branches keep x's height and width, and
// joins them along the channels (Concatenate(-1)). Its layers are named
// name_1x1, name_3x3_reduce, name_3x3, name_5x5_reduce, name_5x5_a, name_5x5_b,
// name_pool and name_pool_proj; the Concatenate is name.
func inceptionBlock(x *layers.Tensor, name string, b inceptionBranches) *layers.Tensor {
	conv := func(in *layers.Tensor, filters, size int, suffix string) *layers.Tensor {
		return layers.Conv2D(filters, size, layers.WithActivation("relu"), layers.WithPadding("same"),
			layers.WithName(name+"_"+suffix)).Apply(in)
	}
	b1 := conv(x, b.f1, 1, "1x1")
	b3 := conv(conv(x, b.r3, 1, "3x3_reduce"), b.f3, 3, "3x3")
	b5 := conv(conv(conv(x, b.r5, 1, "5x5_reduce"), b.f5, 3, "5x5_a"), b.f5, 3, "5x5_b")
	pooled := layers.MaxPooling2D(3, layers.WithStrides(1, 1), layers.WithPadding("same"),
		layers.WithName(name+"_pool")).Apply(x)
	bp := conv(pooled, b.pool, 1, "pool_proj")
	return layers.Concatenate(-1, layers.WithName(name)).Apply(b1, b3, b5, bp)
}

// The blocks of the "inception" recipe: 40 channels at 14x14, 56 at 7x7.
var (
	inceptionA = inceptionBranches{f1: 8, r3: 8, f3: 16, r5: 4, f5: 8, pool: 8}
	inceptionB = inceptionBranches{f1: 16, r3: 16, f3: 24, r5: 8, f5: 8, pool: 8}
)

// inceptionModel is the network of the "inception" recipe: a 3x3 stem and max
// pooling to 14x14, inception block A, max pooling to 7x7, inception block B, and
// a softmax over the flattened features ("class").
func inceptionModel() (layers.Model, error) {
	in := layers.NewInput("image", layers.Shape(28, 28, 1))
	x := layers.Conv2D(16, 3, layers.WithActivation("relu"), layers.WithPadding("same"), layers.WithName("stem")).Apply(pixelScale().Apply(in))
	x = layers.MaxPooling2D(2).Apply(x)
	x = inceptionBlock(x, "inception_a", inceptionA)
	x = layers.MaxPooling2D(2).Apply(x)
	x = inceptionBlock(x, "inception_b", inceptionB)
	x = layers.Flatten().Apply(x)
	out := layers.Dense(10, layers.WithActivation("softmax"), layers.WithName("class")).Apply(x)
	return layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{out}, layers.ModelName("inception"))
}
