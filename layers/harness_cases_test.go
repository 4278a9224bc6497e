package layers_test

import (
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
)

// harnessInput is one input of a case: its per-example shape, and for ids > 0 an
// Int64 input of ids in [0, ids), for strs a String input drawn from strs.
type harnessInput struct {
	shape []int
	ids   int
	strs  []string
}

// fixed reports whether the input is data without a gradient (ids or strings).
func (h harnessInput) fixed() bool { return h.ids > 0 || h.strs != nil }

func hstrs(strs []string, shape ...int) harnessInput { return harnessInput{shape: shape, strs: strs} }

func hin(shape ...int) harnessInput { return harnessInput{shape: shape} }

func hids(vocab int, shape ...int) harnessInput { return harnessInput{shape: shape, ids: vocab} }

// harnessCase is one layer of the harness.
type harnessCase struct {
	name string
	// class is the layer's Type() (and its class in a model file).
	class string
	// make returns a new, unbuilt layer (every subtest makes its own).
	make   func() layers.Layer
	inputs []harnessInput
	// out is the expected output shape (no batch axis); outInt marks Int64 ids.
	out    []int
	outInt bool
	// trainable and nonTrainable count the weight tensors.
	trainable, nonTrainable int
	// gradTol is the largest relative error of the gradient check (default 1e-6).
	gradTol float64
}

// harnessCases are the cases of this file and of the layer families' case files
// (harness_features_test.go, harness_interactions_test.go).
func harnessCases() []harnessCase {
	cs := baseHarnessCases()
	cs = append(cs, featureHarnessCases()...)
	cs = append(cs, interactionHarnessCases()...)
	cs = append(cs, conv1DHarnessCases()...)
	cs = append(cs, seqUtilHarnessCases()...)
	cs = append(cs, rnnHarnessCases()...)
	cs = append(cs, textVecHarnessCases()...)
	cs = append(cs, attentionHarnessCases()...)
	return append(cs, transformerHarnessCases()...)
}

