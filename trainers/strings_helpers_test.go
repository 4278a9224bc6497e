package trainers_test

import (
	"math/rand"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// colorVocab is the vocabulary of the "color" input of colorModel.
var colorVocab = []string{"red", "green", "blue"}

// colorModel builds a model of a String input "color" (one string per example)
// and a float input "features" (2): color -> StringLookup (oov out-of-vocabulary
// ids) -> Embedding -> Flatten, concatenated with the features -> Dense -> "hit"
// (sigmoid). With withIDs the lookup's ids are a second output "color_lookup"
// (Int64).
func colorModel(t *testing.T, oov int, withIDs bool) *layers.Functional {
	t.Helper()
	color := layers.NewInput("color", layers.Shape(1), layers.String)
	feats := layers.NewInput("features", layers.Shape(2))
	lookup := layers.StringLookup(layers.WithVocabulary(colorVocab), layers.WithNumOOVIndices(oov), layers.WithName("color_lookup"))
	ids := lookup.Apply(color)
	e := layers.Flatten().Apply(layers.Embedding(lookup.VocabularySize(), 4).Apply(ids))
	h := layers.Dense(16, layers.WithActivation("relu")).Apply(layers.Concatenate(-1).Apply(e, feats))
	hit := layers.Dense(1, layers.WithActivation("sigmoid"), layers.WithName("hit")).Apply(h)
	outs := []*layers.Tensor{hit}
	if withIDs {
		outs = append(outs, ids)
	}
	m, err := layers.NewModel([]*layers.Tensor{color, feats}, outs)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// strs returns a String tensor of shape (len(vals), 1).
func strs(vals ...string) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(vals), 1), tensor.WithBacking(append([]string(nil), vals...)))
}

// colorData makes n examples where the string decides the target: hit is 1 for
// "red", 0 for "blue", and for "green" 1 when the first feature is positive. The
// features alone predict the target only by chance (they are noise except for
// green).
func colorData(n int, seed int64) (x, y map[string]*tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	colors := make([]string, n)
	feats := make([]float32, 2*n)
	hit := make([]float32, n)
	for i := range colors {
		colors[i] = colorVocab[rng.Intn(len(colorVocab))]
		feats[2*i], feats[2*i+1] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		switch {
		case colors[i] == "red", colors[i] == "green" && feats[2*i] > 0:
			hit[i] = 1
		}
	}
	x = map[string]*tensor.Dense{
		"color":    strs(colors...),
		"features": tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(feats)),
	}
	y = map[string]*tensor.Dense{"hit": tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(hit))}
	return x, y
}

// colorRows is a request of colorModel: the colors and zero features.
func colorRows(colors ...string) map[string]*tensor.Dense {
	return map[string]*tensor.Dense{
		"color":    strs(colors...),
		"features": tensor.New(tensor.WithShape(len(colors), 2), tensor.Of(tensor.Float32)),
	}
}

// sameFloats reports whether a and b (float32 or float64 tensors, or Int64 ids)
// hold the same values within tol.
func sameFloats(a, b *tensor.Dense, tol float64) bool {
	x, y := values(a), values(b)
	if len(x) != len(y) || a.Dtype() != b.Dtype() {
		return false
	}
	for i := range x {
		if d := x[i] - y[i]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

// values returns the values of a float or Int64 tensor as float64.
func values(d *tensor.Dense) []float64 {
	switch v := d.Data().(type) {
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), v...)
	case []int64:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	}
	return nil
}
