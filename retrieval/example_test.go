package retrieval_test

import (
	"fmt"

	"github.com/gokeras/gokeras/retrieval"
)

// Five items and two queries in 2 dimensions: the 2 best items per query by
// dot product, then by cosine similarity, which ignores the length of the
// vectors.
func ExampleTopK() {
	items := []float32{
		1, 0, // item 0
		0, 1, // item 1
		3, 3, // item 2: long, diagonal
		0.9, 0.1, // item 3
		-1, 0, // item 4
	}
	queries := []float32{
		1, 0, // query 0
		0, 2, // query 1
	}
	res, err := retrieval.TopK(items, queries, 2, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < res.Queries; i++ {
		idx, scores := res.Row(i)
		fmt.Println("dot   ", i, idx, scores)
	}

	ix, err := retrieval.NewIndex(items, 2, retrieval.Cosine())
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err = ix.Search(queries, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < res.Queries; i++ {
		idx, scores := res.Row(i)
		fmt.Printf("cosine %d %v [%.3f %.3f]\n", i, idx, scores[0], scores[1])
	}

	_, err = ix.Search(queries, 6)
	fmt.Println(err)
	// Output:
	// dot    0 [2 0] [3 1]
	// dot    1 [2 1] [6 2]
	// cosine 0 [0 3] [1.000 0.994]
	// cosine 1 [1 2] [1.000 0.707]
	// retrieval.Index.Search: k = 6, want 1 <= k <= 5 (the number of items)
}
