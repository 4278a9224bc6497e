package layers_test

import (
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
)

func TestNormalizationAdapt(t *testing.T) {
	tests := []struct {
		name          string
		x             *tensor.Dense
		mean, varianc []float64
		wantErr       string
	}{
		{name: "rows", x: tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, 10, 2, 10, 3, 10, 6, 10})),
			mean: []float64{3, 10}, varianc: []float64{3.5, 1}}, // (4+1+0+9)/4; a constant feature gets 1
		{name: "float32 images per channel", x: tensor.New(tensor.WithShape(2, 1, 2, 2), tensor.WithBacking([]float32{0, 1, 2, 3, 4, 5, 6, 7})),
			mean: []float64{3, 4}, varianc: []float64{5, 5}},
		{name: "NaN", x: tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, math.NaN(), 4})), wantErr: "example 1 feature 0 is NaN"},
		{name: "ints", x: tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]int64{1, 2})), wantErr: "want float32 or float64"},
		{name: "empty", x: tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(0, 3)), wantErr: "empty"},
		{name: "nil", wantErr: "no data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := layers.Normalization(layers.WithName("norm"))
			err := n.Adapt(tc.x)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), `"norm"`) {
					t.Fatalf("got %v, want an error naming the layer and containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !closeAll(n.Mean(), tc.mean, 1e-12) || !closeAll(n.Variance(), tc.varianc, 1e-12) {
				t.Errorf("mean %v variance %v, want %v %v", n.Mean(), n.Variance(), tc.mean, tc.varianc)
			}
		})
	}
}

func closeAll(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol*math.Max(1, math.Abs(b[i])) {
			return false
		}
	}
	return true
}

// TestNormalizationBuilt: Adapt after Build writes the weights (and checks the
// width); a shape that does not fit the statistics fails Build.
func TestNormalizationBuilt(t *testing.T) {
	ctx := layers.BuildContext{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1))}
	n := layers.Normalization(layers.WithName("norm"))
	if _, err := n.Build(ctx, []int{2}); err != nil {
		t.Fatal(err)
	}
	if got := n.Variance(); !closeAll(got, []float64{1, 1}, 0) {
		t.Errorf("variance before Adapt %v, want ones", got)
	}
	x := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 4, 2, 8}))
	if err := n.Adapt(x); err != nil {
		t.Fatal(err)
	}
	if w := n.Params()[1].Float64s(); !closeAll(w, []float64{1, 4}, 0) {
		t.Errorf("variance weight %v, want [1 4]", w)
	}
	if err := n.Adapt(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{1, 2, 3}))); err == nil || !strings.Contains(err.Error(), "built for 2") {
		t.Errorf("adapting 3 features into a layer built for 2: %v", err)
	}
	m := layers.Normalization(layers.WithMeanVariance([]float64{0, 0, 0}, []float64{1, 1, 1}))
	if _, err := m.Build(ctx, []int{2}); err == nil || !strings.Contains(err.Error(), "3 features") {
		t.Errorf("3 statistics for 2 features: %v", err)
	}
	bad := layers.Normalization(layers.WithMeanVariance([]float64{0}, []float64{0}))
	if _, err := bad.Build(ctx, []int{1}); err == nil || !strings.Contains(err.Error(), "positive finite variance") {
		t.Errorf("a zero variance: %v", err)
	}
}

