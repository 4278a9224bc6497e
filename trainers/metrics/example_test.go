package metrics_test

import (
	"fmt"

	"github.com/gokeras/gokeras/trainers/metrics"
)

func ExampleNew() {
	// A binary classifier with one sigmoid output: "acc" becomes binary accuracy.
	acc, err := metrics.New("acc", "binary_crossentropy", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	auc, err := metrics.New("auc", "binary_crossentropy", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	batches := []struct{ pred, target []float64 }{
		{[]float64{0.9, 0.2, 0.6, 0.4}, []float64{1, 0, 0, 1}},
		{[]float64{0.8, 0.1}, []float64{1, 0}},
	}
	for _, b := range batches {
		for _, m := range []metrics.Metric{acc, auc} {
			if err := m.Update(b.pred, 1, b.target, 1); err != nil {
				fmt.Println(err)
				return
			}
		}
	}
	fmt.Printf("%s: %.4f\n", acc.Name(), acc.Result())
	fmt.Printf("%s: %.4f\n", auc.Name(), auc.Result())

	_, err = metrics.New("f1", "", 1)
	fmt.Println(err)
	// Output:
	// accuracy: 0.6667
	// auc: 0.8889
	// metrics: unknown metric "f1"; valid names: acc, accuracy, auc, binary_accuracy, categorical_accuracy, mae, mean_absolute_error, mean_squared_error, mse, precision, recall, rmse, root_mean_squared_error, sparse_categorical_accuracy
}
