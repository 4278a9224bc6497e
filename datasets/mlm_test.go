package datasets_test

import (
	"math"
	"math/rand"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"gorgonia.org/tensor"
)

// mlmRows makes n rows of length steps of ids in [2, vocab), row i holding
// i%steps+1 real tokens (never fewer than one) and padding after them.
func mlmRows(n, steps, vocab int, seed int64) [][]int {
	rng := rand.New(rand.NewSource(seed))
	rows := make([][]int, n)
	for i := range rows {
		rows[i] = make([]int, steps)
		for t := 0; t <= i%steps; t++ {
			rows[i][t] = 2 + rng.Intn(vocab-2)
		}
	}
	return rows
}

func TestMLMMaskTokens(t *testing.T) {
	const vocab, maskID = 50, 50
	tests := []struct {
		name       string
		n, steps   int
		rate, want float64 // want: share of real tokens chosen
	}{
		{"default rate", 400, 40, 0, 0.15},
		{"rate 0.15", 400, 40, 0.15, 0.15},
		{"rate 0.5", 400, 40, 0.5, 0.5},
		{"rate 1", 100, 20, 1, 1},
		{"short rows choose one", 50, 1, 0.15, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := mlmRows(tc.n, tc.steps, vocab, 1)
			x, y, err := datasets.MaskTokens(rows, maskID, vocab, tc.rate, 7)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual([]int(x.Shape()), []int{tc.n, tc.steps}) || !reflect.DeepEqual([]int(y.Shape()), []int{tc.n, tc.steps}) {
				t.Fatalf("shapes %v %v, want (%d, %d)", x.Shape(), y.Shape(), tc.n, tc.steps)
			}
			if x.Dtype() != tensor.Int64 || y.Dtype() != tensor.Float32 {
				t.Fatalf("dtypes %v %v, want int64 and float32", x.Dtype(), y.Dtype())
			}
			xs, ys := x.Data().([]int64), y.Data().([]float32)
			var real, chosen, masked, kept, random int
			for i, row := range rows {
				rowChosen := 0
				for s, id := range row {
					k := i*tc.steps + s
					if id == 0 {
						if ys[k] != datasets.MLMIgnore || xs[k] != 0 {
							t.Fatalf("row %d position %d: padding chosen (input %d, target %g)", i, s, xs[k], ys[k])
						}
						continue
					}
					real++
					if ys[k] == datasets.MLMIgnore {
						if xs[k] != int64(id) {
							t.Fatalf("row %d position %d: unchosen id %d changed to %d", i, s, id, xs[k])
						}
						continue
					}
					chosen++
					rowChosen++
					if ys[k] != float32(id) {
						t.Fatalf("row %d position %d: target %g, want the original %d", i, s, ys[k], id)
					}
					switch {
					case xs[k] == maskID:
						masked++
					case xs[k] == int64(id):
						kept++
					case xs[k] >= 2 && xs[k] < vocab:
						random++
					default:
						t.Fatalf("row %d position %d: replacement %d out of [2, %d)", i, s, xs[k], vocab)
					}
				}
				if rowChosen < 1 {
					t.Fatalf("row %d: nothing chosen", i)
				}
			}
			if got := float64(chosen) / float64(real); math.Abs(got-tc.want) > 0.03 {
				t.Errorf("chose %.3f of the real tokens, want %.2f", got, tc.want)
			}
			if chosen >= 500 {
				if f := float64(masked) / float64(chosen); math.Abs(f-0.8) > 0.05 {
					t.Errorf("masked %.3f of the chosen, want 0.8", f)
				}
				// A random draw equal to the original counts as kept.
				if f := float64(kept+random) / float64(chosen); math.Abs(f-0.2) > 0.05 {
					t.Errorf("kept or replaced %.3f of the chosen, want 0.2", f)
				}
			}
		})
	}
}

func TestMLMMaskTokensSeed(t *testing.T) {
	rows := mlmRows(64, 16, 30, 2)
	x1, y1, err := datasets.MaskTokens(rows, 30, 30, 0.15, 5)
	if err != nil {
		t.Fatal(err)
	}
	x2, y2, _ := datasets.MaskTokens(rows, 30, 30, 0.15, 5)
	x3, _, _ := datasets.MaskTokens(rows, 30, 30, 0.15, 6)
	if !reflect.DeepEqual(x1.Data(), x2.Data()) || !reflect.DeepEqual(y1.Data(), y2.Data()) {
		t.Error("the same seed gave different masks")
	}
	if reflect.DeepEqual(x1.Data(), x3.Data()) {
		t.Error("seeds 5 and 6 gave the same masks")
	}
}

