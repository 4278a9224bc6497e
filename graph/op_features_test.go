package graph

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// FNV-1a 64 reference values, computed once by an independent implementation
// (Python, run by hand) and pasted here, so that a change of the hash, of the salt's
// encoding or of the crossing's length prefix fails these tests on any machine:
//
//	import struct
//	P, O, M = 0x100000001b3, 0xcbf29ce484222325, (1 << 64) - 1
//	def fnv(data, h=O):
//	    for c in data:
//	        h = ((h ^ c) * P) & M
//	    return h
//	def hash_bin(v, salt=0):  # before "mod bins"
//	    h = O
//	    if salt:
//	        h = fnv(struct.pack('<Q', salt), h)
//	    return fnv(v.encode('utf-8'), h)
//	def cross(vals):          # before "mod bins"
//	    h = O
//	    for v in vals:
//	        b = v.encode('utf-8')
//	        h = fnv(struct.pack('<Q', len(b)), h)
//	        h = fnv(b, h)
//	    return h
var hashReference = []struct {
	v    string
	salt uint64
	h    uint64
}{
	{"", 0, 0xcbf29ce484222325},
	{"a", 0, 0xaf63dc4c8601ec8c},
	{"red", 0, 0x89e9be1960f4c21c},
	{"green", 0, 0x0f40f029637fecbc},
	{"42", 0, 0x07ee7e07b4b19223},
	{"-12", 0, 0xde53d717ddf84d7b},
	{"日本", 0, 0x121d7e35a6d3ce91},
	{"red", 0x9e3779b97f4a7c15, 0x9c7e6d63b7f68123},
	{"42", 0x9e3779b97f4a7c15, 0x71655e07e1e21e96},
}

var crossReference = []struct {
	vals []string
	h    uint64
}{
	{[]string{"ab", "c"}, 0x7e60470bf599cad6},
	{[]string{"a", "bc"}, 0xba1e1f0e0704d8ea},
	{[]string{"red", "7"}, 0xfa9f66ecaeb569e1},
	{[]string{"7", "red"}, 0xab34d76f413558e9},
	{[]string{"", "", ""}, 0x81d23fd7003c2305},
	{[]string{"日本", "-1"}, 0xdd52eec1cd86712f},
}

var referenceModuli = []int{1, 2, 7, 16, 1000, math.MaxInt32, math.MaxInt64}

func TestHashBinMatchesReference(t *testing.T) {
	for _, r := range hashReference {
		for _, n := range referenceModuli {
			if got, want := HashBin(r.v, n, r.salt), int64(r.h%uint64(n)); got != want {
				t.Errorf("HashBin(%q, %d, %#x) = %d, want %d", r.v, n, r.salt, got, want)
			}
		}
		if r.salt == 0 {
			if a, b := HashBin(r.v, 1000, 0), OOVBucket(r.v, 1000); a != b {
				t.Errorf("%q: HashBin %d and OOVBucket %d differ", r.v, a, b)
			}
		}
	}
	if HashBin("red", 0, 0) != 0 || HashBin("red", -3, 0) != 0 {
		t.Error("HashBin with no bins is not 0")
	}
}

func TestCrossBinMatchesReference(t *testing.T) {
	for _, r := range crossReference {
		for _, n := range referenceModuli {
			if got, want := CrossBin(r.vals, n), int64(r.h%uint64(n)); got != want {
				t.Errorf("CrossBin(%q, %d) = %d, want %d", r.vals, n, got, want)
			}
		}
	}
	if CrossBin([]string{"ab", "c"}, math.MaxInt64) == CrossBin([]string{"a", "bc"}, math.MaxInt64) {
		t.Error("(ab, c) and (a, bc) cross to one bin: the joining is ambiguous")
	}
}

// runFeature binds xs to a new graph, applies f and runs it.
func runFeature(t *testing.T, xs []*tensor.Dense, f func(xs []*G.Node) (*G.Node, error)) (*tensor.Dense, error) {
	t.Helper()
	g, err := New(Infer, tensor.Float64, xs[0].Shape()[0])
	if err != nil {
		t.Fatal(err)
	}
	ns := make([]*G.Node, len(xs))
	for i, x := range xs {
		if ns[i], err = g.bind(fmt.Sprintf("x%d", i), x); err != nil {
			t.Fatal(err)
		}
	}
	y, err := f(ns)
	if err != nil {
		return nil, err
	}
	e, err := NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		return nil, err
	}
	out := e.Dense(y)
	if out.Dtype() != tensor.Int64 || !out.Shape().Eq(xs[0].Shape()) {
		t.Fatalf("output %v %v, want Int64 %v", out.Dtype(), out.Shape(), xs[0].Shape())
	}
	return out, nil
}

func featureDense(shape []int, backing interface{}) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing))
}

