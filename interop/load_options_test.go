package interop_test

import (
	"strings"
	"testing"

	"github.com/gokeras/gokeras/interop"
	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// transposed returns the (cols, rows) transpose of a row-major (rows, cols) matrix.
func transposed(v []float64, rows, cols int) []float64 {
	out := make([]float64, len(v))
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			out[j*rows+i] = v[i*cols+j]
		}
	}
	return out
}

// TestWithModules: modules registered in another order than the layers are
// paired by name; layers left out of the map are paired with the modules left.
func TestWithModules(t *testing.T) {
	sdSpec := []tt{{"second.weight", []int{2, 3}}, {"second.bias", []int{2}}, {"first.weight", []int{3, 4}}, {"first.bias", []int{3}}}
	for _, mods := range []map[string]string{{"a": "first", "b": "second"}, {"b": "second"}, {"a": "first"}} {
		m := seqModel(t, []int{4}, layers.Dense(3, layers.WithName("a")), layers.Dense(2, layers.WithName("b")))
		sd := makeSD(t, sdSpec...)
		if err := interop.Load(m, sd); err == nil {
			t.Fatal("pairing by order succeeded though the shapes differ")
		}
		if err := interop.Load(m, sd, interop.WithModules(mods)); err != nil {
			t.Fatalf("WithModules(%v): %v", mods, err)
		}
		if d := maxAbsDiff(paramByName(t, m, "a/kernel").Float64s(), transposed(sd.Get("first.weight").Data, 3, 4)); d > 1e-7 {
			t.Errorf("WithModules(%v): a/kernel differs from first.weightᵀ by %g", mods, d)
		}
		if d := maxAbsDiff(paramByName(t, m, "b/bias").Float64s(), sd.Get("second.bias").Data); d > 1e-7 {
			t.Errorf("WithModules(%v): b/bias differs from second.bias by %g", mods, d)
		}
	}
}

// TestWithTensorAndConverter: explicit entries override automatic mapping.
func TestWithTensorAndConverter(t *testing.T) {
	sd := makeSD(t, tt{"fc.weight", []int{3, 3}}, tt{"fc.bias", []int{3}})
	m := seqModel(t, []int{3}, layers.Dense(3))
	if err := interop.Load(m, sd, interop.WithTensor("dense/kernel", "fc.weight", interop.AsIs)); err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(paramByName(t, m, "dense/kernel").Float64s(), sd.Get("fc.weight").Data); d > 1e-7 {
		t.Errorf("AsIs kernel differs from fc.weight by %g", d)
	}
	double := func(src []*interop.Tensor) (*interop.Tensor, error) {
		w := src[0]
		out := transposed(w.Data, 3, 3)
		for i := range out {
			out[i] *= 2
			w.Data[i] = 99 // a converter gets copies: the state dict must not change
		}
		return &interop.Tensor{Name: "2wᵀ", Shape: []int{3, 3}, Data: out}, nil
	}
	plan, err := interop.Plan(m, sd, interop.WithConverter("dense/kernel", []string{"fc.weight"}, double))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) != 2 || plan[0].Weight != "dense/kernel" || plan[0].Conversion != "custom converter" || plan[0].Module != "" || !plan[0].Explicit || plan[1].Module != "fc" || plan[1].Explicit {
		t.Errorf("plan %+v", plan)
	}
	if err := interop.Load(m, sd, interop.WithConverter("dense/kernel", []string{"fc.weight"}, double)); err != nil {
		t.Fatal(err)
	}
	want := transposed(sd.Get("fc.weight").Data, 3, 3)
	for i := range want {
		want[i] *= 2
	}
	if d := maxAbsDiff(paramByName(t, m, "dense/kernel").Float64s(), want); d > 1e-6 {
		t.Errorf("converted kernel differs by %g", d)
	}
	if sd.Get("fc.weight").Data[0] == 99 {
		t.Error("the converter changed the state dict")
	}
}

