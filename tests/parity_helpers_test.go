package tests

// Shared helpers of the PyTorch parity tests (parity_*_test.go). Every name starts
// with "parity" so that other test files of this package can define their own.

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gokeras/gokeras/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// parityTol is the tolerance of every comparison: |got-want| <= parityTol*max(1,|want|).
const parityTol = 1e-5

// parityArray is a fixture array: its shape and its values, flat and row-major.
// The values are float32 numbers written as JSON doubles.
type parityArray struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// size is the number of elements the shape declares.
func (a parityArray) size() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// parityLoad decodes tests/testdata/torch/<name> into v, failing the test on error.
func parityLoad(t *testing.T, name string, v interface{}) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "torch", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode fixture %s: %v", name, err)
	}
}

// parityCheckArray checks that a fixture array's data agrees with its shape.
func parityCheckArray(t *testing.T, caseName, array string, a parityArray) {
	t.Helper()
	if len(a.Shape) == 0 || len(a.Data) != a.size() {
		t.Fatalf("case %s: fixture array %s has shape %v and %d values", caseName, array, a.Shape, len(a.Data))
	}
}

// parityTensor returns a new tensor of dtype dt holding a's values in a's shape.
func parityTensor(dt tensor.Dtype, a parityArray) *tensor.Dense {
	if dt == tensor.Float32 {
		d := make([]float32, len(a.Data))
		for i, v := range a.Data {
			d[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(d))
	}
	return tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(append([]float64(nil), a.Data...)))
}

// parityFill copies values into dst (float32 or float64), failing on a size mismatch.
func parityFill(t *testing.T, caseName, array string, dst *tensor.Dense, values []float64) {
	t.Helper()
	if n := dst.Shape().TotalSize(); n != len(values) {
		t.Fatalf("case %s: %s: tensor of shape %v, fixture has %d values", caseName, array, dst.Shape(), len(values))
	}
	switch d := dst.Data().(type) {
	case []float32:
		for i, v := range values {
			d[i] = float32(v)
		}
	case []float64:
		copy(d, values)
	default:
		t.Fatalf("case %s: %s: unexpected data type %T", caseName, array, d)
	}
}

// parityFloats returns the values of a Gorgonia value (tensor or scalar) as float64.
func parityFloats(v interface{}) ([]float64, error) {
	if v == nil {
		return nil, fmt.Errorf("no value")
	}
	var data interface{}
	if d, ok := v.(*tensor.Dense); ok {
		data = d.Data()
	} else if d, ok := v.(interface{ Data() interface{} }); ok {
		data = d.Data()
	} else {
		return nil, fmt.Errorf("value of type %T", v)
	}
	switch d := data.(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out, nil
	case []float64:
		return append([]float64(nil), d...), nil
	case float32:
		return []float64{float64(d)}, nil
	case float64:
		return []float64{d}, nil
	}
	return nil, fmt.Errorf("value data of type %T", data)
}

// parityDiff is how far got is from want in the tolerance's measure:
// |got-want| / max(1, |want|). A NaN or infinite got is +Inf.
func parityDiff(got, want float64) float64 {
	if math.IsNaN(got) || math.IsInf(got, 0) {
		return math.Inf(1)
	}
	return math.Abs(got-want) / math.Max(1, math.Abs(want))
}

// parityCompare checks got against want element by element and reports the first
// element beyond tolerance, naming the case, the array and the index. It returns the
// largest (scaled) difference seen.
func parityCompare(t *testing.T, caseName, array string, got, want []float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("case %s: %s: got %d values, want %d", caseName, array, len(got), len(want))
		return math.Inf(1)
	}
	worst := 0.0
	first := -1
	for i := range want {
		d := parityDiff(got[i], want[i])
		if d > worst || math.IsNaN(d) {
			worst = d
		}
		if (d > parityTol || math.IsNaN(d)) && first < 0 {
			first = i
		}
	}
	if first >= 0 {
		t.Errorf("case %s: %s[%d] = %.9g, want %.9g (|diff| %.3g > tolerance %g·max(1,|want|); largest scaled diff %.3g)",
			caseName, array, first, got[first], want[first], math.Abs(got[first]-want[first]), parityTol, worst)
	}
	return worst
}

// parityMax records the largest difference seen per file, reported by -v.
type parityMax struct {
	mu    sync.Mutex
	value float64
	where string
}

func (m *parityMax) add(d float64, where string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d > m.value || m.where == "" {
		m.value, m.where = d, where
	}
}

func (m *parityMax) report(t *testing.T, what string) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	t.Logf("%s: largest scaled difference %.3g (%s)", what, m.value, m.where)
}

// parityBackward runs y's graph once and returns y and the gradients of
// sum(y ⊙ upstream) with respect to x and to params (in that order), read through
// G.Read so that register reuse cannot clobber them.
func parityBackward(g *graph.Graph, x, y *G.Node, upstream []float64, params []*graph.Param) ([]float64, [][]float64, error) {
	upNode, upT, err := g.Input("upstream", y.Shape()[1:]...)
	if err != nil {
		return nil, nil, err
	}
	parityCopyF32(upT, upstream)
	prod, err := G.HadamardProd(y, upNode)
	if err != nil {
		return nil, nil, err
	}
	cost, err := graph.SumAll(prod)
	if err != nil {
		return nil, nil, err
	}
	wrt := G.Nodes{x}
	for _, p := range params {
		n, ok := g.ParamNode(p)
		if !ok {
			return nil, nil, fmt.Errorf("param %s not bound to the graph", p.Name)
		}
		wrt = append(wrt, n)
	}
	var yVal G.Value
	G.Read(y, &yVal)
	gs, err := G.Grad(cost, wrt...)
	if err != nil {
		return nil, nil, fmt.Errorf("grad: %w", err)
	}
	vals := make([]G.Value, len(gs))
	for i, n := range gs {
		G.Read(n, &vals[i])
	}
	vm := G.NewTapeMachine(g.ExprGraph())
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return nil, nil, fmt.Errorf("run: %w", err)
	}
	yf, err := parityFloats(yVal)
	if err != nil {
		return nil, nil, fmt.Errorf("y: %w", err)
	}
	grads := make([][]float64, len(vals))
	for i, v := range vals {
		if grads[i], err = parityFloats(v); err != nil {
			return nil, nil, fmt.Errorf("gradient %d: %w", i, err)
		}
	}
	return yf, grads, nil
}
