package datasets_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gokeras/gokeras/datasets"
)

// The Opticks ships with every Go installation: no network needed.
func ExampleOpticks() {
	text, err := datasets.Opticks()
	if err != nil {
		fmt.Println(err)
		return
	}
	first := strings.SplitN(text, "\n", 2)[0]
	fmt.Println(first)
	fmt.Println(strings.Contains(text, "OPTICKS"))
	// Output:
	// Produced by Suzanne Lybarger, steve harris, Josephine
	// true
}

// Fortunes reads /usr/share/games/fortunes (`apt-get install fortunes`) by
// default; here a small folder of the same format stands in for it.
func ExampleFortunes() {
	dir, err := os.MkdirTemp("", "fortunes-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"cats": "Meow.\n%\nThe cat sat on the mat.\n%\nCats sleep all day.\n%\n",
		"dogs": "Woof.\n%\nA dog is a friend.\n%\nThis very long dog story goes on and on.\n%\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			fmt.Println(err)
			return
		}
	}
	set, err := datasets.Fortunes(datasets.FortunesDir(dir),
		datasets.FortunesCategories("cats", "dogs"), datasets.FortunesMaxChars(25))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(set.Len(), set.Classes, set.Counts())
	train, test, err := set.Split(0.4, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("train", train.Counts(), "test", test.Counts())
	// Output:
	// 5 [cats dogs] [3 2]
	// train [2 1] test [1 1]
}

// Next-token windows for a language model: Y is X shifted by one token.
func ExampleLMWindows() {
	ids := []int{5, 6, 7, 8, 9, 10, 11, 12, 13, 14}
	train, test, err := datasets.SplitTokens(ids, 0.9)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(train), len(test))
	set, err := datasets.LMWindows(train, 4, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(set.Len(), set.X().Shape(), set.X().Dtype())
	fmt.Println(set.X().Data(), set.Y().Data())
	// Output:
	// 9 1
	// 3 (3, 4) int32
	// [5 6 7 8 7 8 9 10 9 10 11 12] [6 7 8 9 8 9 10 11 10 11 12 13]
}
