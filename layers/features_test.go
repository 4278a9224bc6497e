package layers_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
)

// featureModel builds a model of the given inputs and outputs (float64 when dt says
// so) and returns it, or the error of NewModel or Build.
func featureModel(ins, outs []*layers.Tensor, opts ...layers.BuildOption) (*layers.Functional, error) {
	m, err := layers.NewModel(ins, outs)
	if err != nil {
		return nil, err
	}
	return m, m.Build(opts...)
}

// featurePredict runs the model on xs and returns its outputs.
func featurePredict(t *testing.T, m layers.Model, xs ...*tensor.Dense) ([]*tensor.Dense, error) {
	t.Helper()
	tr, err := trainers.New(m)
	if err != nil {
		t.Fatalf("trainer: %v", err)
	}
	defer tr.Close()
	return tr.PredictTensors(xs, trainers.BatchSize(2))
}

func ints(d *tensor.Dense) string { return fmt.Sprint(d.Data()) }

// The FNV-1a 64 values of graph/op_features_test.go (made by an independent Python
// implementation): the layers give exactly h mod bins.
const (
	fnvRed     = 0x89e9be1960f4c21c // "red"
	fnvGreen   = 0x0f40f029637fecbc // "green"
	fnvEmpty   = 0xcbf29ce484222325 // ""
	fnv42      = 0x07ee7e07b4b19223 // "42"
	fnvMinus12 = 0xde53d717ddf84d7b // "-12"
	fnv42Salt  = 0x71655e07e1e21e96 // "42" salted with 0x9e3779b97f4a7c15
	fnvRedSalt = 0x9c7e6d63b7f68123 // "red" salted with 0x9e3779b97f4a7c15
	fnvCrossR7 = 0xfa9f66ecaeb569e1 // the cross ("red", "7")
)

func TestHashingBins(t *testing.T) {
	const salt = 0x9e3779b97f4a7c15
	for _, tc := range []struct {
		name string
		dt   layers.DType
		x    *tensor.Dense
		opts []layers.Option
		want []uint64
	}{
		{"strings", layers.String, tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]string{"red", "green", "", "42"})), nil,
			[]uint64{fnvRed, fnvGreen, fnvEmpty, fnv42}},
		{"strings salted", layers.String, tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]string{"red", "42"})),
			[]layers.Option{layers.WithSalt(salt)}, []uint64{fnvRedSalt, fnv42Salt}},
		{"int64 by decimal text", layers.Int64, tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]int64{42, -12})), nil,
			[]uint64{fnv42, fnvMinus12}},
		{"int32 salted", layers.Int32, tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]int32{42, 42})),
			[]layers.Option{layers.WithSalt(salt)}, []uint64{fnv42Salt, fnv42Salt}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const bins = 1000003
			in := layers.NewInput("x", layers.Shape(2), tc.dt)
			h := layers.Hashing(bins, tc.opts...)
			m, err := featureModel([]*layers.Tensor{in}, []*layers.Tensor{h.Apply(in)})
			if err != nil {
				t.Fatal(err)
			}
			outs, err := featurePredict(t, m, tc.x)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]int64, len(tc.want))
			for i, v := range tc.want {
				want[i] = int64(v % bins)
			}
			if got := outs[0].Data().([]int64); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("bins %v, want %v", got, want)
			}
			if got := h.Bin("42"); tc.dt != layers.String && got != want[0] {
				t.Errorf("Bin(\"42\") = %d, the model gave %d", got, want[0])
			}
		})
	}
	// The mask value gets bin 0, every other value 1 + h mod (bins-1).
	in := layers.NewInput("x", layers.Shape(3), layers.Int64)
	h := layers.Hashing(10, layers.WithMaskValue("-1"))
	m, err := featureModel([]*layers.Tensor{in}, []*layers.Tensor{h.Apply(in)})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := featurePredict(t, m, tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]int64{-1, 42, -12})))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ints(outs[0]), fmt.Sprint([]int64{0, 1 + fnv42%9, 1 + fnvMinus12%9}); got != want {
		t.Errorf("masked bins %s, want %s", got, want)
	}
	if v, ok := h.MaskValue(); !ok || v != "-1" || h.NumBins() != 10 || h.Salt() != 0 {
		t.Errorf("accessors: mask %q %v, bins %d, salt %d", v, ok, h.NumBins(), h.Salt())
	}
}

// featureChildEnv names the model file a child process of
// TestFeatureBinsInFreshProcess loads.
const featureChildEnv = "GOKERAS_FEATURE_BINS_CHILD"

