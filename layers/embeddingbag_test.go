package layers_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// bagModel is ids (maxlen) -> EmbeddingBag(5, 2, opts) in dtype dt, the table's
// row i set to (i+1, 10·(i+1)).
func bagModel(t *testing.T, dt tensor.Dtype, maxlen int, opts ...layers.Option) (*layers.Functional, *layers.EmbeddingBagLayer) {
	t.Helper()
	bag := layers.EmbeddingBag(5, 2, opts...)
	m, err := interactionBuild(bag, dt, hids(5, maxlen))
	if err != nil {
		t.Fatal(err)
	}
	tbl := make([]float64, 10)
	for i := 0; i < 5; i++ {
		tbl[2*i], tbl[2*i+1] = float64(i+1), float64(10*(i+1))
	}
	if err := bag.Table().SetFloat64s(tbl); err != nil {
		t.Fatal(err)
	}
	return m, bag
}

func int64Tensor(shape []int, v ...int64) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// TestEmbeddingBagValues: padding adds nothing and does not count; a bag of padding
// only is zeros; repeated ids count each time.
func TestEmbeddingBagValues(t *testing.T) {
	// Bags: {1, 3}, {2, 2, 4}, {} (all padding), {0 ... } depends on the padding id.
	ids := int64Tensor([]int{4, 3}, 1, 3, 0, 2, 2, 4, 0, 0, 0, 1, 0, 0)
	tests := []struct {
		combiner string
		pad      int
		want     []float64
	}{
		{"sum", 0, []float64{6, 60, 11, 110, 0, 0, 2, 20}},
		{"mean", 0, []float64{3, 30, 11.0 / 3, 110.0 / 3, 0, 0, 2, 20}},
		{"sqrtn", 0, []float64{6 / math.Sqrt2, 60 / math.Sqrt2, 11 / math.Sqrt(3), 110 / math.Sqrt(3), 0, 0, 2, 20}},
		// With padding id -1, id 0 (row (1, 10)) is a real id.
		{"sum", -1, []float64{7, 70, 11, 110, 3, 30, 4, 40}},
		{"mean", -1, []float64{7.0 / 3, 70.0 / 3, 11.0 / 3, 110.0 / 3, 1, 10, 4.0 / 3, 40.0 / 3}},
		// Padding 2: the bag {2, 2, 4} keeps only 4.
		{"mean", 2, []float64{7.0 / 3, 70.0 / 3, 5, 50, 1, 10, 4.0 / 3, 40.0 / 3}},
	}
	for _, tc := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			opts := []layers.Option{}
			if tc.combiner != "sum" {
				opts = append(opts, layers.WithCombiner(tc.combiner))
			}
			if tc.pad != 0 {
				opts = append(opts, layers.WithPaddingID(tc.pad))
			}
			m, bag := bagModel(t, dt, 3, opts...)
			if bag.Combiner() != tc.combiner || bag.PaddingID() != tc.pad || bag.Vocab() != 5 || bag.Dim() != 2 {
				t.Errorf("accessors: %s %d %d %d", bag.Combiner(), bag.PaddingID(), bag.Vocab(), bag.Dim())
			}
			interactionClose(t, fmt.Sprintf("%s pad %d %v", tc.combiner, tc.pad, dt), interactionPredict(t, m, ids), tc.want, 1e-6)
		}
	}
}

// TestEmbeddingBagIndexError: an id outside [0, vocab) that is not the padding id
// fails the run with a graph.IndexError naming the example (the row of the batch)
// and the position in the bag; a trainer's Predict names the example of the data.
func TestEmbeddingBagIndexError(t *testing.T) {
	tests := []struct {
		pad      int
		ids      []int64
		row, pos int
		value    int64
	}{
		{0, []int64{1, 2, 0, 3, 5, 0}, 1, 1, 5},
		{0, []int64{1, -1, 0, 3, 4, 0}, 0, 1, -1},
		{-1, []int64{1, -1, -1, -2, 4, 0}, 1, 0, -2},
	}
	for _, tc := range tests {
		m, _ := bagModel(t, tensor.Float32, 3, layers.WithPaddingID(tc.pad))
		g, err := graph.New(graph.Infer, tensor.Float32, 2)
		if err != nil {
			t.Fatal(err)
		}
		x, xv, err := g.InputOf("ids", tensor.Int64, 3)
		if err != nil {
			t.Fatal(err)
		}
		copy(xv.Data().([]int64), tc.ids)
		if _, err := m.ForwardMulti(g, []*G.Node{x}); err != nil {
			t.Fatal(err)
		}
		e, err := graph.NewExecutor(g.ExprGraph())
		if err != nil {
			t.Fatal(err)
		}
		err = e.Run()
		var ie *graph.IndexError
		if !errors.As(err, &ie) {
			t.Fatalf("ids %v: error %v is not a graph.IndexError", tc.ids, err)
		}
		if ie.Row != tc.row || ie.Pos != tc.pos || ie.Value != tc.value || ie.Limit != 5 {
			t.Errorf("ids %v: %+v, want example %d position %d value %d limit 5", tc.ids, *ie, tc.row, tc.pos, tc.value)
		}
		// Predict one example at a time: the error names the example of the data.
		tr, err := trainers.New(m, trainers.WithLoss("mse"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = tr.Predict(int64Tensor([]int{2, 3}, tc.ids...), trainers.BatchSize(1))
		tr.Close()
		want := fmt.Sprintf("example %d: id %d (position %d) is out of range [0, 5)", tc.row, tc.value, tc.pos)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ids %v: Predict error %v, want one containing %q", tc.ids, err, want)
		}
	}
}

// TestEmbeddingBagTrainsOnlyUsedRows: one SGD step moves the rows of the ids in the
// batch and leaves the padding row and unused rows alone.
func TestEmbeddingBagTrainsOnlyUsedRows(t *testing.T) {
	m, bag := bagModel(t, tensor.Float32, 3, layers.WithCombiner("mean"))
	before := bag.Table().Float64s()
	tr, err := trainers.New(m, trainers.WithLoss("mse"), trainers.WithOptimizer(trainers.SGD(0.1)))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	x := int64Tensor([]int{2, 3}, 1, 3, 0, 0, 0, 0)
	y := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{0, 0, 0, 0}))
	if _, err := tr.Fit(context.Background(), x, y, trainers.Epochs(1), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	after := bag.Table().Float64s()
	for row := 0; row < 5; row++ {
		moved := after[2*row] != before[2*row] || after[2*row+1] != before[2*row+1]
		if moved != (row == 1 || row == 3) {
			t.Errorf("row %d moved %v: %v -> %v", row, moved, before[2*row:2*row+2], after[2*row:2*row+2])
		}
	}
}
