package ctc_test

import (
	"fmt"
	"math"

	"github.com/gokeras/gokeras/ctc"
)

// logs turns probabilities into log-probabilities.
func logs(p ...[]float64) [][]float64 {
	out := make([][]float64, len(p))
	for t, row := range p {
		out[t] = make([]float64, len(row))
		for c, v := range row {
			out[t][c] = math.Log(v)
		}
	}
	return out
}

func ExampleGreedy() {
	// classes: 0 blank, 1 "a", 2 "b"; frames a a blank a b
	lp := logs(
		[]float64{0.1, 0.8, 0.1},
		[]float64{0.1, 0.8, 0.1},
		[]float64{0.8, 0.1, 0.1},
		[]float64{0.1, 0.8, 0.1},
		[]float64{0.1, 0.1, 0.8},
	)
	res, err := ctc.Greedy(lp, len(lp), 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("tokens %v, path probability %.4f\n", res.Tokens, math.Exp(res.Score))
	// Output: tokens [1 1 2], path probability 0.3277
}

func ExampleBeamSearch() {
	// Two frames with p(blank) = 0.6, p("a") = 0.4: the best path is blank blank
	// (0.36), but the labelling "a" sums three paths (0.24 + 0.24 + 0.16).
	lp := logs([]float64{0.6, 0.4}, []float64{0.6, 0.4})
	greedy, err := ctc.Greedy(lp, 2, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	beams, err := ctc.BeamSearch(lp, 2, ctc.BeamOptions{Width: 4, TopPaths: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("greedy %v %.2f\n", greedy.Tokens, math.Exp(greedy.Score))
	for _, b := range beams {
		fmt.Printf("beam   %v %.2f\n", b.Tokens, math.Exp(b.Score))
	}
	// Output:
	// greedy [] 0.36
	// beam   [1] 0.64
	// beam   [] 0.36
}

func ExampleWER() {
	fmt.Printf("WER %.3f CER %.3f edits %d\n",
		ctc.WER("three one four", "three one five"),
		ctc.CER("three one four", "three one five"),
		ctc.EditDistance([]int{3, 1, 4}, []int{3, 1, 5}))
	// Output: WER 0.333 CER 0.214 edits 1
}