// featureStableModel is a model of every feature layer: a string column hashed
// (salted and masked) and crossed with a numeric column's buckets.
func featureStableModel() (*layers.Functional, error) {
	city := layers.NewInput("city", layers.Shape(2), layers.String)
	age := layers.NewInput("age", layers.Shape(2))
	hashed := layers.Hashing(1<<20, layers.WithSalt(1<<63|77), layers.WithMaskValue("?")).Apply(city)
	bucket := layers.Discretization(layers.WithBinBoundaries([]float64{18, 30.5, 65})).Apply(age)
	crossed := layers.HashedCrossing(1<<20).Apply(city, bucket)
	return featureModel([]*layers.Tensor{city, age}, []*layers.Tensor{hashed, crossed})
}

func featureStableInputs() []*tensor.Dense {
	return []*tensor.Dense{
		tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]string{"Paris", "?", "東京", "", "Lima", "paris"})),
		tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float32{17, 18, 30.5, 64.9, 65, -3})),
	}
}

func featureBinsText(outs []*tensor.Dense) string {
	var parts []string
	for _, o := range outs {
		parts = append(parts, ints(o))
	}
	return "bins: " + strings.Join(parts, " ")
}

// TestFeatureBinsInFreshProcess: a saved model of Hashing, Discretization and
// HashedCrossing gives the same bins when a fresh process (this test binary run
// again, with another address layout and map seed) loads it.
func TestFeatureBinsInFreshProcess(t *testing.T) {
	if path := os.Getenv(featureChildEnv); path != "" {
		m, err := layers.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		outs, err := featurePredict(t, m, featureStableInputs()...)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(featureBinsText(outs))
		return
	}
	m, err := featureStableModel()
	if err != nil {
		t.Fatal(err)
	}
	outs, err := featurePredict(t, m, featureStableInputs()...)
	if err != nil {
		t.Fatal(err)
	}
	want := featureBinsText(outs)
	path := filepath.Join(t.TempDir(), "features.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFeatureBinsInFreshProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), featureChildEnv+"="+path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	var got string
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(line, "bins: ") {
			got = line
		}
	}
	t.Logf("this process and a fresh one: %s", got)
	if got != want {
		t.Errorf("a fresh process gives\n%s\nthis one\n%s", got, want)
	}
	// The first output row is ("Paris", "?"): the mask gets 0.
	if !strings.HasPrefix(want, "bins: [") || strings.Fields(want)[2] != "0" {
		t.Errorf("the mask value did not get bin 0: %s", want)
	}
}

func TestDiscretizationBuckets(t *testing.T) {
	in := layers.NewInput("x", layers.Shape(4))
	d := layers.Discretization(layers.WithBinBoundaries([]float64{0, 1.5, 10}))
	m, err := featureModel([]*layers.Tensor{in}, []*layers.Tensor{d.Apply(in)}, layers.WithDType(tensor.Float64))
	if err != nil {
		t.Fatal(err)
	}
	outs, err := featurePredict(t, m, tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float64{
		-1, 0, 1.4999, 1.5, 9.99, 10, 1e300, -1e300})))
	if err != nil {
		t.Fatal(err)
	}
	if got := ints(outs[0]); got != "[0 1 1 2 2 3 3 0]" {
		t.Errorf("buckets %s, want [0 1 1 2 2 3 3 0]", got)
	}
	if d.NumBins() != 4 || fmt.Sprint(d.BinBoundaries()) != "[0 1.5 10]" {
		t.Errorf("NumBins %d, boundaries %v", d.NumBins(), d.BinBoundaries())
	}
	// A NaN has no bucket: the run fails naming the example (the trainer checks
	// the inputs first; graph's tests check the op's own *graph.DiscretizeError).
	_, err = featurePredict(t, m, tensor.New(tensor.WithShape(3, 4), tensor.WithBacking([]float64{
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, math.NaN(), 0})))
	var de *graph.DiscretizeError
	if err == nil || !(errors.As(err, &de) && de.Row == 2 && de.Pos == 2 || strings.Contains(err.Error(), "NaN in row 2 at position 2")) {
		t.Errorf("NaN: got %v, want an error naming example 2 position 2", err)
	}
	// Integer inputs.
	iin := layers.NewInput("n", layers.Shape(3), layers.Int64)
	m, err = featureModel([]*layers.Tensor{iin}, []*layers.Tensor{layers.Discretization(layers.WithBinBoundaries([]float64{0, 1.5, 10})).Apply(iin)})
	if err != nil {
		t.Fatal(err)
	}
	outs, err = featurePredict(t, m, tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]int64{-5, 1, 2})))
	if err != nil {
		t.Fatal(err)
	}
	if got := ints(outs[0]); got != "[0 1 2]" {
		t.Errorf("integer buckets %s, want [0 1 2]", got)
	}
}

