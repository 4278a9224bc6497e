package datasets_test

import (
	"fmt"
	"strings"

	"github.com/gokeras/gokeras/datasets"
	"gorgonia.org/tensor"
)

// Read a file whose string features stay text (for a StringLookup layer in
// the model): X holds the numeric feature, Strings the city and color
// columns (the missing city is ""), and the string target is coded as
// usual. Together they make a Multi with string inputs.
func ExampleCSVRawStrings() {
	data := "age,city,color,label\n30,paris,red,yes\n41,,blue,no\n25,rome,red,yes\n"
	d, err := datasets.ReadCSVFrom(strings.NewReader(data), "people.csv", datasets.CSVRawStrings())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.FeatureNames, d.X.Shape(), d.X.Float64s())
	for i, s := range d.Strings {
		fmt.Printf("%s %v %v %q\n", d.StringNames[i], s.Shape(), s.Dtype(), s.Strings())
	}
	fmt.Println(d.TargetName, d.Classes(), d.Y.Float64s())

	inputs := map[string]*tensor.Dense{"numeric": d.X}
	for i, s := range d.Strings {
		inputs[d.StringNames[i]] = s
	}
	ds, err := datasets.NewNamedTensors(inputs, map[string]*tensor.Dense{d.TargetName: d.Y})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range ds.Inputs() {
		fmt.Printf("input %q shape %v dtype %v\n", s.Name, s.Shape, s.DType)
	}
	city := tensor.New(tensor.WithShape(2, 1), tensor.Of(tensor.String))
	if err := datasets.GatherInputMulti(ds, []int{2, 1}, 0, city); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q\n", city.Strings())

	// Strings only go into string destinations.
	err = datasets.GatherInputMulti(ds, []int{2, 1}, 0, tensor.New(tensor.WithShape(2, 1), tensor.Of(tensor.Float32)))
	fmt.Println(err)
	// Output:
	// [age] (3, 1) [30 41 25]
	// city (3, 1) string ["paris" "" "rome"]
	// color (3, 1) string ["red" "blue" "red"]
	// label [yes no] [0 1 0]
	// input "city" shape [1] dtype string
	// input "color" shape [1] dtype string
	// input "numeric" shape [1] dtype float64
	// ["rome" ""]
	// datasets.GatherInputMulti: datasets.Tensors.GatherInput: destination for input "city" has dtype float32, want string for a string source
}
