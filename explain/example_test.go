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
