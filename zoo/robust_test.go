package zoo_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/gokeras/gokeras/zoo"
)

// TestLenetRobustReportsPGD checks that lenet-robust (one epoch on 1,000
// images, PGD-20 on 50 test images) reports its robustness, and the JSON names
// of the fields.
func TestLenetRobustReportsPGD(t *testing.T) {
	res, err := zoo.LenetRobustRecipeRows(1000, 200, 50).Run(context.Background(), zoo.Settings{Epochs: 1})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Robust
	if r == nil {
		t.Fatal("no Robust in the result")
	}
	t.Logf("test %v, robust %+v", res.Test, *r)
	if r.Attack != "pgd" || r.Eps != 0.1 || r.Steps != 20 || r.Rows != 50 || !(r.Accuracy >= 0 && r.Accuracy <= 1) {
		t.Errorf("robust %+v: want pgd, eps 0.1, 20 steps, 50 rows, an accuracy in [0, 1]", *r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"attack", "eps", "steps", "accuracy"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no %q in %s", k, b)
		}
	}
}
