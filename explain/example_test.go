package explain_test

import (
	"fmt"

	"github.com/gokeras/gokeras/explain"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// linearModel returns a trainer for a model of 3 features and 2 classes whose
// class-0 logit is 2·x0 − 1·x1 + 0.5·x2 and class-1 logit is x2.
func linearModel() *trainers.Trainer {
	m := layers.NewSequential(layers.Input(3), layers.Dense(2, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithDType(tensor.Float64)) // no loss: it only explains
	if err != nil {
		panic(err)
	}
	ps := m.Params()
	if err := ps[0].SetFloat64s([]float64{2, 0, -1, 0, 0.5, 1}); err != nil { // kernel (3, 2)
		panic(err)
	}
	if err := ps[1].SetFloat64s([]float64{0, 0}); err != nil { // bias
		panic(err)
	}
	return tr
}

func ExampleSaliency() {
	tr := linearModel()
	x := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3}))
	s, err := explain.Saliency(tr, x, explain.WithClass(0))
	if err != nil {
		panic(err)
	}
	fmt.Println("|d logit0 / dx|:", s.Data())
	gx, err := explain.Saliency(tr, x, explain.WithClass(0), explain.WithGradientTimesInput())
	if err != nil {
		panic(err)
	}
	fmt.Println("gradient × input:", gx.Data())
	// Output:
	// |d logit0 / dx|: [2 1 0.5]
	// gradient × input: [2 -2 1.5]
}

func ExampleIntegratedGradients() {
	tr := linearModel()
	x := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3}))
	res, err := explain.IntegratedGradients(tr, x) // the predicted class: 1 (logits 1.5 and 3)
	if err != nil {
		panic(err)
	}
	fmt.Println("attributions:", res.Attributions.Data())
	fmt.Printf("F(x) − F(0) = %.2f, completeness error %.2g\n", res.Delta[0], res.CompletenessError[0])
	// Output:
	// attributions: [0 0 3]
	// F(x) − F(0) = 3.00, completeness error 0
}

func ExampleOcclusion() {
	tr := linearModel()
	// The 3 features as an image of 1 row, 3 columns, 1 channel.
	x := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3}))
	a, err := explain.Occlusion(tr, x, explain.WithClass(0), explain.WithPatch(1), explain.WithImageShape(1, 3, 1))
	if err != nil {
		panic(err)
	}
	fmt.Println("drop of logit 0 per feature:", a.Data())
	// Output:
	// drop of logit 0 per feature: [2 -2 1.5]
}

func ExampleGradCAM() {
	// A 2x2 stride-2 convolution averaging each 2x2 block of a 4x4 image, then a
	// Dense whose class-0 logit is the sum of the averages: Grad-CAM of class 0 is
	// the map of block averages, upsampled to 4x4.
	m := layers.NewSequential(layers.Input(4, 4, 1),
		layers.Conv2D(1, 2, layers.WithStrides(2, 2), layers.WithName("blocks")),
		layers.Flatten(), layers.Dense(2, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithDType(tensor.Float64))
	if err != nil {
		panic(err)
	}
	values := [][]float64{{0.25, 0.25, 0.25, 0.25}, {0}, {1, 0, 1, 0, 1, 0, 1, 0}, {0, 0}}
	for i, p := range m.Params() {
		if err := p.SetFloat64s(values[i]); err != nil {
			panic(err)
		}
	}
	x := tensor.New(tensor.WithShape(1, 4, 4, 1), tensor.WithBacking([]float64{
		1, 1, 0, 0,
		1, 1, 0, 0,
		0, 0, 0, 0,
		0, 0, 0, 0}))
	res, err := explain.GradCAM(tr, x, explain.WithClass(0))
	if err != nil {
		panic(err)
	}
	fmt.Println("layer:", res.Layer, "coarse:", res.Coarse.Data())
	h := res.Heatmaps.Data().([]float64)
	for y := 0; y < 4; y++ {
		fmt.Printf("%.2f\n", h[y*4:(y+1)*4])
	}
	// Output:
	// layer: blocks coarse: [1 0 0 0]
	// [1.00 0.75 0.25 0.00]
	// [0.75 0.56 0.19 0.00]
	// [0.25 0.19 0.06 0.00]
	// [0.00 0.00 0.00 0.00]
}

func ExamplePermutationImportance() {
	// A regression model y = x0 (weights set) that ignores x1.
	m := layers.NewSequential(layers.Input(2), layers.Dense(1))
	tr, err := trainers.New(m, trainers.WithDType(tensor.Float64))
	if err != nil {
		panic(err)
	}
	if err := m.Params()[0].SetFloat64s([]float64{1, 0}); err != nil {
		panic(err)
	}
	x := tensor.New(tensor.WithShape(6, 2), tensor.WithBacking([]float64{
		0, 5, 1, -3, 2, 8, 3, 0, 4, 1, 5, -2}))
	y := tensor.New(tensor.WithShape(6), tensor.WithBacking([]float64{0, 1, 2, 3, 4, 5}))
	res, err := explain.PermutationImportance(tr, x, y, explain.WithRepeats(3))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s before shuffling: %.2f\n", res.Metric, res.Baseline)
	for j := range res.Mean {
		fmt.Printf("feature %d: mse increase %.2f ± %.2f\n", j, res.Mean[j], res.Std[j])
	}
	// Output:
	// mse before shuffling: 0.00
	// feature 0: mse increase 7.11 ± 3.40
	// feature 1: mse increase 0.00 ± 0.00
}

func ExampleKernelSHAP() {
	tr := linearModel() // class-0 logit 2·x0 − x1 + 0.5·x2
	x := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3}))
	background := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{0, 0, 0, 2, 2, 2}))
	res, err := explain.KernelSHAP(tr, x, background, explain.WithClass(0))
	if err != nil {
		panic(err)
	}
	fmt.Printf("SHAP values: %.2f\n", res.Values.Data())
	fmt.Printf("base %.2f + sum of values = f(x) %.2f (additivity error below 1e-12: %v; exact: %v)\n",
		res.BaseValue[0], res.Output[0], res.MaxAdditivityError() < 1e-12, res.Exact)
	// Output:
	// SHAP values: [0.00 -1.00 1.00]
	// base 1.50 + sum of values = f(x) 1.50 (additivity error below 1e-12: true; exact: true)
}
