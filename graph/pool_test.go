package graph

import (
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var poolCases = []struct {
	name    string
	x       []int
	spec    Pool2DSpec
	outWant []int
}{
	{"2x2 stride 2 valid", []int{2, 4, 4, 2}, Pool2DSpec{[2]int{2, 2}, [2]int{2, 2}, "valid"}, []int{2, 2, 2}},
	{"2x2 stride 2 valid odd size", []int{2, 5, 5, 1}, Pool2DSpec{[2]int{2, 2}, [2]int{2, 2}, "valid"}, []int{2, 2, 1}},
	{"2x2 stride 1 overlapping", []int{2, 4, 5, 2}, Pool2DSpec{[2]int{2, 2}, [2]int{1, 1}, "valid"}, []int{3, 4, 2}},
	{"3x3 stride 2 same (asymmetric)", []int{2, 5, 6, 2}, Pool2DSpec{[2]int{3, 3}, [2]int{2, 2}, "same"}, []int{3, 3, 2}},
	{"3x3 stride 1 same", []int{2, 4, 4, 1}, Pool2DSpec{[2]int{3, 3}, [2]int{1, 1}, "same"}, []int{4, 4, 1}},
	{"2x3 stride (1,2) same", []int{2, 5, 7, 2}, Pool2DSpec{[2]int{2, 3}, [2]int{1, 2}, "same"}, []int{5, 4, 2}},
	{"2x2 stride 2 same odd size", []int{2, 5, 5, 1}, Pool2DSpec{[2]int{2, 2}, [2]int{2, 2}, "same"}, []int{3, 3, 1}},
}

func TestPool2D(t *testing.T) {
	for i, c := range poolCases {
		for _, avg := range []bool{false, true} {
			name := "max " + c.name
			op := MaxPool2D
			if avg {
				name, op = "avg "+c.name, AvgPool2D
			}
			spec := c.spec
			build := func(g *Graph, in []*G.Node) (*G.Node, error) { return op(in[0], spec) }
			t.Run(name, func(t *testing.T) {
				out, err := Pool2DOutputShape(c.x[1:], spec)
				if err != nil || !tensor.Shape(out).Eq(tensor.Shape(c.outWant)) {
					t.Fatalf("output shape %v (%v), want %v", out, err, c.outWant)
				}
				x := randTensor(int64(500+i), -1, 1, c.x...)
				g, _ := poolGeomOf(c.x, spec)
				want := naivePool(avg, toF64(x), c.x, spec.Size, spec.Strides, g.pt, g.pl, g.oh, g.ow)
				got, _ := runBuild(t, Infer, build, x)
				assertClose(t, "float64", got, want, 1e-12)
				got32, _ := runBuild(t, Infer, build, asF32(x))
				assertClose(t, "float32", got32, want, 1e-6)
				checkGradLog(t, build, nil, x)
			})
		}
	}
}

func TestGlobalPool2D(t *testing.T) {
	x := randTensor(600, -1, 1, 3, 4, 5, 2)
	for _, avg := range []bool{false, true} {
		name, op := "global max", GlobalMaxPool2D
		if avg {
			name, op = "global avg", GlobalAvgPool2D
		}
		build := func(g *Graph, in []*G.Node) (*G.Node, error) { return op(in[0]) }
		t.Run(name, func(t *testing.T) {
			got, shape := runBuild(t, Infer, build, x)
			if !shape.Eq(tensor.Shape{3, 2}) {
				t.Fatalf("shape %v, want (3, 2)", shape)
			}
			want := naivePool(avg, toF64(x), []int{3, 4, 5, 2}, [2]int{4, 5}, [2]int{1, 1}, 0, 0, 1, 1)
			assertClose(t, "value", got, want, 1e-12)
			checkGradLog(t, build, nil, x)
		})
	}
}

func TestZeroPad2D(t *testing.T) {
	x := randTensor(700, -1, 1, 2, 3, 4, 2)
	build := func(g *Graph, in []*G.Node) (*G.Node, error) { return ZeroPad2D(in[0], 1, 2, 0, 3) }
	got, shape := runBuild(t, Infer, build, x)
	if !shape.Eq(tensor.Shape{2, 6, 7, 2}) {
		t.Fatalf("shape %v, want (2, 6, 7, 2)", shape)
	}
	// A 1x1 convolution by the identity reads the padded image back.
	want := naiveConv(toF64(x), []int{2, 3, 4, 2}, []float64{1, 0, 0, 1}, []int{1, 1, 2, 2}, [2]int{1, 1}, [2]int{1, 1}, 1, 0, 6, 7)
	assertClose(t, "padded", got, want, 0)
	checkGradLog(t, build, nil, x)
	double := func(g *Graph, in []*G.Node) (*G.Node, error) {
		p, err := ZeroPad2D(in[0], 1, 0, 2, 1)
		if err != nil {
			return nil, err
		}
		return Conv2D(p, in[1], Conv2DSpec{Strides: [2]int{1, 1}, Dilation: [2]int{1, 1}, Padding: "valid"})
	}
	checkGradLog(t, double, nil, x, randTensor(701, -1, 1, 2, 2, 2, 3))
	if _, err := ZeroPad2D(G.NewMatrix(G.NewGraph(), tensor.Float64, G.WithShape(2, 3)), 1, 1, 1, 1); err == nil || !strings.Contains(err.Error(), "not (batch, height, width, channels)") {
		t.Errorf("2-d input: error %v", err)
	}
}

func TestPool2DErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     []int
		spec   Pool2DSpec
		substr string
	}{
		{"rank", []int{4, 4}, Pool2DSpec{[2]int{2, 2}, [2]int{2, 2}, "valid"}, "not (height, width, channels)"},
		{"too large", []int{3, 3, 1}, Pool2DSpec{[2]int{4, 4}, [2]int{1, 1}, "valid"}, "larger than the input size 3"},
		{"zero stride", []int{4, 4, 1}, Pool2DSpec{[2]int{2, 2}, [2]int{2, 0}, "valid"}, "stride 0"},
		{"zero size", []int{4, 4, 1}, Pool2DSpec{[2]int{0, 2}, [2]int{1, 1}, "valid"}, "window 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Pool2DOutputShape(tc.in, tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.substr) {
				t.Fatalf("error %v, want one containing %q", err, tc.substr)
			}
		})
	}
}