func TestDiscretizationAdapt(t *testing.T) {
	f64 := func(shape []int, v ...float64) *tensor.Dense {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	for _, tc := range []struct {
		name    string
		bins    int
		x       *tensor.Dense
		want    []float64
		wantErr string
	}{
		{name: "quartiles", bins: 4, x: f64([]int{4, 2}, 8, 1, 7, 2, 6, 3, 5, 4), want: []float64{3, 5, 7}},
		{name: "float32", bins: 2, x: tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{0.5, 0.25, 0.75})), want: []float64{0.5}},
		{name: "int64", bins: 3, x: tensor.New(tensor.WithShape(6), tensor.WithBacking([]int64{10, 20, 30, 40, 50, 60})), want: []float64{30, 50}},
		{name: "repeats give fewer bins", bins: 5, x: f64([]int{6}, 2, 1, 1, 3, 1, 2), want: []float64{1, 2}}, // ranks 1, 2, 3, 4
		{name: "nil", bins: 2, wantErr: "no data"},
		{name: "empty", bins: 2, x: tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(0, 3)), wantErr: "empty data"},
		{name: "NaN", bins: 2, x: f64([]int{3}, 1, math.NaN(), 2), wantErr: "value 1 is NaN"},
		{name: "infinity", bins: 2, x: f64([]int{2}, math.Inf(-1), 2), wantErr: "value 0 is -Inf"},
		{name: "strings", bins: 2, x: tensor.New(tensor.WithShape(1), tensor.WithBacking([]string{"a"})), wantErr: "dtype string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := layers.Discretization(layers.WithNumBins(tc.bins), layers.WithName("age"))
			if d.NumBins() != tc.bins || d.BinBoundaries() != nil {
				t.Errorf("before Adapt: NumBins %d, boundaries %v", d.NumBins(), d.BinBoundaries())
			}
			err := d.Adapt(tc.x)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), `"age"`) {
					t.Fatalf("got %v, want an error naming the layer and containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := d.BinBoundaries(); fmt.Sprint(got) != fmt.Sprint(tc.want) || d.NumBins() != len(tc.want)+1 {
				t.Errorf("boundaries %v (NumBins %d), want %v", got, d.NumBins(), tc.want)
			}
		})
	}
	// Fixed boundaries are not learned; a built layer keeps its boundaries.
	fixed := layers.Discretization(layers.WithBinBoundaries([]float64{1}))
	if err := fixed.Adapt(f64([]int{2}, 1, 2)); err == nil || !strings.Contains(err.Error(), "fixed bin boundaries") {
		t.Errorf("Adapt of fixed boundaries: %v", err)
	}
	d := layers.Discretization(layers.WithNumBins(2))
	if err := d.Adapt(f64([]int{2}, 1, 2)); err != nil {
		t.Fatal(err)
	}
	in := layers.NewInput("x", layers.Shape(1))
	if _, err := featureModel([]*layers.Tensor{in}, []*layers.Tensor{d.Apply(in)}); err != nil {
		t.Fatal(err)
	}
	if err := d.Adapt(f64([]int{2}, 5, 6)); err == nil || !strings.Contains(err.Error(), "built layer") {
		t.Errorf("Adapt after Build: %v", err)
	}
	if fmt.Sprint(d.BinBoundaries()) != "[2]" {
		t.Errorf("boundaries changed to %v", d.BinBoundaries())
	}
}

// featureApplier is a layer of one input.
type featureApplier interface {
	Apply(*layers.Tensor) *layers.Tensor
}

