package privacy_test

import (
	"fmt"

	"github.com/gokeras/gokeras/privacy"
)

// The privacy of DP-SGD on MNIST, as the TensorFlow Privacy tutorial trains it.
func ExampleDPSGDEpsilon() {
	s, err := privacy.DPSGDEpsilon(60000, 256, 1.1, 60, 1e-5)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("epsilon %.2f at order %g (q %.5f, %d steps)\n", s.Epsilon, s.Order, s.SamplingRate, s.Steps)
	// Output:
	// epsilon 2.60 at order 8 (q 0.00427, 14100 steps)
}

// An accountant composes steps of different noise and sampling rates.
func ExampleAccountant() {
	acc := privacy.NewAccountant()
	if err := acc.Step(1.1, 256.0/60000, 14100); err != nil { // 60 epochs
		fmt.Println(err)
		return
	}
	eps, order, _ := acc.Epsilon(1e-5)
	classic, classicOrder, _ := acc.EpsilonConversion(1e-5, privacy.Classic)
	fmt.Printf("improved %.2f (order %g), classic %.2f (order %g)\n", eps, order, classic, classicOrder)
	if err := acc.Step(2, 512.0/60000, 1000); err != nil { // fine-tuning with more noise
		fmt.Println(err)
		return
	}
	eps, _, _ = acc.Epsilon(1e-5)
	fmt.Printf("after %d steps: %.2f\n", acc.Steps(), eps)
	_, _, err := acc.Epsilon(1)
	fmt.Println(err)
	// Output:
	// improved 2.60 (order 8), classic 3.01 (order 9)
	// after 15100 steps: 2.68
	// privacy: delta 1 must be in (0, 1)
}

// RDP of one step, by the closed form and by numerical integration.
func ExampleRDP() {
	closed, _ := privacy.RDP(0.01, 1.1, 8)
	integrated, _ := privacy.IntegratedRDP(0.01, 1.1, 8)
	gaussian, _ := privacy.RDP(1, 1.1, 8) // no sampling: 8/(2*1.1^2)
	fmt.Printf("%.9f %.9f %.4f\n", closed, integrated, gaussian)
	// Output:
	// 0.000584070 0.000584070 3.3058
}
