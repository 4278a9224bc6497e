package datasets_test

import (
	"fmt"
	"strings"

	"github.com/gokeras/gokeras/datasets"
)

// Read training data with a string feature one-hot encoded and a missing
// value filled, then encode test data with the training vocabulary, which
// rejects a category it has not seen.
func ExampleReadCSVFrom() {
	train := "color,size,label\nred,1.5,cat\nblue,2,dog\nred,,cat\n"
	opts := []datasets.CSVOption{datasets.CSVOneHot("color"), datasets.CSVFillMissing()}
	tr, err := datasets.ReadCSVFrom(strings.NewReader(train), "train.csv", opts...)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tr.FeatureNames, tr.X.Shape(), tr.X.Float64s())
	fmt.Println(tr.TargetName, tr.Classes(), tr.Y.Float64s())

	opts = append(opts, datasets.CSVVocabulary(tr.Vocabulary))
	test := "color,size,label\nblue,3,dog\n"
	te, err := datasets.ReadCSVFrom(strings.NewReader(test), "test.csv", opts...)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(te.X.Float64s(), te.Y.Float64s())

	_, err = datasets.ReadCSVFrom(strings.NewReader("color,size,label\ngreen,1,cat\n"), "new.csv", opts...)
	fmt.Println(err)
	// Output:
	// [color=red color=blue size] (3, 3) [1 0 1.5 0 1 2 1 0 1.75]
	// label [cat dog] [0 1 0]
	// [0 1 3] [1]
	// datasets.ReadCSVFrom: new.csv:2: column "color" (index 0): category "green" is not in the vocabulary (2 categories: "red", "blue")
}
