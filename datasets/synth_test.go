package datasets

import (
	"fmt"
	"math"
	"testing"
)

func TestGeneratorsShapesAndSeeds(t *testing.T) {
	// Every synthetic generator with typical arguments.
	generators := []struct {
		name string
		gen  func(n int, seed int64) (*Tensor, error)
	}{
		{"Linear", Linear},
		{"Logistic", Logistic},
		{"XOR", func(n int, seed int64) (*Tensor, error) { return XOR(n, 0.1, seed) }},
		{"Moons", func(n int, seed int64) (*Tensor, error) { return Moons(n, 0.1, seed) }},
		{"Spirals", func(n int, seed int64) (*Tensor, error) { return Spirals(n, 0.1, seed) }},
	}
	xDims := map[string]int{"Linear": 1, "Logistic": 2, "XOR": 2, "Moons": 2, "Spirals": 2}
	for _, g := range generators {
		t.Run(g.name, func(t *testing.T) {
			a, err := g.gen(200, 1)
			if err != nil {
				t.Fatal(err)
			}
			if a.Len() != 200 || !equalInts(a.XShape(), []int{xDims[g.name]}) || !equalInts(a.YShape(), []int{1}) {
				t.Fatalf("Len %d XShape %v YShape %v", a.Len(), a.XShape(), a.YShape())
			}
			if got := a.X().Shape(); !equalInts(got, []int{200, xDims[g.name]}) {
				t.Errorf("X shape %v", got)
			}
			if err := CheckFinite(a); err != nil {
				t.Error(err)
			}
			b, _ := g.gen(200, 1)
			c, _ := g.gen(200, 2)
			ax, ay := gatherAll(t, a)
			bx, by := gatherAll(t, b)
			cx, _ := gatherAll(t, c)
			if !equalFloats(ax, bx) || !equalFloats(ay, by) {
				t.Errorf("same seed, different data")
			}
			if equalFloats(ax, cx) {
				t.Errorf("seeds 1 and 2 give the same x")
			}
			for _, n := range []int{0, -1} {
				if _, err := g.gen(n, 1); err == nil {
					t.Errorf("n = %d accepted", n)
				}
			}
			if _, err := g.gen(1, 1); err != nil {
				t.Errorf("n = 1: %v", err)
			}
		})
	}
}

func TestGeneratorsNoiseErrors(t *testing.T) {
	gens := map[string]func(n int, noise float64, seed int64) (*Tensor, error){
		"XOR": XOR, "Moons": Moons, "Spirals": Spirals,
	}
	tests := []struct {
		noise   float64
		wantErr string
	}{
		{0, ""},
		{0.5, ""},
		{-0.1, "noise = -0.1"},
		{math.NaN(), "noise = NaN"},
		{math.Inf(1), "noise = +Inf"},
	}
	for name, gen := range gens {
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%s noise %v", name, tc.noise), func(t *testing.T) {
				_, err := gen(10, tc.noise, 1)
				checkErr(t, err, tc.wantErr)
			})
		}
	}
}

// ones counts the labels equal to 1 and checks that all are 0 or 1.
func ones(t *testing.T, y []float64) int {
	t.Helper()
	c := 0
	for i, v := range y {
		switch v {
		case 1:
			c++
		case 0:
		default:
			t.Fatalf("label %d is %v, want 0 or 1", i, v)
		}
	}
	return c
}

func TestLabelBalance(t *testing.T) {
	tests := []struct {
		name     string
		gen      func() (*Tensor, error)
		min, max int // bounds on the number of label-1 examples
	}{
		{"Logistic", func() (*Tensor, error) { return Logistic(1000, 3) }, 500, 620},     // P(y=1) ≈ 0.55
		{"XOR", func() (*Tensor, error) { return XOR(1000, 0.2, 3) }, 450, 550},          // 0.5
		{"Moons even", func() (*Tensor, error) { return Moons(1000, 0.2, 3) }, 500, 500}, // exact
		{"Moons odd", func() (*Tensor, error) { return Moons(7, 0.2, 3) }, 4, 4},
		{"Spirals even", func() (*Tensor, error) { return Spirals(1000, 0.2, 3) }, 500, 500},
		{"Spirals odd", func() (*Tensor, error) { return Spirals(7, 0.2, 3) }, 4, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := tc.gen()
			if err != nil {
				t.Fatal(err)
			}
			_, y := gatherAll(t, ds)
			if c := ones(t, y); c < tc.min || c > tc.max {
				t.Errorf("%d of %d labels are 1, want %d to %d", c, len(y), tc.min, tc.max)
			}
			// Shuffled: the first half must not be all of one class.
			if c := ones(t, y[:len(y)/2]); len(y) > 100 && (c == 0 || c == len(y)/2) {
				t.Errorf("labels are not shuffled")
			}
		})
	}
}

