package metrics_test

import (
	"fmt"

	"github.com/gokeras/gokeras/trainers/metrics"
)

// In-batch retrieval: each row scores the batch's 4 items for one query,
// and the relevant item of row i is item i (the target holds its index).
func ExampleRecallAtK() {
	scores := []float64{
		0.9, 0.1, 0.3, 0.2, // query 0: item 0 ranks 1st
		0.8, 0.7, 0.1, 0.0, // query 1: item 1 ranks 2nd
		0.5, 0.6, 0.1, 0.7, // query 2: item 2 ranks 4th
		0.1, 0.2, 0.3, 0.9, // query 3: item 3 ranks 1st
	}
	relevant := []float64{0, 1, 2, 3}
	for _, name := range []string{"recall_at_1", "recall_at_2", "ndcg_at_2"} {
		m, err := metrics.New(name, "", 4)
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := m.Update(scores, 4, relevant, 1); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %.4f\n", m.Name(), m.Result())
	}
	// Output:
	// recall_at_1: 0.5000
	// recall_at_2: 0.7500
	// ndcg_at_2: 0.6577
}
