package layers_test

import (
	"errors"
	"testing"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// embeddingRun builds ids -> Embedding(5, 2) (with mask_zero or not) in a model of
// dtype dt, runs it on ids of the given dtype and returns the output, the mask
// recorded for it (nil if none) and the run's error.
func embeddingRun(t *testing.T, maskZero bool, dt, idType tensor.Dtype, ids []int64, shape ...int) (y, mask []float64, err error) {
	t.Helper()
	opt := layers.Int64
	if idType == tensor.Int32 {
		opt = layers.Int32
	}
	in := layers.NewInput("ids", layers.Shape(shape[1:]...), opt)
	e := layers.Embedding(5, 2, layers.WithMaskZero(maskZero), layers.WithName("emb"))
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{e.Apply(in)})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithDType(dt)); err != nil {
		t.Fatal(err)
	}
	if e.Table().Value.Dtype() != dt {
		t.Fatalf("table is %v in a %v model", e.Table().Value.Dtype(), dt)
	}
	// Row i of the table is (i, 10·i).
	tbl := make([]float64, 10)
	for i := 0; i < 5; i++ {
		tbl[2*i], tbl[2*i+1] = float64(i), float64(10*i)
	}
	if err := e.Table().SetFloat64s(tbl); err != nil {
		t.Fatal(err)
	}
	g, err := graph.New(graph.Infer, dt, shape[0])
	if err != nil {
		t.Fatal(err)
	}
	x, xv, err := g.InputOf("ids", idType, shape[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	switch d := xv.Data().(type) {
	case []int64:
		copy(d, ids)
	case []int32:
		for i, v := range ids {
			d[i] = int32(v)
		}
	}
	outs, err := m.ForwardMulti(g, []*G.Node{x})
	if err != nil {
		t.Fatal(err)
	}
	mn, hasMask := g.Mask(outs[0])
	if hasMask != maskZero {
		t.Fatalf("mask recorded %v, want %v", hasMask, maskZero)
	}
	e2, err := graph.NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := e2.Run(); err != nil {
		return nil, nil, err
	}
	y = harnessValues(e2.Dense(outs[0]))
	if hasMask {
		mask = harnessValues(e2.Dense(mn))
	}
	return y, mask, nil
}

// TestEmbeddingLookupAndMask: the lookup returns the table's rows for int32 and
// int64 ids in float32 and float64 models; with mask_zero the recorded mask is 1
// for real ids and 0 for the padding id 0, of the ids' shape.
func TestEmbeddingLookupAndMask(t *testing.T) {
	ids := []int64{1, 0, 4, 0, 0, 3}
	want := []float64{1, 10, 0, 0, 4, 40, 0, 0, 0, 0, 3, 30}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, it := range []tensor.Dtype{tensor.Int64, tensor.Int32} {
			for _, mz := range []bool{false, true} {
				y, mask, err := embeddingRun(t, mz, dt, it, ids, 2, 3)
				if err != nil {
					t.Fatalf("%v %v mask %v: %v", dt, it, mz, err)
				}
				if !harnessEqual(y, want) {
					t.Errorf("%v %v mask %v: y %v, want %v", dt, it, mz, y, want)
				}
				if mz && !harnessEqual(mask, []float64{1, 0, 1, 0, 0, 1}) {
					t.Errorf("%v %v: mask %v, want [1 0 1 0 0 1]", dt, it, mask)
				}
			}
		}
	}
}

// TestEmbeddingIDOutOfRange: an id outside [0, vocab) fails the run with a
// graph.IndexError naming the example, the position and the value.
func TestEmbeddingIDOutOfRange(t *testing.T) {
	for _, bad := range []int64{5, -1} {
		_, _, err := embeddingRun(t, false, tensor.Float32, tensor.Int64, []int64{1, 2, 3, 4, bad, 0}, 2, 3)
		var ie *graph.IndexError
		if !errors.As(err, &ie) {
			t.Fatalf("id %d: error %v is not a graph.IndexError", bad, err)
		}
		if ie.Row != 1 || ie.Pos != 1 || ie.Value != bad || ie.Limit != 5 {
			t.Errorf("id %d: %+v, want example 1 position 1 value %d limit 5", bad, *ie, bad)
		}
	}
}