// TestFeatureBuildErrors: bad settings and inputs are errors of NewModel or Build
// that name the layer; none panics.
func TestFeatureBuildErrors(t *testing.T) {
	str := func() *layers.Tensor { return layers.NewInput("s", layers.Shape(2), layers.String) }
	i64 := func() *layers.Tensor { return layers.NewInput("i", layers.Shape(2), layers.Int64) }
	flt := func() *layers.Tensor { return layers.NewInput("f", layers.Shape(2)) }
	one := func(l featureApplier, in *layers.Tensor) ([]*layers.Tensor, []*layers.Tensor) {
		return []*layers.Tensor{in}, []*layers.Tensor{l.Apply(in)}
	}
	name := layers.WithName("feat")
	for _, tc := range []struct {
		name string
		make func() ([]*layers.Tensor, []*layers.Tensor)
		want string
	}{
		{"hashing zero bins", func() ([]*layers.Tensor, []*layers.Tensor) { return one(layers.Hashing(0, name), str()) }, "num_bins 0 is not in [1, 2147483647]"},
		{"hashing negative bins", func() ([]*layers.Tensor, []*layers.Tensor) { return one(layers.Hashing(-4, name), str()) }, "num_bins -4"},
		{"hashing too many bins", func() ([]*layers.Tensor, []*layers.Tensor) { return one(layers.Hashing(1<<40, name), str()) }, "is not in [1, 2147483647]"},
		{"hashing mask with one bin", func() ([]*layers.Tensor, []*layers.Tensor) {
			return one(layers.Hashing(1, name, layers.WithMaskValue("")), str())
		}, "bin 0 is the mask's"},
		{"hashing float input", func() ([]*layers.Tensor, []*layers.Tensor) { return one(layers.Hashing(4, name), flt()) }, "takes categories"},
		{"hashing integer mask on integers", func() ([]*layers.Tensor, []*layers.Tensor) {
			return one(layers.Hashing(4, name, layers.WithMaskValue("none")), i64())
		}, `mask value "none" is not an integer`},
		{"hashing foreign option", func() ([]*layers.Tensor, []*layers.Tensor) {
			return one(layers.Hashing(4, name, layers.WithNumBins(3)), str())
		}, "does not take option(s) num_bins"},
		{"hashing two inputs", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b := str(), layers.NewInput("t", layers.Shape(2), layers.String)
			return []*layers.Tensor{a, b}, []*layers.Tensor{layers.Apply(layers.Hashing(4, name), a, b)[0]}
		}, "takes one input, got 2"},
		{"discretization both settings", func() ([]*layers.Tensor, []*layers.Tensor) {
			return one(layers.Discretization(name, layers.WithNumBins(3), layers.WithBinBoundaries([]float64{1})), flt())
		}, "not both"},
		{"discretization no settings", func() ([]*layers.Tensor, []*layers.Tensor) { return one(layers.Discretization(name), flt()) }, "needs WithBinBoundaries"},
		{"discretization unsorted boundaries", func() ([]*layers.Tensor, []*layers.Tensor) {
			return one(layers.Discretization(name, layers.WithBinBoundaries([]float64{0, 2, 1})), flt())
		}, "not strictly increasing"},
		{"discretization repeated boundary", func() ([]*layers.Tensor, []*layers.Tensor) {
			return one(layers.Discretization(name, layers.WithBinBoundaries([]float64{1, 1})), flt())
		}, "not strictly increasing"},
		{"discretization NaN boundary", func() ([]*layers.Tensor, []*layers.Tensor) {
			return one(layers.Discretization(name, layers.WithBinBoundaries([]float64{math.NaN()})), flt())
		}, "bin boundary 0 is NaN"},
		{"discretization empty boundaries", func() ([]*layers.Tensor, []*layers.Tensor) {
			return one(layers.Discretization(name, layers.WithBinBoundaries(nil)), flt())
		}, "no bin boundaries"},
		{"discretization one bin", func() ([]*layers.Tensor, []*layers.Tensor) {
			return one(layers.Discretization(name, layers.WithNumBins(1)), flt())
		}, "num_bins 1 is not in [2,"},
		{"discretization not adapted", func() ([]*layers.Tensor, []*layers.Tensor) {
			return one(layers.Discretization(name, layers.WithNumBins(3)), flt())
		}, "call Adapt"},
		{"discretization string input", func() ([]*layers.Tensor, []*layers.Tensor) {
			return one(layers.Discretization(name, layers.WithBinBoundaries([]float64{1})), str())
		}, "takes numbers"},
		{"discretization foreign option", func() ([]*layers.Tensor, []*layers.Tensor) {
			return one(layers.Discretization(name, layers.WithBinBoundaries([]float64{1}), layers.WithSalt(3)), flt())
		}, "does not take option(s) salt"},
		{"crossing zero bins", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b := str(), i64()
			return []*layers.Tensor{a, b}, []*layers.Tensor{layers.HashedCrossing(0, name).Apply(a, b)}
		}, "num_bins 0"},
		{"crossing one input", func() ([]*layers.Tensor, []*layers.Tensor) {
			a := str()
			return []*layers.Tensor{a}, []*layers.Tensor{layers.HashedCrossing(8, name).Apply(a)}
		}, "crosses two or more inputs, got 1"},
		{"crossing shapes differ", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b := str(), layers.NewInput("w", layers.Shape(3), layers.Int64)
			return []*layers.Tensor{a, b}, []*layers.Tensor{layers.HashedCrossing(8, name).Apply(a, b)}
		}, "inputs of one shape"},
		{"crossing float input", func() ([]*layers.Tensor, []*layers.Tensor) {
			a, b := str(), flt()
			return []*layers.Tensor{a, b}, []*layers.Tensor{layers.HashedCrossing(8, name).Apply(a, b)}
		}, "input 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ins, outs := tc.make()
			_, err := featureModel(ins, outs)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `"feat"`) {
				t.Errorf("got %v, want an error naming the layer and containing %q", err, tc.want)
			}
		})
	}
}

