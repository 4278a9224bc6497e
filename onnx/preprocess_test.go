package onnx

import (
	"fmt"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

func int64Input(batch int, shape []int, vals ...int64) *tensor.Dense {
	full := append([]int{batch}, shape...)
	n := 1
	for _, d := range full {
		n *= d
	}
	d := make([]int64, n)
	for i := range d {
		d[i] = vals[i%len(vals)]
	}
	return tensor.New(tensor.WithShape(full...), tensor.WithBacking(d))
}

func TestPreprocessParity(t *testing.T) {
	t.Run("category_encoding", func(t *testing.T) {
		ids := layers.NewInput("ids", layers.Shape(3), layers.Int64)
		one := layers.NewInput("one", layers.Shape(1), layers.Int64)
		mh := layers.CategoryEncoding(6, layers.WithOutputMode("multi_hot")).Apply(ids)
		cnt := layers.CategoryEncoding(6, layers.WithOutputMode("count")).Apply(ids)
		oh := layers.CategoryEncoding(6).Apply(one)
		out := layers.Dense(2).Apply(layers.Concatenate(-1).Apply(mh, cnt, oh))
		m := buildModel(t, []*layers.Tensor{ids, one}, []*layers.Tensor{out, cnt})
		feed := map[string]*tensor.Dense{"ids": int64Input(4, []int{3}, 0, 5, 5, 2, 3, 1, 4), "one": int64Input(4, []int{1}, 3, 0, 5)}
		t.Logf("max error %.3g", parity(t, m, feed, 1e-5))
	})
	t.Run("discretization", func(t *testing.T) {
		x := layers.NewInput("x", layers.Shape(5))
		b := layers.Discretization(layers.WithBinBoundaries([]float64{-1, 0, 0.7, 1.5}))
		bucket := b.Apply(x)
		emb := layers.Dense(2).Apply(layers.CategoryEncoding(5, layers.WithOutputMode("count")).Apply(bucket))
		m := buildModel(t, []*layers.Tensor{x}, []*layers.Tensor{bucket, emb})
		in := randInput(tensor.Float32, 4, 5)
		d := in.Data().([]float32)
		d[0], d[1], d[2] = 0.7, -1, 1.5 // on the boundaries
		t.Logf("max error %.3g", parity(t, m, map[string]*tensor.Dense{"x": in}, 1e-5))
	})
	for _, oov := range []int{0, 1} {
		t.Run(fmt.Sprintf("integer_lookup_oov%d", oov), func(t *testing.T) {
			x := layers.NewInput("zip", layers.Shape(2), layers.Int64)
			ids := layers.IntegerLookup(layers.WithIntVocabulary([]int64{90210, 10001, 7}), layers.WithNumOOVIndices(oov)).Apply(x)
			m := buildModel(t, []*layers.Tensor{x}, []*layers.Tensor{ids})
			vals := []int64{7, 90210, 10001, 10001}
			if oov == 1 {
				vals = append(vals, 12345) // unknown: id 0
			}
			t.Logf("oov %d: max error %.3g", oov, parity(t, m, map[string]*tensor.Dense{"zip": int64Input(3, []int{2}, vals...)}, 0))
		})
	}
}
