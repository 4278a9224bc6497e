package datasets

import (
	"math"
	"reflect"
	"testing"

	"gorgonia.org/tensor"
)

// int32Rows returns the rows of an (N, C) int32 tensor as ints.
func int32Rows(t *testing.T, d *tensor.Dense) [][]int {
	t.Helper()
	if d.Dtype() != tensor.Int32 {
		t.Fatalf("dtype %v, want int32", d.Dtype())
	}
	s := d.Shape()
	vals := d.Data().([]int32)
	rows := make([][]int, s[0])
	for i := range rows {
		rows[i] = make([]int, s[1])
		for j := range rows[i] {
			rows[i][j] = int(vals[i*s[1]+j])
		}
	}
	return rows
}

func TestLMWindowsTable(t *testing.T) {
	ids := []int{10, 11, 12, 13, 14, 15, 16}
	cases := []struct {
		name            string
		ids             []int
		context, stride int
		x, y            [][]int
		err             string
	}{
		{"stride 1", ids, 3, 1,
			[][]int{{10, 11, 12}, {11, 12, 13}, {12, 13, 14}, {13, 14, 15}},
			[][]int{{11, 12, 13}, {12, 13, 14}, {13, 14, 15}, {14, 15, 16}}, ""},
		{"non-overlapping", ids, 3, 3,
			[][]int{{10, 11, 12}, {13, 14, 15}},
			[][]int{{11, 12, 13}, {14, 15, 16}}, ""},
		{"tail left out", ids, 2, 4,
			[][]int{{10, 11}, {14, 15}},
			[][]int{{11, 12}, {15, 16}}, ""},
		{"one window exactly", ids, 6, 1,
			[][]int{{10, 11, 12, 13, 14, 15}},
			[][]int{{11, 12, 13, 14, 15, 16}}, ""},
		{"context 1", []int{0, 1, 2}, 1, 1, [][]int{{0}, {1}}, [][]int{{1}, {2}}, ""},
		{"big stride", ids, 2, 100, [][]int{{10, 11}}, [][]int{{11, 12}}, ""},
		{"too few tokens", ids, 7, 1, nil, nil, "7 tokens are too few for one window of context 7 (need at least 8"},
		{"no tokens", nil, 1, 1, nil, nil, "0 tokens are too few"},
		{"context 0", ids, 0, 1, nil, nil, "context 0 is not at least 1"},
		{"context negative", ids, -2, 1, nil, nil, "context -2 is not at least 1"},
		{"stride 0", ids, 2, 0, nil, nil, "stride 0 is not at least 1"},
		{"negative id", []int{1, -1, 2}, 1, 1, nil, nil, "token 1 has id -1"},
		{"id too big", []int{1, 2, math.MaxInt32 + 1}, 1, 1, nil, nil, "token 2 has id 2147483648"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := LMWindows(c.ids, c.context, c.stride)
			checkErr(t, err, c.err)
			if err != nil {
				return
			}
			if got := int32Rows(t, s.X()); !reflect.DeepEqual(got, c.x) {
				t.Fatalf("X = %v, want %v", got, c.x)
			}
			if got := int32Rows(t, s.Y()); !reflect.DeepEqual(got, c.y) {
				t.Fatalf("Y = %v, want %v", got, c.y)
			}
			if s.Len() != len(c.x) || s.Context() != c.context || s.Stride() != c.stride {
				t.Fatalf("Len %d Context %d Stride %d", s.Len(), s.Context(), s.Stride())
			}
		})
	}
}