func TestLinearLeastSquares(t *testing.T) {
	ds, err := Linear(1000, 42)
	if err != nil {
		t.Fatal(err)
	}
	x, y := gatherAll(t, ds)
	var sx, sy, sxx, sxy float64
	for i := range x {
		if x[i] < 0 || x[i] >= 1 {
			t.Fatalf("x[%d] = %v outside [0, 1)", i, x[i])
		}
		if r := y[i] - 3*x[i] - 2; r < 0 || r >= 1 {
			t.Fatalf("y[%d] - 3x - 2 = %v outside [0, 1)", i, r)
		}
		sx, sy, sxx, sxy = sx+x[i], sy+y[i], sxx+x[i]*x[i], sxy+x[i]*y[i]
	}
	n := float64(len(x))
	w := (n*sxy - sx*sy) / (n*sxx - sx*sx)
	b := (sy - w*sx) / n
	if math.Abs(w-3) > 0.1 || math.Abs(b-2.5) > 0.1 {
		t.Errorf("least squares w = %.3f, b = %.3f, want about 3 and 2.5", w, b)
	}
}

func TestLogisticSeparable(t *testing.T) {
	ds, err := Logistic(2000, 5)
	if err != nil {
		t.Fatal(err)
	}
	x, y := gatherAll(t, ds)
	correct := 0
	for i := range y {
		if label(2*x[2*i]-3*x[2*i+1]+0.5 > 0) == y[i] {
			correct++
		}
	}
	// The noiseless rule is the best linear classifier: about 97-98%.
	if acc := float64(correct) / float64(len(y)); acc < 0.95 || acc > 0.995 {
		t.Errorf("noiseless rule accuracy %.3f, want 0.95 to 0.995", acc)
	}
}

func TestXORLabels(t *testing.T) {
	ds, err := XOR(500, 0, 9)
	if err != nil {
		t.Fatal(err)
	}
	x, y := gatherAll(t, ds)
	for i := range y {
		x0, x1 := x[2*i], x[2*i+1]
		if math.Abs(x0) > 1 || math.Abs(x1) > 1 || label(x0*x1 > 0) != y[i] {
			t.Fatalf("example %d: x = (%v, %v), y = %v", i, x0, x1, y[i])
		}
	}
}

func TestMoonsGeometry(t *testing.T) {
	ds, err := Moons(101, 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	x, y := gatherAll(t, ds)
	for i := range y {
		cx, cy := 0.0, 0.0 // centre of the upper moon (label 0)
		if y[i] == 1 {
			cx, cy = 1, 0.5 // centre of the lower moon
		}
		dx, dy := x[2*i]-cx, x[2*i+1]-cy
		upper := dy >= -1e-12
		lower := dy <= 1e-12
		if r := math.Hypot(dx, dy); math.Abs(r-1) > 1e-12 || (y[i] == 0 && !upper) || (y[i] == 1 && !lower) {
			t.Fatalf("example %d (label %v) at (%v, %v) is not on its half circle", i, y[i], x[2*i], x[2*i+1])
		}
	}
}

func TestSpiralsGeometry(t *testing.T) {
	ds, err := Spirals(400, 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := gatherAll(t, ds)
	for i := 0; i < len(x); i += 2 {
		if r := math.Hypot(x[i], x[i+1]); r < 1.0/7-1e-12 || r > 1+1e-12 {
			t.Fatalf("example %d at radius %v, want in [1/7, 1]", i/2, r)
		}
	}
}

// TestSpiralsLearnable checks with a 1-nearest-neighbour classifier that the
// spirals at noise 0.1 are separable by a flexible model.
func TestSpiralsLearnable(t *testing.T) {
	ds, err := Spirals(1000, 0.1, 11)
	if err != nil {
		t.Fatal(err)
	}
	train, test, err := TrainTestSplit(ds, 0.2, 11)
	if err != nil {
		t.Fatal(err)
	}
	tx, ty := gatherAll(t, train)
	sx, sy := gatherAll(t, test)
	correct := 0
	for i := range sy {
		best, bestD := 0, math.Inf(1)
		for j := range ty {
			if d := math.Hypot(sx[2*i]-tx[2*j], sx[2*i+1]-tx[2*j+1]); d < bestD {
				best, bestD = j, d
			}
		}
		if ty[best] == sy[i] {
			correct++
		}
	}
	if acc := float64(correct) / float64(len(sy)); acc < 0.97 {
		t.Errorf("1-NN test accuracy %.3f, want >= 0.97", acc)
	}
}
