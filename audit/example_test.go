package audit_test

import (
	"fmt"

	"github.com/gokeras/gokeras/audit"
)

func ExampleLossAttack() {
	// Losses of rows a model was trained on, and of rows it never saw.
	members := []float64{0.01, 0.02, 0.03, 0.5}
	nonMembers := []float64{0.04, 0.3, 0.8, 1.2}
	r, err := audit.LossAttack(members, nonMembers)
	if err != nil {
		panic(err)
	}
	fmt.Printf("AUC %.3f, advantage %.2f at loss <= %.2f\n", r.AUC, r.Advantage, r.Threshold)
	// Output:
	// AUC 0.875, advantage 0.75 at loss <= 0.03
}
