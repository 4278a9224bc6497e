package adversarial_test

import (
	"fmt"

	"github.com/gokeras/gokeras/adversarial"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// linearClassifier returns a trainer for a 2-class softmax model of 2 features
// whose logits are Z0 = 0 and Z1 = x0 + x1 - 1: class 1 beyond the line
// x0 + x1 = 1.
func linearClassifier() *trainers.Trainer {
	m := layers.NewSequential(layers.Input(2), layers.Dense(2, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithDType(tensor.Float64))
	if err != nil {
		panic(err)
	}
	ps := m.Params()
	if err := ps[0].SetFloat64s([]float64{0, 1, 0, 1}); err != nil { // kernel (2, 2)
		panic(err)
	}
	if err := ps[1].SetFloat64s([]float64{0, -1}); err != nil { // bias
		panic(err)
	}
	return tr
}

func ExampleFGSM() {
	tr := linearClassifier()
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0.2, 0.3, 0.45, 0.45}))
	y := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 0}))
	res, err := adversarial.FGSM(tr, x, y, 0.1) // each value moves by 0.1 towards the line
	if err != nil {
		panic(err)
	}
	fmt.Printf("x' = %.2f\n", res.X.Data())
	fmt.Println("success:", res.Success)
	fmt.Printf("accuracy %.1f -> %.1f, mean L-inf %.2f\n", res.CleanAccuracy(), res.RobustAccuracy(), res.MeanLinf())
	// Output:
	// x' = [0.30 0.40 0.55 0.55]
	// success: [false true]
	// accuracy 1.0 -> 0.5, mean L-inf 0.10
}

func ExamplePGDL2() {
	tr := linearClassifier()
	// The point (0.2, 0.3) lies 0.5/√2 ≈ 0.354 from the line (L2).
	x := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{0.2, 0.3}))
	y := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0}))
	for _, eps := range []float64{0.3, 0.4} {
		res, err := adversarial.PGDL2(tr, x, y, eps, adversarial.WithSeed(3))
		if err != nil {
			panic(err)
		}
		fmt.Printf("eps %.1f: success %v, L2 <= eps: %v\n", eps, res.Success[0], res.L2[0] <= eps)
	}
	// Output:
	// eps 0.3: success false, L2 <= eps: true
	// eps 0.4: success true, L2 <= eps: true
}

func ExampleCW() {
	tr := linearClassifier()
	x := tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{0.2, 0.3}))
	y := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0}))
	res, err := adversarial.CW(tr, x, y)
	if err != nil {
		panic(err)
	}
	// Near the smallest perturbation that crosses the line: 0.5/√2 ≈ 0.354.
	fmt.Printf("success %v, predicted %d, L2 %.2f\n", res.Success[0], res.Predicted[0], res.L2[0])
	// Output:
	// success true, predicted 1, L2 0.35
}