func TestMLMMaskTokensErrors(t *testing.T) {
	good := [][]int{{3, 4, 0}, {5, 0, 0}}
	tests := []struct {
		name          string
		ids           [][]int
		maskID, vocab int
		rate          float64
		want          string
	}{
		{"no rows", nil, 10, 10, 0.15, "no rows"},
		{"empty rows", [][]int{{}}, 10, 10, 0.15, "rows of length 0"},
		{"ragged", [][]int{{3, 4}, {3}}, 10, 10, 0.15, "row 1 has 1 ids, row 0 has 2"},
		{"all padding", [][]int{{3, 4}, {0, 0}}, 10, 10, 0.15, "row 1 holds only padding"},
		{"id too big", [][]int{{3, 10}}, 10, 10, 0.15, "row 0 position 1: id 10 is not in [0, 10)"},
		{"negative id", [][]int{{-1, 3}}, 10, 10, 0.15, "id -1"},
		{"tiny vocab", good, 10, 2, 0.15, "vocab 2 leaves no real token"},
		{"mask id 0", good, 0, 10, 0.15, "mask id 0"},
		{"negative rate", good, 10, 10, -0.1, "rate -0.1 is not in [0, 1]"},
		{"rate above 1", good, 10, 10, 1.5, "rate 1.5"},
		{"NaN rate", good, 10, 10, math.NaN(), "rate NaN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := datasets.MaskTokens(tc.ids, tc.maskID, tc.vocab, tc.rate, 1)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("MaskTokens error %v, want one containing %q", err, tc.want)
			}
			if _, err := datasets.NewMLMSet(tc.ids, tc.maskID, tc.vocab, tc.rate, 1); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewMLMSet error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestMLMSetRemask(t *testing.T) {
	rows := mlmRows(32, 12, 40, 3)
	s, err := datasets.NewMLMSet(rows, 40, 40, 0.15, 9)
	if err != nil {
		t.Fatal(err)
	}
	var m datasets.Multi = s
	if m.Len() != 32 || !reflect.DeepEqual(m.Inputs()[0].Shape, []int{12}) || m.Inputs()[0].DType != tensor.Int64 ||
		m.Targets()[0].DType != tensor.Float32 {
		t.Fatalf("len %d inputs %v targets %v", m.Len(), m.Inputs(), m.Targets())
	}
	x0, y0, _ := datasets.MaskTokens(rows, 40, 40, 0.15, 9)
	idx := make([]int, 32)
	for i := range idx {
		idx[i] = i
	}
	gather := func() (*tensor.Dense, *tensor.Dense) {
		x := tensor.New(tensor.WithShape(32, 12), tensor.Of(tensor.Int64))
		y := tensor.New(tensor.WithShape(32, 12), tensor.Of(tensor.Float32))
		if err := m.GatherMulti(idx, []*tensor.Dense{x}, []*tensor.Dense{y}); err != nil {
			t.Fatal(err)
		}
		return x, y
	}
	x, y := gather()
	if !reflect.DeepEqual(x.Data(), x0.Data()) || !reflect.DeepEqual(y.Data(), y0.Data()) {
		t.Fatal("epoch 0 differs from MaskTokens with the same seed")
	}
	if err := s.Remask(1); err != nil {
		t.Fatal(err)
	}
	_, y1 := gather()
	if s.Epoch() != 1 || reflect.DeepEqual(y1.Data(), y0.Data()) {
		t.Fatal("epoch 1 has the masks of epoch 0")
	}
	if err := s.Remask(0); err != nil {
		t.Fatal(err)
	}
	if x, _ := gather(); !reflect.DeepEqual(x.Data(), x0.Data()) {
		t.Fatal("epoch 0 again differs from the first time")
	}
	if err := s.Remask(-1); err == nil {
		t.Fatal("Remask(-1) gave no error")
	}
	// Gathers during remasking see whole epochs.
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for e := 0; e < 20; e++ {
				if g == 0 {
					_ = s.Remask(e)
					continue
				}
				y := tensor.New(tensor.WithShape(32, 12), tensor.Of(tensor.Float32))
				if err := datasets.GatherTargetMulti(m, idx, 0, y); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
}