// TestPlan checks what Plan reports for a recurrent layer, a batch norm built
// with Keras' defaults and a nested model.
func TestPlan(t *testing.T) {
	var lstm torchCase
	for _, c := range readTorchCases(t) {
		if c.Name == "lstm_2_layers" {
			lstm = c
		}
	}
	m, _ := torchModel(t, lstm)
	plan, err := interop.Plan(m, lstm.stateDict(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) != 6 {
		t.Fatalf("%d assignments, want 6", len(plan))
	}
	a := plan[5]
	if a.Weight != "lstm_1/lstm_cell/bias" || a.Module != "@1" || a.Kind != "LSTM" ||
		strings.Join(a.Sources, ",") != "bias_ih_l1,bias_hh_l1" || !strings.Contains(a.Conversion, "bias_ih + bias_hh") ||
		!sameInts(a.Shape, []int{16}) || !sameInts(a.Converted, []int{16}) {
		t.Errorf("assignment %+v", a)
	}
	if plan[3].Sources[0] != "weight_ih_l1" || !sameInts(plan[3].SourceShapes[0], []int{16, 4}) || !sameInts(plan[3].Shape, []int{4, 16}) {
		t.Errorf("assignment %+v", plan[3])
	}
	// the same by name, reversed in the map: layer 1 cannot take layer 0's (16, 3) weights
	_, err = interop.Plan(m, lstm.stateDict(t), interop.WithModules(map[string]string{"lstm": "@1", "lstm_1": "@0"}))
	if err == nil || !strings.Contains(err.Error(), "weight lstm/lstm_cell/kernel shape (3, 16) ← weight_ih_l1 shape (16, 4)") {
		t.Errorf("swapped layers: %v", err)
	}

	inner := layers.NewSequential(layers.BatchNormalization(), layers.Dense(2))
	inner.SetName("tower")
	in := layers.NewInput("x", layers.Shape(3))
	outer, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{layers.Apply(inner, in)[0]})
	if err != nil {
		t.Fatal(err)
	}
	sd := makeSD(t, tt{"fc.weight", []int{2, 3}}, tt{"fc.bias", []int{2}}, tt{"bn.weight", []int{3}}, tt{"bn.bias", []int{3}},
		tt{"bn.running_mean", []int{3}}, tt{"bn.running_var", []int{3}}, tt{"bn.num_batches_tracked", nil})
	// not built: Load builds it (float32)
	if err := interop.Load(outer, sd, interop.WithModules(map[string]string{"tower/dense": "fc", "tower/batch_normalization": "bn"})); err != nil {
		t.Fatal(err)
	}
	if !outer.Built() || outer.DType() != tensor.Float32 {
		t.Errorf("built %v, dtype %v", outer.Built(), outer.DType())
	}
	plan, err = interop.Plan(outer, sd, interop.WithModules(map[string]string{"tower/dense": "fc", "tower/batch_normalization": "bn"}))
	if err != nil {
		t.Fatal(err)
	}
	if plan[0].Weight != "tower/batch_normalization/gamma" || !strings.Contains(plan[0].Note, "WithEpsilon(1e-5)") {
		t.Errorf("assignment %+v", plan[0])
	}
	if d := maxAbsDiff(paramByName(t, outer, "tower/batch_normalization/moving_variance").Float64s(), sd.Get("bn.running_var").Data); d > 1e-7 {
		t.Errorf("moving variance differs by %g", d)
	}
}

// TestLoadNestedLayers: the layers of a Residual block, the layer a
// TimeDistributed wraps and a PositionalEmbedding are paired like plain layers.
func TestLoadNestedLayers(t *testing.T) {
	block := layers.Residual(
		[]layers.Layer{layers.Conv2D(2, 3, layers.WithPadding("same"), layers.WithBias(false)), layers.BatchNormalization()},
		[]layers.Layer{layers.Conv2D(2, 1, layers.WithBias(false))}, layers.WithName("block"))
	m := seqModel(t, []int{4, 4, 3}, block, layers.Reshape([]int{16, 2}), layers.PositionalEmbedding(16, 2), layers.TimeDistributed(layers.Dense(5)))
	sd := makeSD(t, tt{"conv1.weight", []int{2, 3, 3, 3}}, tt{"bn1.weight", []int{2}}, tt{"bn1.bias", []int{2}},
		tt{"bn1.running_mean", []int{2}}, tt{"bn1.running_var", []int{2}}, tt{"bn1.num_batches_tracked", nil},
		tt{"downsample.0.weight", []int{2, 3, 1, 1}}, tt{"pos.weight", []int{16, 2}}, tt{"head.weight", []int{5, 2}}, tt{"head.bias", []int{5}})
	plan, err := interop.Plan(m, sd)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range plan {
		got[a.Weight] = strings.Join(a.Sources, ",")
	}
	want := map[string]string{
		"block/conv2d/kernel": "conv1.weight", "block/batch_normalization/moving_variance": "bn1.running_var",
		"block/conv2d_1/kernel": "downsample.0.weight", "positional_embedding/embeddings": "pos.weight",
		"time_distributed/dense/kernel": "head.weight",
	}
	for w, s := range want {
		if got[w] != s {
			t.Errorf("%s ← %q, want %q (plan %v)", w, got[w], s, got)
		}
	}
	if err := interop.Load(m, sd); err != nil {
		t.Fatal(err)
	}
}

// TestLoadEdgeValues: an RNN without biases gets a zero bias; a value beyond
// float32's range is refused for a float32 model.
func TestLoadEdgeValues(t *testing.T) {
	m := seqModel(t, []int{5, 3}, layers.LSTM(4))
	sd := makeSD(t, tt{"rnn.weight_ih_l0", []int{16, 3}}, tt{"rnn.weight_hh_l0", []int{16, 4}})
	plan, err := interop.Plan(m, sd)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) != 3 || len(plan[2].Sources) != 0 || !strings.HasPrefix(plan[2].Conversion, "zeros") {
		t.Errorf("plan %+v", plan)
	}
	if err := interop.Load(m, sd); err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(paramByName(t, m, "lstm/lstm_cell/bias").Float64s(), make([]float64, 16)); d != 0 {
		t.Errorf("bias is not zero (%g)", d)
	}

	d := seqModel(t, []int{2}, layers.Dense(1))
	big := interop.NewStateDict()
	for _, e := range []*interop.Tensor{{Name: "fc.weight", Shape: []int{1, 2}, Data: []float64{1, 1e39}}, {Name: "fc.bias", Shape: []int{1}, Data: []float64{0}}} {
		if err := big.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := interop.Load(d, big); err == nil || !strings.Contains(err.Error(), "value 1e+39 at index 1 is beyond float32's range") {
		t.Errorf("float32 overflow: %v", err)
	}
}
