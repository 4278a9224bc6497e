package interop

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// kerasLikeModels are the gokeras counterparts of make_keras_like.py's models.
var kerasLikeModels = map[string]func() *layers.Sequential{
	"keras_mlp": func() *layers.Sequential {
		return layers.NewSequential(layers.Input(4),
			layers.Dense(8, layers.WithActivation("relu")),
			layers.BatchNormalization(),
			layers.Dense(3, layers.WithActivation("softmax")))
	},
	"keras_lstm": func() *layers.Sequential {
		return layers.NewSequential(layers.Input(5, 3), layers.LSTM(4), layers.Dense(2))
	},
	"keras_cnn": func() *layers.Sequential {
		return layers.NewSequential(layers.Input(6, 6, 2),
			layers.Conv2D(3, 3, layers.WithActivation("relu")),
			layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(2))
	},
}

// kerasLikeRun loads name's weights into its gokeras model (built with dt) and
// returns the largest absolute difference from the outputs NumPy computed.
func kerasLikeRun(t *testing.T, name string, dt tensor.Dtype) float64 {
	t.Helper()
	m := kerasLikeModels[name]()
	if err := m.Build(layers.WithDType(dt)); err != nil {
		t.Fatal(err)
	}
	w, err := ReadNPZ(filepath.Join(readersDir, name+".npz"))
	if err != nil {
		t.Fatal(err)
	}
	if err := SetWeights(m, w); err != nil {
		t.Fatal(err)
	}
	io, err := ReadNPZ(filepath.Join(readersDir, name+"_io.npz"))
	if err != nil {
		t.Fatal(err)
	}
	x, err := io.Get("x").Dense(dt)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := trainers.Predict(m, x)
	if err != nil {
		t.Fatal(err)
	}
	want := io.Get("y")
	if fmt.Sprint(pred.Shape()) != fmt.Sprint(tensor.Shape(want.Shape)) {
		t.Fatalf("output shape %v, want %v", pred.Shape(), want.Shape)
	}
	got := make([]float64, want.Size())
	switch d := pred.Data().(type) {
	case []float32:
		for i, v := range d {
			got[i] = float64(v)
		}
	case []float64:
		copy(got, d)
	}
	worst := 0.0
	for i, v := range want.Data {
		worst = math.Max(worst, math.Abs(got[i]-v))
	}
	return worst
}

func TestSetWeightsKerasLike(t *testing.T) {
	for _, name := range []string{"keras_mlp", "keras_lstm", "keras_cnn"} {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(name+"/"+dt.String(), func(t *testing.T) {
				worst := kerasLikeRun(t, name, dt)
				t.Logf("max abs error %.3g", worst)
				tol := 1e-5
				if dt == tensor.Float64 {
					tol = 1e-6 // float32 outputs of the reference
				}
				if worst > tol {
					t.Fatalf("max abs error %g > %g", worst, tol)
				}
			})
		}
	}
}

func TestKerasWeightOrder(t *testing.T) {
	m := kerasLikeModels["keras_mlp"]()
	if _, err := KerasWeightOrder(m); err == nil {
		t.Fatal("an unbuilt model gave an order")
	}
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	ps, err := KerasWeightOrder(m)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	want := "[dense/kernel dense/bias batch_normalization/gamma batch_normalization/beta " +
		"batch_normalization/moving_mean batch_normalization/moving_variance dense_1/kernel dense_1/bias]"
	if fmt.Sprint(names) != want {
		t.Fatalf("order %v, want %s", names, want)
	}
}

func TestSetWeightsErrors(t *testing.T) {
	w, err := ReadNPZ(filepath.Join(readersDir, "keras_mlp.npz"))
	if err != nil {
		t.Fatal(err)
	}
	drop := func(skip string) *StateDict {
		sd := NewStateDict()
		for _, n := range w.Names() {
			if n != skip {
				if err := sd.Add(w.Get(n)); err != nil {
					t.Fatal(err)
				}
			}
		}
		return sd
	}
	swapped := NewStateDict()
	for _, n := range []string{"arr_1", "arr_0"} {
		if err := swapped.Add(w.Get(n)); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range w.Names()[2:] {
		if err := swapped.Add(w.Get(n)); err != nil {
			t.Fatal(err)
		}
	}
	huge := drop("")
	huge.Get("arr_1").Data[0] = 1e300
	cases := []struct {
		name string
		sd   *StateDict
		want []string
	}{
		{"count", drop("arr_7"), []string{"the model has 8 weights", "holds 7 arrays"}},
		{"shape", swapped, []string{`gokeras "dense/kernel" of shape [4 8]`, `array "arr_1" of shape [8]`}},
		{"float32 range", huge, []string{`array "arr_1" value 0`, "beyond float32"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := kerasLikeModels["keras_mlp"]()
			if err := m.Build(); err != nil {
				t.Fatal(err)
			}
			before := fmt.Sprint(m.Params()[0].Float64s())
			err := SetWeights(m, c.sd)
			if err == nil {
				t.Fatal("set without an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if fmt.Sprint(m.Params()[0].Float64s()) != before {
				t.Error("a weight was changed before the error")
			}
		})
	}
}

func TestReadSafetensorsGokerasModel(t *testing.T) {
	m := kerasLikeModels["keras_lstm"]()
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	sd, err := ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if sd.Len() != len(m.Params()) {
		t.Fatalf("%d tensors %v, want %d", sd.Len(), sd.Names(), len(m.Params()))
	}
	for _, p := range m.Params() {
		got := sd.Get(p.Name)
		if got == nil || got.DType != "float32" || fmt.Sprint(got.Data) != fmt.Sprint(p.Float64s()) ||
			fmt.Sprint(got.Shape) != fmt.Sprint([]int(p.Value.Shape())) {
			t.Fatalf("tensor %s: read %+v", p.Name, got)
		}
	}
}