func TestHashOp(t *testing.T) {
	strs := []string{"red", "42", "", "-12", "日本", "green"}
	want := func(spec HashSpec, vals []string) []int64 {
		out := make([]int64, len(vals))
		for i, v := range vals {
			out[i] = spec.Bin(v)
		}
		return out
	}
	plain := HashSpec{Bins: 7}
	salted := HashSpec{Bins: 1000, Salt: 0x9e3779b97f4a7c15}
	masked := HashSpec{Bins: 3, Masked: true, MaskValue: "42"}
	for _, tc := range []struct {
		name string
		x    *tensor.Dense
		spec HashSpec
		want []int64
	}{
		{"strings (B,k)", featureDense([]int{2, 3}, strs), plain, want(plain, strs)},
		{"strings (B,k,m) salted", featureDense([]int{1, 3, 2}, strs), salted, want(salted, strs)},
		{"int64 by decimal text", featureDense([]int{2, 1}, []int64{42, -12}), plain, want(plain, []string{"42", "-12"})},
		{"int32", featureDense([]int{2}, []int32{42, -12}), salted, want(salted, []string{"42", "-12"})},
		{"int", featureDense([]int{2}, []int{42, -12}), plain, want(plain, []string{"42", "-12"})},
		{"mask value", featureDense([]int{3}, []string{"42", "red", "41"}), masked, want(masked, []string{"42", "red", "41"})},
		{"mask value on integers", featureDense([]int{2}, []int64{42, 7}), masked, want(masked, []string{"42", "7"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y, err := runFeature(t, []*tensor.Dense{tc.x}, func(xs []*G.Node) (*G.Node, error) { return Hash(xs[0], tc.spec) })
			if err != nil {
				t.Fatal(err)
			}
			got := y.Data().([]int64)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("bins %v, want %v", got, tc.want)
			}
			for _, b := range got {
				if b < 0 || b >= int64(tc.spec.Bins) || (tc.spec.Masked && b == 0 && tc.spec.MaskValue != "42") {
					t.Errorf("bin %d out of [0, %d)", b, tc.spec.Bins)
				}
			}
		})
	}
	// The mask value gets 0, every other value [1, bins): the reference's "red"
	// lands in 1 + h mod 2.
	if got, want := masked.Bin("red"), int64(1+0x89e9be1960f4c21c%2); got != want || masked.Bin("42") != 0 {
		t.Errorf("masked bins: red %d (want %d), mask %d", got, want, masked.Bin("42"))
	}
}

