package graph

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// sparseFixture is testdata/torch_sparse_xent/fixtures.json (make_fixtures.py).
type sparseFixture struct {
	Logits        []float64 `json:"logits"`
	Targets       []float64 `json:"targets"`
	Mask          []float64 `json:"mask"`
	LossIgnore    float64   `json:"loss_ignore"`
	GradIgnore    []float64 `json:"grad_ignore"`
	MaskedTargets []float64 `json:"masked_targets"`
	LossMask      float64   `json:"loss_mask"`
	GradMask      []float64 `json:"grad_mask"`
}

// sequenceLoss evaluates the sparse cross-entropy of softmax(logits) (2, 3, 5)
// against targets (2, 3), with mask (2, 3) recorded on the prediction when not
// nil, in dtype dt; it returns the loss and its gradient with respect to the
// logits (as float64s).
func sequenceLoss(t *testing.T, dt tensor.Dtype, logits, targets, mask []float64) (float64, []float64) {
	t.Helper()
	g, err := New(Train, dt, 2)
	if err != nil {
		t.Fatal(err)
	}
	bind := func(name string, vals []float64, shape ...int) *G.Node {
		v := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
		for i, x := range vals {
			if dt == tensor.Float32 {
				v.Data().([]float32)[i] = float32(x)
			} else {
				v.Data().([]float64)[i] = x
			}
		}
		n, err := g.bind(name, v)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	z := bind("z", logits, 2, 3, 5)
	y := bind("y", targets, 2, 3)
	p, err := Softmax(z)
	if err != nil {
		t.Fatal(err)
	}
	g.SetLogits(p, z, "softmax")
	if mask != nil {
		g.SetMask(p, bind("mask", mask, 2, 3))
	}
	loss, err := SparseCategoricalCrossentropy(g, p, y)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(loss, z)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := ex.Run(); err != nil {
		t.Fatal(err)
	}
	l, err := ScalarValue(ex.Value(loss))
	if err != nil {
		t.Fatal(err)
	}
	return l, float64s(ex.Dense(grads[0]))
}

func TestSparseCrossentropySequencesMatchPyTorch(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "torch_sparse_xent", "fixtures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx sparseFixture
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		dt         tensor.Dtype
		targets    []float64
		mask       []float64
		loss       float64
		grad       []float64
		tolerance  float64
		wantIgnore bool
	}{
		{"ignore index float64", tensor.Float64, fx.Targets, nil, fx.LossIgnore, fx.GradIgnore, 1e-12, true},
		{"ignore index float32", tensor.Float32, fx.Targets, nil, fx.LossIgnore, fx.GradIgnore, 1e-6, true},
		{"mask float64", tensor.Float64, fx.MaskedTargets, fx.Mask, fx.LossMask, fx.GradMask, 1e-12, false},
		{"mask float32", tensor.Float32, fx.MaskedTargets, fx.Mask, fx.LossMask, fx.GradMask, 1e-6, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loss, grad := sequenceLoss(t, tc.dt, fx.Logits, tc.targets, tc.mask)
			if d := math.Abs(loss - tc.loss); d > tc.tolerance*math.Max(1, math.Abs(tc.loss)) {
				t.Errorf("loss %.9g, PyTorch %.9g (diff %.3g)", loss, tc.loss, d)
			}
			for i := range grad {
				if d := math.Abs(grad[i] - tc.grad[i]); d > tc.tolerance {
					t.Fatalf("gradient[%d] = %.9g, PyTorch %.9g (diff %.3g)", i, grad[i], tc.grad[i], d)
				}
			}
		})
	}
}

func TestSparseCrossentropyGradients(t *testing.T) {
	seqTargets := []float64{1, 4, -100, 0, 2, 3}
	bindTargets := func(g *Graph, vals []float64, shape ...int) (*G.Node, error) {
		v := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), vals...)))
		return g.bind("targets", v)
	}
	tests := []struct {
		name  string
		build BuildFunc
		in    *tensor.Dense
	}{
		{"sequence logits with ignored position", func(g *Graph, in []*G.Node) (*G.Node, error) {
			p, err := Softmax(in[0])
			if err != nil {
				return nil, err
			}
			g.SetLogits(p, in[0], "softmax")
			y, err := bindTargets(g, seqTargets, 2, 3)
			if err != nil {
				return nil, err
			}
			return SparseCategoricalCrossentropy(g, p, y)
		}, randTensor(41, -3, 3, 2, 3, 5)},
		{"sequence probabilities", func(g *Graph, in []*G.Node) (*G.Node, error) {
			y, err := bindTargets(g, seqTargets, 2, 3, 1)
			if err != nil {
				return nil, err
			}
			return SparseCategoricalCrossentropy(g, in[0], y)
		}, randTensor(42, 0.1, 0.9, 2, 3, 5)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkGrad(t, tc.name, tc.build, tc.in) })
	}
}

func TestSparseCrossentropyErrors(t *testing.T) {
	tests := []struct {
		name    string
		targets []float64
		shape   []int
		want    string
	}{
		{"class id out of range", []float64{1, 5, 0, 0, 0, 0}, []int{2, 3}, "target 5 of row 1 is not a class id in [0, 5)"},
		{"fractional id", []float64{1, 0, 0, 0, 2.5, 0}, []int{2, 3}, "target 2.5 of row 4"},
		{"wrong target shape", []float64{1, 0, 0, 0, 2, 0}, []int{3, 2}, "want the prediction's leading shape [2 3]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := New(Train, tensor.Float64, 2)
			if err != nil {
				t.Fatal(err)
			}
			z, err := g.bind("z", randTensor(43, -1, 1, 2, 3, 5))
			if err != nil {
				t.Fatal(err)
			}
			y, err := g.bind("y", tensor.New(tensor.WithShape(tc.shape...), tensor.WithBacking(tc.targets)))
			if err != nil {
				t.Fatal(err)
			}
			loss, err := SparseCategoricalCrossentropy(g, z, y)
			if err == nil {
				var ex *Executor
				if ex, err = NewExecutor(g.ExprGraph()); err == nil {
					err = ex.Run()
				}
				_ = loss
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestSparseCrossentropyAllIgnoredIsZero(t *testing.T) {
	loss, grad := sequenceLoss(t, tensor.Float64, randTensor(44, -1, 1, 30).Data().([]float64), []float64{-1, -1, -1, -1, -1, -1}, nil)
	if loss != 0 {
		t.Errorf("loss %g with every position ignored, want 0", loss)
	}
	for i, v := range grad {
		if v != 0 {
			t.Fatalf("gradient[%d] = %g, want 0", i, v)
		}
	}
}
