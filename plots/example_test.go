package plots_test

import (
	"fmt"

	"github.com/gokeras/gokeras/plots"
)

func ExampleConfusionMatrix() {
	yTrue := []int{0, 0, 1, 1, 1, 2}
	yPred := []int{0, 1, 1, 1, 2, 2}
	cm, err := plots.ConfusionMatrix(yTrue, yPred, []string{"cat", "dog", "bird"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(cm)
	fmt.Printf("recall(dog) %.3f, precision(dog) %.3f\n", cm.Recall(1), cm.Precision(1))
	// Output:
	// true\pred  cat  dog  bird
	// cat          1    1     0
	// dog          0    2     1
	// bird         0    0     1
	// accuracy 0.6667 (4 of 6)
	// recall(dog) 0.667, precision(dog) 0.667
}

// ExampleImageGrid shows the misclassified images of a tiny 2x2 "data set", each
// labelled with its true and predicted class; a notebook would display g.PNG().
func ExampleImageGrid() {
	images := [][]float64{{0, 1, 1, 0}, {1, 0, 0, 1}, {1, 1, 1, 1}}
	yTrue := []int{0, 1, 1}
	yPred := []int{0, 0, 2}
	picked, labels, idx, err := plots.Misclassified(images, yTrue, yPred, nil, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := plots.ImageGrid(picked, 2, 2, 8, labels)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(idx, labels[0] == "true 1\npred 0")
	fmt.Println(g.Image().Bounds().Dx(), "x", g.Image().Bounds().Dy())
	// Output:
	// [1 2] true
	// 128 x 90
}