func TestHashOpRejects(t *testing.T) {
	g, err := New(Infer, tensor.Float64, 2)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := g.bind("f", featureDense([]int{2}, []float64{1, 2}))
	s, _ := g.bind("s", featureDense([]int{2}, []string{"a", "b"}))
	sc := G.NewScalar(g.ExprGraph(), tensor.String, G.WithName("scalar"))
	for _, tc := range []struct {
		name string
		x    *G.Node
		spec HashSpec
		want string
	}{
		{"float input", f, HashSpec{Bins: 4}, "dtype float64 is not supported"},
		{"zero bins", s, HashSpec{Bins: 0}, "0 bins"},
		{"negative bins", s, HashSpec{Bins: -2}, "-2 bins"},
		{"mask with one bin", s, HashSpec{Bins: 1, Masked: true}, "bin 0 is the mask's"},
		{"no batch axis", sc, HashSpec{Bins: 4}, "batch axis"},
		{"nil", nil, HashSpec{Bins: 4}, "nil input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Hash(tc.x, tc.spec); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestHashCrossOp(t *testing.T) {
	a := featureDense([]int{2, 2}, []string{"red", "ab", "", "7"})
	b := featureDense([]int{2, 2}, []int64{7, 0, -1, 7})
	c := featureDense([]int{2, 2}, []int32{1, 2, 3, 4})
	y, err := runFeature(t, []*tensor.Dense{a, b, c}, func(xs []*G.Node) (*G.Node, error) { return HashCross(xs, 50) })
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{
		CrossBin([]string{"red", "7", "1"}, 50), CrossBin([]string{"ab", "0", "2"}, 50),
		CrossBin([]string{"", "-1", "3"}, 50), CrossBin([]string{"7", "7", "4"}, 50),
	}
	if got := y.Data().([]int64); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("bins %v, want %v", got, want)
	}
	// A reference cross through the op: ("red", 7) by a string and an int column.
	y, err = runFeature(t, []*tensor.Dense{featureDense([]int{1}, []string{"red"}), featureDense([]int{1}, []int{7})},
		func(xs []*G.Node) (*G.Node, error) { return HashCross(xs, math.MaxInt32) })
	if err != nil {
		t.Fatal(err)
	}
	if got, want := y.Data().([]int64)[0], int64(0xfa9f66ecaeb569e1%uint64(math.MaxInt32)); got != want {
		t.Errorf("cross of (red, 7): %d, want %d", got, want)
	}
}

func TestHashCrossOpRejects(t *testing.T) {
	g, err := New(Infer, tensor.Float64, 2)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := g.bind("s", featureDense([]int{2, 2}, []string{"a", "b", "c", "d"}))
	i, _ := g.bind("i", featureDense([]int{2, 2}, []int64{1, 2, 3, 4}))
	wide, _ := g.bind("wide", featureDense([]int{2, 3}, []int64{1, 2, 3, 4, 5, 6}))
	f, _ := g.bind("f", featureDense([]int{2, 2}, []float32{1, 2, 3, 4}))
	for _, tc := range []struct {
		name string
		xs   []*G.Node
		bins int
		want string
	}{
		{"one input", []*G.Node{s}, 4, "1 inputs (want at least 2)"},
		{"no bins", []*G.Node{s, i}, 0, "0 bins"},
		{"shapes differ", []*G.Node{s, wide}, 4, "want one shape"},
		{"float input", []*G.Node{s, f}, 4, "input 1 has dtype float32"},
		{"nil input", []*G.Node{s, nil}, 4, "input 1 is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := HashCross(tc.xs, tc.bins); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestDiscretizeOp(t *testing.T) {
	bounds := []float64{-1, 0, 0.7, 2}
	inf := math.Inf(1)
	for _, tc := range []struct {
		name string
		x    *tensor.Dense
		want []int64
	}{
		// Bucket i holds bounds[i-1] <= x < bounds[i]: a boundary opens its bucket.
		{"float64", featureDense([]int{2, 4}, []float64{-5, -1, -0.5, 0, 0.69, 0.7, 2, 100}), []int64{0, 1, 1, 2, 2, 3, 4, 4}},
		{"infinities", featureDense([]int{2}, []float64{-inf, inf}), []int64{0, 4}},
		// float32(0.7) < 0.7: compared with the boundary rounded to float32 it opens bucket 3.
		{"float32 rounds the boundaries", featureDense([]int{1, 3}, []float32{0.7, -1, 1.9999999}), []int64{3, 1, 3}},
		{"int64", featureDense([]int{3}, []int64{-3, 0, 2}), []int64{0, 2, 4}},
		{"int32", featureDense([]int{3}, []int32{-1, 1, 5}), []int64{1, 3, 4}},
		{"int", featureDense([]int{2}, []int{0, -2}), []int64{2, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y, err := runFeature(t, []*tensor.Dense{tc.x}, func(xs []*G.Node) (*G.Node, error) { return Discretize(xs[0], bounds) })
			if err != nil {
				t.Fatal(err)
			}
			if got := y.Data().([]int64); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("buckets %v, want %v", got, tc.want)
			}
		})
	}
	// NaN has no bucket: the run fails naming the example and position.
	for _, x := range []*tensor.Dense{
		featureDense([]int{2, 2}, []float64{1, 2, 3, math.NaN()}),
		featureDense([]int{2, 2}, []float32{1, 2, 3, float32(math.NaN())}),
	} {
		_, err := runFeature(t, []*tensor.Dense{x}, func(xs []*G.Node) (*G.Node, error) { return Discretize(xs[0], bounds) })
		var de *DiscretizeError
		if !errors.As(err, &de) || de.Row != 1 || de.Pos != 1 {
			t.Errorf("%v NaN: got %v, want a DiscretizeError at example 1 position 1", x.Dtype(), err)
		}
	}
	if Bucket(math.NaN(), bounds) != -1 || Bucket(0.7, bounds) != 3 {
		t.Error("Bucket: NaN is not -1 or 0.7 is not in bucket 3")
	}
}

func TestDiscretizeOpRejects(t *testing.T) {
	g, err := New(Infer, tensor.Float64, 2)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := g.bind("x", featureDense([]int{2}, []float64{1, 2}))
	s, _ := g.bind("s", featureDense([]int{2}, []string{"a", "b"}))
	for _, tc := range []struct {
		name   string
		x      *G.Node
		bounds []float64
		want   string
	}{
		{"string input", s, []float64{0}, "dtype string is not supported"},
		{"no boundaries", x, nil, "no bin boundaries"},
		{"unsorted", x, []float64{0, 2, 1}, "not strictly increasing: boundary 1 is 2, boundary 2 is 1"},
		{"repeated", x, []float64{0, 1, 1}, "not strictly increasing"},
		{"NaN boundary", x, []float64{0, math.NaN()}, "bin boundary 1 is NaN"},
		{"infinite boundary", x, []float64{math.Inf(-1), 0}, "bin boundary 0 is -Inf"},
		{"nil input", nil, []float64{0}, "nil input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Discretize(tc.x, tc.bounds); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestDiscretizeNodesDiffer: two Discretize ops of different boundaries on one input
// stay two nodes (Gorgonia merges nodes of equal op hashes).
func TestDiscretizeNodesDiffer(t *testing.T) {
	x := featureDense([]int{3}, []float64{0.5, 1.5, 2.5})
	g, err := New(Infer, tensor.Float64, 3)
	if err != nil {
		t.Fatal(err)
	}
	xn, _ := g.bind("x", x)
	a, err := Discretize(xn, []float64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Discretize(xn, []float64{1, 3})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Discretize(xn, []float64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if a == b || a != c {
		t.Fatalf("nodes: a==b %v (want false), a==c %v (want true)", a == b, a == c)
	}
	e, err := NewExecutor(g.ExprGraph())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	if ga, gb := fmt.Sprint(e.Dense(a).Data()), fmt.Sprint(e.Dense(b).Data()); ga != "[0 1 2]" || gb != "[0 1 1]" {
		t.Errorf("buckets %s and %s, want [0 1 2] and [0 1 1]", ga, gb)
	}
}

func TestQuantileBoundaries(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []float64
		bins   int
		want   []float64
		err    string
	}{
		// Ranks floor(i·N/bins): 8 values, 4 bins -> ranks 2, 4, 6.
		{"quartiles", []float64{8, 1, 7, 2, 6, 3, 5, 4}, 4, []float64{3, 5, 7}, ""},
		{"two bins of odd count", []float64{5, 1, 3, 2, 4}, 2, []float64{3}, ""},
		{"repeats dropped", []float64{1, 1, 1, 1, 2, 2}, 4, []float64{1, 2}, ""},
		{"constant", []float64{3, 3, 3}, 5, []float64{3}, ""},
		{"more bins than values", []float64{2, -1, 0}, 10, []float64{-1, 0, 2}, ""},
		{"negative zero", []float64{math.Copysign(0, -1), 1}, 2, []float64{1}, ""},
		{"empty", nil, 3, nil, "no values"},
		{"one bin", []float64{1, 2}, 1, nil, "1 bins"},
		{"NaN", []float64{1, math.NaN()}, 2, nil, "value 1 is NaN"},
		{"infinity", []float64{math.Inf(1), 1}, 2, nil, "value 0 is +Inf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := QuantileBoundaries(tc.values, tc.bins)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, %v; want an error containing %q", got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("boundaries %v, want %v", got, tc.want)
			}
			if err := CheckBoundaries(got); err != nil {
				t.Errorf("boundaries %v fail CheckBoundaries: %v", got, err)
			}
		})
	}
	// Equal counts: 1000 distinct values in 10 bins give 100 per bucket.
	vals := make([]float64, 1000)
	for i := range vals {
		vals[i] = float64((i * 7919) % 1000)
	}
	b, err := QuantileBoundaries(vals, 10)
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int, len(b)+1)
	for _, v := range vals {
		counts[Bucket(v, b)]++
	}
	for i, c := range counts {
		if c != 100 {
			t.Errorf("bucket %d holds %d values, want 100 (boundaries %v)", i, c, b)
		}
	}
}

// TestFeatureOpsNotDifferentiable: the ops claim no gradient with respect to any
// input (the layers harness trains an Embedding behind each of them).
func TestFeatureOpsNotDifferentiable(t *testing.T) {
	for _, o := range []interface{ DiffWRT(int) []bool }{hashOp{}, crossOp{}, discretizeOp{}} {
		for _, d := range o.DiffWRT(2) {
			if d {
				t.Errorf("%T claims a gradient", o)
			}
		}
	}
}

// TestFeatureOpsEmptyBatch: a batch of no examples gives no bins (tensor's Data
// panics on an empty tensor: the ops must not call it).
func TestFeatureOpsEmptyBatch(t *testing.T) {
	strs := tensor.New(tensor.Of(tensor.String), tensor.WithShape(0, 2))
	nums := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(0, 2))
	ids := tensor.New(tensor.Of(tensor.Int64), tensor.WithShape(0, 2))
	for name, run := range map[string]func() (G.Value, error){
		"hash":  func() (G.Value, error) { return hashOp{spec: HashSpec{Bins: 3}, dims: 2, in: tensor.String}.Do(strs) },
		"cross": func() (G.Value, error) { return crossOp{opBase: opBase{arity: 2}, bins: 3, dims: 2}.Do(strs, ids) },
		"discretize": func() (G.Value, error) {
			return discretizeOp{opBase: opBase{arity: 1}, bounds: []float64{0}, b32: []float32{0}}.Do(nums)
		},
	} {
		v, err := func() (v G.Value, err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			return run()
		}()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if d := v.(*tensor.Dense); d.Shape().TotalSize() != 0 || d.Dtype() != tensor.Int64 {
			t.Errorf("%s: output %v %v", name, d.Dtype(), d.Shape())
		}
	}
}