func TestLookupAdapt(t *testing.T) {
	s := layers.StringLookup(layers.WithName("color"))
	x := tensor.New(tensor.WithShape(6, 1), tensor.WithBacking([]string{"b", "a", "c", "a", "b", "a"}))
	if err := s.Adapt(x); err != nil {
		t.Fatal(err)
	}
	// a 3 times, b twice, c once; ids after the one out-of-vocabulary id.
	if got := strings.Join(s.Vocabulary(), ","); got != "a,b,c" || s.VocabularySize() != 4 {
		t.Errorf("vocabulary %q size %d, want a,b,c and 4", got, s.VocabularySize())
	}
	capped := layers.StringLookup(layers.WithMaxTokens(3), layers.WithNumOOVIndices(1))
	if err := capped.Adapt(x); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(capped.Vocabulary(), ","); got != "a,b" {
		t.Errorf("max_tokens 3: vocabulary %q, want a,b", got)
	}
	ints := layers.IntegerLookup()
	if err := ints.Adapt(tensor.New(tensor.WithShape(4), tensor.WithBacking([]int64{70, 3, 70, -1}))); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ints.Vocabulary(), ","); got != "70,-1,3" {
		t.Errorf("integer vocabulary %q, want 70,-1,3", got)
	}
	for _, tc := range []struct {
		name string
		l    *layers.LookupLayer
		x    *tensor.Dense
		want string
	}{
		{"strings into IntegerLookup", layers.IntegerLookup(), x, "want integers"},
		{"ints into StringLookup", layers.StringLookup(), tensor.New(tensor.WithShape(1), tensor.WithBacking([]int64{1})), "want strings"},
		{"duplicate vocabulary", layers.StringLookup(layers.WithVocabulary([]string{"a", "a"})), nil, "listed twice"},
		{"WithVocabulary on IntegerLookup", layers.IntegerLookup(layers.WithVocabulary([]string{"1"})), nil, "WithIntVocabulary"},
		{"no room", layers.StringLookup(layers.WithMaxTokens(1)), nil, "no room"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.x != nil {
				err = tc.l.Adapt(tc.x)
			} else {
				_, err = tc.l.BuildMulti(layers.BuildContext{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1))},
					[]layers.Spec{{Shape: []int{1}, DType: tensor.String}})
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	// Without a vocabulary, Build says to adapt.
	_, err := layers.StringLookup(layers.WithName("c")).BuildMulti(layers.BuildContext{DType: tensor.Float32, RNG: rand.New(rand.NewSource(1))},
		[]layers.Spec{{Shape: []int{1}, DType: tensor.String}})
	if err == nil || !strings.Contains(err.Error(), "call Adapt") {
		t.Errorf("no vocabulary: %v", err)
	}
}

// TestLookupIDs: known values get NumOOV+position, unknown ones a stable bucket.
func TestLookupIDs(t *testing.T) {
	in := layers.NewInput("color", layers.Shape(1), layers.String)
	lk := layers.StringLookup(layers.WithVocabulary([]string{"red", "green"}), layers.WithNumOOVIndices(3))
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{lk.Apply(in)})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	g, err := graph.New(graph.Infer, tensor.Float32, 4)
	if err != nil {
		t.Fatal(err)
	}
	x, v, err := g.InputOf("color", tensor.String, 1)
	if err != nil {
		t.Fatal(err)
	}
	copy(v.Data().([]string), []string{"green", "mauve", "red", "mauve"})
	outs, err := m.ForwardMulti(g, []*G.Node{x})
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g.ExprGraph())
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	got := outs[0].Value().Data().([]int64)
	mauve := graph.OOVBucket("mauve", 3)
	want := []int64{4, mauve, 3, mauve}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ids %v, want %v", got, want)
		}
	}
}

// TestIntegerLookupLargeValuesSurviveSave: ids beyond 2^53 (a config is read back
// through float64) keep their exact values.
func TestIntegerLookupLargeValuesSurviveSave(t *testing.T) {
	in := layers.NewInput("id", layers.Shape(1), layers.Int64)
	lk := layers.IntegerLookup(layers.WithIntVocabulary([]int64{9007199254740993, -9007199254740995, 7}), layers.WithName("ids"))
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{lk.Apply(in)})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := layers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range back.Layers() {
		if got, ok := l.(*layers.LookupLayer); ok {
			if v := strings.Join(got.Vocabulary(), ","); v != "9007199254740993,-9007199254740995,7" {
				t.Errorf("vocabulary after Load %s", v)
			}
			return
		}
	}
	t.Fatal("no lookup layer after Load")
}
