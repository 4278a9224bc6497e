package datasets_test

import (
	"fmt"

	"github.com/gokeras/gokeras/datasets"
)

// Load the iris data set, already split 80/20 stratified by class, and
// standardize it with statistics of the training part only.
func ExampleIris() {
	iris, err := datasets.Iris()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(iris.Train.X().Shape(), iris.Train.Y().Shape(), iris.Test.X().Shape())
	fmt.Println(iris.Features)
	fmt.Println(iris.Classes)

	var scaler datasets.StandardScaler
	if err := scaler.Fit(iris.Train.X()); err != nil {
		fmt.Println(err)
		return
	}
	train, err := scaler.TransformDataset(iris.Train)
	if err != nil {
		fmt.Println(err)
		return
	}
	test, err := scaler.TransformDataset(iris.Test)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(train.Len(), test.Len(), len(scaler.Mean))
	// Output:
	// (120, 4) (120, 1) (30, 4)
	// [sepal length (cm) sepal width (cm) petal length (cm) petal width (cm)]
	// [setosa versicolor virginica]
	// 120 30 4
}