func TestHashedCrossingBins(t *testing.T) {
	city := layers.NewInput("city", layers.Shape(2), layers.String)
	code := layers.NewInput("code", layers.Shape(2), layers.Int32)
	x := layers.HashedCrossing(1000003)
	m, err := featureModel([]*layers.Tensor{city, code}, []*layers.Tensor{x.Apply(city, code)})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := featurePredict(t, m,
		tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]string{"red", "ab", "a", "7"})),
		tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]int32{7, 1, 1, 7})))
	if err != nil {
		t.Fatal(err)
	}
	got := outs[0].Data().([]int64)
	if want := int64(fnvCrossR7 % 1000003); got[0] != want {
		t.Errorf("cross (red, 7): %d, want %d", got[0], want)
	}
	for i, pair := range [][2]string{{"red", "7"}, {"ab", "1"}, {"a", "1"}, {"7", "7"}} {
		if want := x.Bin(pair[0], pair[1]); got[i] != want {
			t.Errorf("cross %v: the model gives %d, Bin %d", pair, got[i], want)
		}
	}
	if got[1] == got[2] {
		t.Error("(ab, 1) and (a, 1) share a bin") // not impossible, but not with these values
	}
	if x.Bin("red", "7") == x.Bin("7", "red") {
		t.Error("the order of the crossed values does not matter")
	}
}

// TestFeatureLoadRejectsBadConfigs: a model file whose feature layers' settings
// are bad fails Load with an error naming the layer and the setting.
func TestFeatureLoadRejectsBadConfigs(t *testing.T) {
	m, err := featureStableModel()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.SaveTo(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := layers.LoadFrom(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatalf("the unedited file: %v", err)
	}
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"salt not a number", `"salt":"9223372036854775885"`, `"salt":"-1"`, `config "salt": "-1" is not a decimal uint64`},
		{"salt as a float", `"salt":"9223372036854775885"`, `"salt":9.2e18`, `config "salt"`},
		{"hashing no bins", `"mask_value":"?","num_bins":1048576`, `"mask_value":"?","num_bins":0`, `"num_bins": 0 is not in`},
		{"hashing mask with one bin", `"mask_value":"?","num_bins":1048576`, `"mask_value":"?","num_bins":1`, "bin 0 is the mask's"},
		{"hashing output mode", `"mask_value":"?","num_bins":1048576,"output_mode":"int"`, `"mask_value":"?","num_bins":1048576,"output_mode":"one_hot"`, `"output_mode": "one_hot"`},
		{"unsorted boundaries", `"bin_boundaries":[18,30.5,65]`, `"bin_boundaries":[18,65,30.5]`, "not strictly increasing"},
		{"no boundaries", `"bin_boundaries":[18,30.5,65]`, `"bin_boundaries":null`, `neither "bin_boundaries" nor "num_bins"`},
		{"more boundaries than bins", `"bin_boundaries":[18,30.5,65],"num_bins":null`, `"bin_boundaries":[18,30.5,65],"num_bins":3`, "3 bin boundaries for num_bins 3"},
		{"boundaries not numbers", `"bin_boundaries":[18,30.5,65]`, `"bin_boundaries":["18"]`, `config "bin_boundaries"`},
		{"crossing no bins", `"name":"hashed_crossing","config":{"num_bins":1048576`, `"name":"hashed_crossing","config":{"num_bins":-2`, `"num_bins": -2 is not in`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := rewrite(t, buf.Bytes(), func(h map[string]interface{}) {
				meta := h["__metadata__"].(map[string]interface{})
				arch := meta["model_config"].(string)
				if !strings.Contains(arch, tc.old) {
					t.Fatalf("the architecture has no %s:\n%s", tc.old, arch)
				}
				meta["model_config"] = strings.Replace(arch, tc.old, tc.new, 1)
			})
			_, err := layers.LoadFrom(bytes.NewReader(data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