func TestLMWindowsAsMultiAndDataset(t *testing.T) {
	ids := make([]int, 50)
	for i := range ids {
		ids[i] = i * 2
	}
	s, err := LMWindows(ids, 4, 5)
	if err != nil {
		t.Fatal(err)
	}
	var m Multi = s
	var ds Dataset = s
	var _ TensorGatherer = s
	if n := m.Len(); n != 10 {
		t.Fatalf("Len %d, want 10", n)
	}
	in, out := m.Inputs(), m.Targets()
	if len(in) != 1 || len(out) != 1 || !reflect.DeepEqual(in[0].Shape, []int{4}) || in[0].DType != tensor.Int32 ||
		!reflect.DeepEqual(out[0].Shape, []int{4}) || out[0].DType != tensor.Int32 {
		t.Fatalf("specs %+v %+v", in, out)
	}
	if !reflect.DeepEqual(ds.XShape(), []int{4}) || !reflect.DeepEqual(ds.YShape(), []int{4}) {
		t.Fatalf("shapes %v %v", ds.XShape(), ds.YShape())
	}

	// Integer destinations (for an Embedding layer), windows 3 and 0.
	x := tensor.New(tensor.WithShape(2, 4), tensor.Of(tensor.Int))
	y := tensor.New(tensor.WithShape(2, 4), tensor.Of(tensor.Int))
	if err := m.GatherMulti([]int{3, 0}, []*tensor.Dense{x}, []*tensor.Dense{y}); err != nil {
		t.Fatal(err)
	}
	if got, want := x.Data().([]int), []int{30, 32, 34, 36, 0, 2, 4, 6}; !reflect.DeepEqual(got, want) {
		t.Fatalf("x %v, want %v", got, want)
	}
	if got, want := y.Data().([]int), []int{32, 34, 36, 38, 2, 4, 6, 8}; !reflect.DeepEqual(got, want) {
		t.Fatalf("y %v, want %v", got, want)
	}
	yt := tensor.New(tensor.WithShape(1, 4), tensor.Of(tensor.Int32))
	if err := GatherTargetMulti(s, []int{9}, 0, yt); err != nil {
		t.Fatal(err)
	}
	if got, want := yt.Data().([]int32), []int32{92, 94, 96, 98}; !reflect.DeepEqual(got, want) {
		t.Fatalf("target 9 %v, want %v", got, want)
	}

	// Float destinations through the Dataset interface.
	xf := tensor.New(tensor.WithShape(1, 4), tensor.Of(tensor.Float32))
	yf := tensor.New(tensor.WithShape(1, 4), tensor.Of(tensor.Float32))
	if err := ds.Gather([]int{1}, xf, yf); err != nil {
		t.Fatal(err)
	}
	if got, want := xf.Data().([]float32), []float32{10, 12, 14, 16}; !reflect.DeepEqual(got, want) {
		t.Fatalf("float x %v, want %v", got, want)
	}
	if back, err := AsDataset(s); err != nil || back != Dataset(s) {
		t.Fatalf("AsDataset: %v", err)
	}

	// Errors name the type and stay errors (no panic).
	checkErr(t, ds.Gather([]int{10}, xf, yf), "datasets.LMSet")
	checkErr(t, ds.Gather([]int{0}, tensor.New(tensor.WithShape(1, 4), tensor.Of(tensor.Int)), yf), "datasets.LMSet")
	checkErr(t, m.GatherMulti(nil, []*tensor.Dense{x}, []*tensor.Dense{y}), "datasets.LMSet")
	checkErr(t, s.GatherInput([]int{0}, 1, x), "datasets.LMSet")

	// Trainers split a Dataset with the helpers of this package.
	train, val, err := SplitTail(s, 0.2)
	if err != nil || train.Len() != 8 || val.Len() != 2 {
		t.Fatalf("SplitTail: %v", err)
	}
	if s.Tensors().Input(0) != s.X() {
		t.Fatal("Tensors does not share X")
	}
}

func TestLMSplitTokens(t *testing.T) {
	ten := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	cases := []struct {
		name        string
		ids         []int
		frac        float64
		train, test []int
		err         string
	}{
		{"90/10", ten, 0.9, ten[:9], ten[9:], ""},
		{"half", ten, 0.5, ten[:5], ten[5:], ""},
		{"floor", []int{1, 2, 3}, 0.5, []int{1}, []int{2, 3}, ""},
		{"nothing to train", []int{1, 2, 3}, 0.2, nil, nil, "leaves 0 for training and 3 for test"},
		{"almost all", ten, 0.99, ten[:9], ten[9:], ""},
		{"empty", nil, 0.9, nil, nil, "of 0 tokens"},
		{"fraction 0", ten, 0, nil, nil, "train fraction 0 is not in (0, 1)"},
		{"fraction 1", ten, 1, nil, nil, "is not in (0, 1)"},
		{"NaN", ten, math.NaN(), nil, nil, "is not in (0, 1)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			train, test, err := SplitTokens(c.ids, c.frac)
			checkErr(t, err, c.err)
			if err != nil {
				return
			}
			if !reflect.DeepEqual(train, c.train) || !reflect.DeepEqual(test, c.test) {
				t.Fatalf("got %v / %v, want %v / %v", train, test, c.train, c.test)
			}
			train[0] = -5
			if c.ids[0] == -5 {
				t.Fatal("train shares memory with ids")
			}
		})
	}
}
