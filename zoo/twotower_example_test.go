package zoo_test

import (
	"context"
	"fmt"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/zoo"
	"gorgonia.org/tensor"
)

// Train a two-tower retriever on synthetic interactions and compare its exact
// top-k retrieval with recommending the most popular items.
func ExampleRunTwoTower() {
	data, err := datasets.NewInteractions(datasets.InteractionsConfig{Users: 600, Items: 400, Seed: 7})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := zoo.RunTwoTower(context.Background(), data, zoo.TwoTowerConfig{}, zoo.Settings{Epochs: 4, BatchSize: 128})
	if err != nil {
		fmt.Println(err)
		return
	}
	// recall@10 is about 0.4 (the exact value depends on how embeddings are
	// updated: see trainers' sparse updates), the most popular items' 0.17.
	fmt.Printf("beats the most popular items: %v (most popular %.2f)\n",
		res.Test["recall_at_10"] > 1.5*res.Extra["popularity_recall_at_10"], res.Extra["popularity_recall_at_10"])
	// Output:
	// beats the most popular items: true (most popular 0.17)
}

// Two users, four items: user 0 has already seen item 0, which is removed
// from its ranking, and its held-out item 2 comes second; user 1's held-out
// item 3 comes first.
func ExampleEvaluateRetrieval() {
	items := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{1, 0, 0.8, 0.6, 0.6, 0.8, 0, 1}))
	users := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 0, 0, 1}))
	m, err := zoo.EvaluateRetrieval(users, items, [][]int{{0}, nil}, [][]int{{2}, {3}}, []int{1, 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("recall@1 %.2f recall@2 %.2f ndcg@2 %.3f\n", m["recall_at_1"], m["recall_at_2"], m["ndcg_at_2"])
	// Output:
	// recall@1 0.50 recall@2 1.00 ndcg@2 0.815
}