func baseHarnessCases() []harnessCase {
	tanh := layers.WithActivation("tanh")
	return []harnessCase{
		{name: "dense", class: "Dense", make: func() layers.Layer { return layers.Dense(3, tanh) },
			inputs: []harnessInput{hin(4)}, out: []int{3}, trainable: 2},
		{name: "dense no bias", class: "Dense", make: func() layers.Layer { return layers.Dense(3, layers.WithBias(false)) },
			inputs: []harnessInput{hin(4)}, out: []int{3}, trainable: 1},
		{name: "dense l1l2 regularizer", class: "Dense",
			make: func() layers.Layer {
				return layers.Dense(3, layers.WithKernelRegularizer(graph.Regularizer{L1: 0.01, L2: 0.1}))
			},
			inputs: []harnessInput{hin(4)}, out: []int{3}, trainable: 2},
		{name: "dense on 3-d input", class: "Dense", make: func() layers.Layer { return layers.Dense(2, layers.WithActivation("sigmoid")) },
			inputs: []harnessInput{hin(3, 4)}, out: []int{3, 2}, trainable: 2},
		{name: "activation softmax", class: "Activation", make: func() layers.Layer { return layers.Activation("softmax") },
			inputs: []harnessInput{hin(5)}, out: []int{5}},
		{name: "dropout", class: "Dropout", make: func() layers.Layer { return layers.Dropout(0.3) },
			inputs: []harnessInput{hin(6)}, out: []int{6}},
		{name: "flatten", class: "Flatten", make: func() layers.Layer { return layers.Flatten() },
			inputs: []harnessInput{hin(2, 3, 2)}, out: []int{12}},
		{name: "reshape", class: "Reshape", make: func() layers.Layer { return layers.Reshape([]int{3, -1}) },
			inputs: []harnessInput{hin(6)}, out: []int{3, 2}},
		{name: "conv2d valid", class: "Conv2D", make: func() layers.Layer { return layers.Conv2D(3, 3, tanh) },
			inputs: []harnessInput{hin(5, 5, 2)}, out: []int{3, 3, 3}, trainable: 2},
		{name: "conv2d same strides l2", class: "Conv2D",
			make: func() layers.Layer {
				return layers.Conv2D(2, 0, layers.WithKernelSize(2, 3), layers.WithStrides(2, 2), layers.WithPadding("same"),
					layers.WithKernelRegularizer(graph.L2(0.05)))
			},
			inputs: []harnessInput{hin(5, 6, 1)}, out: []int{3, 3, 2}, trainable: 2},
		{name: "max pooling", class: "MaxPooling2D", make: func() layers.Layer { return layers.MaxPooling2D(2) },
			inputs: []harnessInput{hin(4, 4, 2)}, out: []int{2, 2, 2}},
		{name: "average pooling same", class: "AveragePooling2D",
			make:   func() layers.Layer { return layers.AveragePooling2D(2, layers.WithPadding("same")) },
			inputs: []harnessInput{hin(5, 5, 2)}, out: []int{3, 3, 2}},
		{name: "global average pooling", class: "GlobalAveragePooling2D", make: func() layers.Layer { return layers.GlobalAveragePooling2D() },
			inputs: []harnessInput{hin(3, 4, 2)}, out: []int{2}},
		{name: "global max pooling", class: "GlobalMaxPooling2D", make: func() layers.Layer { return layers.GlobalMaxPooling2D() },
			inputs: []harnessInput{hin(3, 4, 2)}, out: []int{2}},
		{name: "batch normalization", class: "BatchNormalization",
			make:   func() layers.Layer { return layers.BatchNormalization(layers.WithMomentum(0.9)) },
			inputs: []harnessInput{hin(3, 3, 2)}, out: []int{3, 3, 2}, trainable: 2, nonTrainable: 2},
		{name: "normalization", class: "Normalization",
			make: func() layers.Layer {
				return layers.Normalization(layers.WithMeanVariance([]float64{0.5, -1, 2}, []float64{4, 0.25, 1}))
			},
			inputs: []harnessInput{hin(3)}, out: []int{3}, nonTrainable: 2},
		{name: "normalization invert on images", class: "Normalization",
			make: func() layers.Layer {
				return layers.Normalization(layers.WithInvert(true), layers.WithMeanVariance([]float64{3, -2}, []float64{9, 0.5}))
			},
			inputs: []harnessInput{hin(2, 3, 2)}, out: []int{2, 3, 2}, nonTrainable: 2},
		{name: "string lookup", class: "StringLookup",
			make: func() layers.Layer {
				return layers.StringLookup(layers.WithVocabulary([]string{"red", "green", "blue"}), layers.WithNumOOVIndices(2))
			},
			// "mauve" and "teal" are unknown: they get the out-of-vocabulary ids 0 and 1.
			inputs: []harnessInput{hstrs([]string{"red", "green", "blue", "mauve", "teal"}, 2)}, out: []int{2}, outInt: true},
		{name: "integer lookup", class: "IntegerLookup",
			make:   func() layers.Layer { return layers.IntegerLookup(layers.WithIntVocabulary([]int64{7, 3, 1, 0})) },
			inputs: []harnessInput{hids(9, 3)}, out: []int{3}, outInt: true},
		{name: "category encoding one-hot", class: "CategoryEncoding",
			make:   func() layers.Layer { return layers.CategoryEncoding(5) },
			inputs: []harnessInput{hids(5, 1)}, out: []int{5}},
		{name: "category encoding count", class: "CategoryEncoding",
			make:   func() layers.Layer { return layers.CategoryEncoding(4, layers.WithOutputMode("count")) },
			inputs: []harnessInput{hids(4, 3)}, out: []int{4}},
		{name: "zero padding", class: "ZeroPadding2D", make: func() layers.Layer { return layers.ZeroPadding2D(1, 0, 2, 1) },
			inputs: []harnessInput{hin(2, 3, 2)}, out: []int{3, 6, 2}},
		{name: "residual", class: "Residual",
			make: func() layers.Layer {
				return layers.Residual([]layers.Layer{
					layers.Conv2D(2, 3, layers.WithPadding("same"), tanh),
					layers.BatchNormalization(),
				}, nil, tanh)
			},
			inputs: []harnessInput{hin(4, 4, 2)}, out: []int{4, 4, 2}, trainable: 4, nonTrainable: 2},
		{name: "residual projection", class: "Residual",
			make: func() layers.Layer {
				return layers.Residual([]layers.Layer{layers.Conv2D(3, 3, layers.WithPadding("same"), layers.WithStrides(2, 2))},
					[]layers.Layer{layers.Conv2D(3, 1, layers.WithStrides(2, 2))})
			},
			inputs: []harnessInput{hin(5, 5, 2)}, out: []int{3, 3, 3}, trainable: 4},
		{name: "add", class: "Add", make: func() layers.Layer { return layers.Add() },
			inputs: []harnessInput{hin(3), hin(3), hin(3)}, out: []int{3}},
		{name: "subtract", class: "Subtract", make: func() layers.Layer { return layers.Subtract() },
			inputs: []harnessInput{hin(2, 3), hin(2, 3)}, out: []int{2, 3}},
		{name: "multiply", class: "Multiply", make: func() layers.Layer { return layers.Multiply() },
			inputs: []harnessInput{hin(4), hin(4)}, out: []int{4}},
		{name: "average", class: "Average", make: func() layers.Layer { return layers.Average() },
			inputs: []harnessInput{hin(4), hin(4), hin(4)}, out: []int{4}},
		{name: "maximum", class: "Maximum", make: func() layers.Layer { return layers.Maximum() },
			inputs: []harnessInput{hin(4), hin(4)}, out: []int{4}},
		{name: "minimum", class: "Minimum", make: func() layers.Layer { return layers.Minimum() },
			inputs: []harnessInput{hin(2, 2), hin(2, 2), hin(2, 2)}, out: []int{2, 2}},
		{name: "concatenate last axis", class: "Concatenate", make: func() layers.Layer { return layers.Concatenate(-1) },
			inputs: []harnessInput{hin(3, 2), hin(3, 4)}, out: []int{3, 6}},
		{name: "concatenate axis 1", class: "Concatenate", make: func() layers.Layer { return layers.Concatenate(1) },
			inputs: []harnessInput{hin(1, 3), hin(2, 3), hin(3, 3)}, out: []int{6, 3}},
		{name: "dot rank 2", class: "Dot", make: func() layers.Layer { return layers.Dot(1) },
			inputs: []harnessInput{hin(5), hin(5)}, out: []int{1}},
		{name: "dot rank 2 normalize", class: "Dot", make: func() layers.Layer { return layers.Dot(1, layers.WithNormalize(true)) },
			inputs: []harnessInput{hin(5), hin(5)}, out: []int{1}},
		{name: "dot rank 3 axes 2", class: "Dot", make: func() layers.Layer { return layers.Dot(2) },
			inputs: []harnessInput{hin(3, 4), hin(5, 4)}, out: []int{3, 5}},
		{name: "dot rank 3 axes 1 2 normalize", class: "Dot",
			make:   func() layers.Layer { return layers.DotAxes(1, 2, layers.WithNormalize(true)) },
			inputs: []harnessInput{hin(3, 4), hin(4, 3)}, out: []int{4, 4}},
		{name: "embedding", class: "Embedding", make: func() layers.Layer { return layers.Embedding(7, 4) },
			inputs: []harnessInput{hids(7, 3)}, out: []int{3, 4}, trainable: 1},
		{name: "embedding mask zero", class: "Embedding",
			make:   func() layers.Layer { return layers.Embedding(6, 2, layers.WithMaskZero(true)) },
			inputs: []harnessInput{hids(6, 2, 2)}, out: []int{2, 2, 2}, trainable: 1},
		{name: "nested sequential", class: "Sequential",
			make: func() layers.Layer {
				return layers.NewSequential(layers.Dense(3, tanh), layers.Dropout(0.2), layers.Dense(2))
			},
			inputs: []harnessInput{hin(4)}, out: []int{2}, trainable: 4},
		{name: "nested sequential with input", class: "Sequential",
			make: func() layers.Layer {
				s := layers.NewSequential(layers.Input(2, 2, 1), layers.Conv2D(2, 1), layers.BatchNormalization(), layers.Flatten())
				s.SetName("tower")
				return s
			},
			inputs: []harnessInput{hin(2, 2, 1)}, out: []int{8}, trainable: 4, nonTrainable: 2},
		{name: "nested functional", class: "Functional",
			make: func() layers.Layer {
				a := layers.NewInput("a", layers.Shape(4))
				b := layers.NewInput("b", layers.Shape(4))
				shared := layers.Dense(3, tanh)
				y := layers.Concatenate(-1).Apply(shared.Apply(a), shared.Apply(b))
				y = layers.Dense(2).Apply(y)
				m, err := layers.NewModel([]*layers.Tensor{a, b}, []*layers.Tensor{y}, layers.ModelName("inner"))
				if err != nil {
					panic(err)
				}
				return m
			},
			inputs: []harnessInput{hin(4), hin(4)}, out: []int{2}, trainable: 4},
		{name: "nested functional with ids", class: "Functional",
			make: func() layers.Layer {
				ids := layers.NewInput("ids", layers.Shape(2), layers.Int64)
				x := layers.NewInput("x", layers.Shape(3))
				e := layers.Flatten().Apply(layers.Embedding(5, 2).Apply(ids))
				y := layers.Dense(2).Apply(layers.Concatenate(-1).Apply(e, x))
				m, err := layers.NewModel([]*layers.Tensor{ids, x}, []*layers.Tensor{y}, layers.ModelName("inner"))
				if err != nil {
					panic(err)
				}
				return m
			},
			inputs: []harnessInput{hids(5, 2), hin(3)}, out: []int{2}, trainable: 3},
	}
}
