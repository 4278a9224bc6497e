package explain_test

import (
	"context"
	"io"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/explain"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// squares is a synthetic image task: 12x12 grayscale images of weak noise, each
// with a distractor (a bright 1x4 bar, in both classes) at a random place; images
// of class 1 also hold a bright 3x3 square, the only thing that decides the class.
type squares struct {
	x      *tensor.Dense // (n, 12, 12, 1) float64
	y      *tensor.Dense // (n, 1) labels
	square [][2]int      // top-left corner of the square (class 1), {-1, -1} otherwise
	bar    [][2]int      // top-left corner of the bar
}

func makeSquares(n int, seed int64) *squares {
	const side = 12
	rng := rand.New(rand.NewSource(seed))
	xs := make([]float64, n*side*side)
	ys := make([]float64, n)
	s := &squares{}
	for i := 0; i < n; i++ {
		img := xs[i*side*side : (i+1)*side*side]
		for p := range img {
			img[p] = 0.1 * rng.Float64()
		}
		sq := [2]int{-1, -1}
		var bar [2]int
		for {
			bar = [2]int{rng.Intn(side), rng.Intn(side - 3)}
			if i%2 == 0 {
				break
			}
			sq = [2]int{rng.Intn(side - 2), rng.Intn(side - 2)}
			// keep a pixel of space between the square and the bar
			if bar[0] < sq[0]-1 || bar[0] > sq[0]+3 || bar[1]+3 < sq[1]-1 || bar[1] > sq[1]+3 {
				break
			}
		}
		for c := 0; c < 4; c++ {
			img[bar[0]*side+bar[1]+c] = 1
		}
		if sq[0] >= 0 {
			ys[i] = 1
			for r := 0; r < 3; r++ {
				for c := 0; c < 3; c++ {
					img[(sq[0]+r)*side+sq[1]+c] = 1
				}
			}
		}
		s.square, s.bar = append(s.square, sq), append(s.bar, bar)
	}
	s.x = tensor.New(tensor.WithShape(n, side, side, 1), tensor.WithBacking(xs))
	s.y = tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys))
	return s
}

// TestGradCAMHighlightsTheSquare trains a small conv net to tell whether an image
// holds a square and checks that Grad-CAM of class 1, on test images that hold one,
// puts its heat on the square: the mean heat on the square's pixels is at least
// twice that on the bar's and on the rest, and the hottest pixel lies on the
// square or next to it in at least 80% of the images; the map of class 0 puts
// less than half that heat on the square. (Measured: 100% test
// accuracy; mean heat 0.91 on the square, 0.30 on the bar, 0.19 elsewhere; the
// peak on the square in 50 of 50 images; class 0: 0.00 on the square.)
func TestGradCAMHighlightsTheSquare(t *testing.T) {
	train, test := makeSquares(600, 1), makeSquares(100, 2)
	m := layers.NewSequential(layers.Input(12, 12, 1),
		layers.Conv2D(8, 3, layers.WithActivation("relu"), layers.WithPadding("same")),
		layers.MaxPooling2D(2),
		layers.Conv2D(16, 3, layers.WithActivation("relu"), layers.WithPadding("same"), layers.WithName("last_conv")),
		layers.GlobalAveragePooling2D(),
		layers.Dense(2, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy"),
		trainers.WithSeed(1), trainers.WithOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := tr.Fit(ctx, train.x, train.y, trainers.Epochs(12), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	logs, err := tr.Evaluate(ctx, test.x, test.y, trainers.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if logs["accuracy"] < 0.9 {
		t.Fatalf("the conv net reaches only %.3f test accuracy", logs["accuracy"])
	}
	res, err := explain.GradCAM(tr, test.x, explain.WithClass(1))
	if err != nil {
		t.Fatal(err)
	}
	if res.Layer != "last_conv" || !res.Heatmaps.Shape().Eq(tensor.Shape{100, 12, 12}) || !res.Coarse.Shape().Eq(tensor.Shape{100, 6, 6}) {
		t.Fatalf("layer %q, heat maps %v, coarse %v", res.Layer, res.Heatmaps.Shape(), res.Coarse.Shape())
	}
	hs := res.Heatmaps.Data().([]float64)
	var onSquare, onBar, rest float64
	var nSq, nBar, nRest, peaks, images int
	for i := 0; i < 100; i++ {
		sq, bar := test.square[i], test.bar[i]
		if sq[0] < 0 {
			continue
		}
		images++
		hm := hs[i*144 : (i+1)*144]
		best := 0
		for p, v := range hm {
			if v < 0 || v > 1 {
				t.Fatalf("image %d pixel %d: heat %g outside [0, 1]", i, p, v)
			}
			if v > hm[best] {
				best = p
			}
			r, c := p/12, p%12
			switch {
			case r >= sq[0] && r < sq[0]+3 && c >= sq[1] && c < sq[1]+3:
				onSquare += v
				nSq++
			case r == bar[0] && c >= bar[1] && c < bar[1]+4:
				onBar += v
				nBar++
			default:
				rest += v
				nRest++
			}
		}
		if r, c := best/12, best%12; r >= sq[0]-1 && r <= sq[0]+3 && c >= sq[1]-1 && c <= sq[1]+3 {
			peaks++
		}
	}
	onSquare, onBar, rest = onSquare/float64(nSq), onBar/float64(nBar), rest/float64(nRest)
	t.Logf("test accuracy %.3f; mean heat: square %.3f, bar %.3f, rest %.3f; peak on the square in %d of %d images",
		logs["accuracy"], onSquare, onBar, rest, peaks, images)
	if onSquare < 2*onBar || onSquare < 2*rest {
		t.Errorf("mean heat on the square %.3f is not twice that on the bar (%.3f) and on the rest (%.3f)", onSquare, onBar, rest)
	}
	if peaks < images*8/10 {
		t.Errorf("the hottest pixel is on the square in %d of %d images, want 80%%", peaks, images)
	}
	// The map of the other class (no square) depends on the gradient of that
	// class: it must not put the same heat on the square.
	other, err := explain.GradCAM(tr, test.x, explain.WithClass(0))
	if err != nil {
		t.Fatal(err)
	}
	oh := other.Heatmaps.Data().([]float64)
	otherSquare := 0.0
	for i := 0; i < 100; i++ {
		sq := test.square[i]
		if sq[0] < 0 {
			continue
		}
		for r := sq[0]; r < sq[0]+3; r++ {
			for c := sq[1]; c < sq[1]+3; c++ {
				otherSquare += oh[i*144+r*12+c]
			}
		}
	}
	otherSquare /= float64(nSq)
	t.Logf("class 0's map: mean heat on the square %.3f", otherSquare)
	if otherSquare > onSquare/2 {
		t.Errorf("class 0's map puts %.3f on the square, class 1's %.3f: want less than half", otherSquare, onSquare)
	}
}

// TestGradCAMErrors checks the errors of GradCAM.
func TestGradCAMErrors(t *testing.T) {
	conv, err := trainers.New(layers.NewSequential(layers.Input(4, 4, 1), layers.Conv2D(2, 3), layers.Flatten(), layers.Dense(2)))
	if err != nil {
		t.Fatal(err)
	}
	flat, err := trainers.New(layers.NewSequential(layers.Input(3), layers.Dense(2)))
	if err != nil {
		t.Fatal(err)
	}
	img := tensor.New(tensor.WithShape(1, 4, 4, 1), tensor.WithBacking(make([]float64, 16)))
	row := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking(make([]float64, 3)))
	cases := []struct {
		name string
		tr   *trainers.Trainer
		x    *tensor.Dense
		opts []explain.Option
		want string
	}{
		{"unknown layer", conv, img, []explain.Option{explain.WithLayer("nope")}, `no layer "nope"`},
		{"not a feature map", conv, img, []explain.Option{explain.WithLayer("flatten")}, "want (N, H, W, C)"},
		{"no image", flat, row, nil, "not images"},
		{"no conv layer", flat, row, []explain.Option{explain.WithImageShape(1, 3, 1)}, "no layer has an output of rank 4"},
		{"class out of range", conv, img, []explain.Option{explain.WithClass(5)}, "out of range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := explain.GradCAM(c.tr, c.x, c.opts...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestGradCAMFunctional checks GradCAM on a functional model and a flat input
// given its image shape: the map of a layer that is the input's identity (a 1x1
// convolution of weight 1) followed by a Dense of equal weights is ReLU(x) / max.
func TestGradCAMFunctional(t *testing.T) {
	in := layers.NewInput("pixels", layers.Shape(9))
	conv := layers.Conv2D(1, 1, layers.WithName("identity"))
	out := layers.Dense(2).Apply(layers.Flatten().Apply(conv.Apply(layers.Reshape([]int{3, 3, 1}).Apply(in))))
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trainers.New(m, trainers.WithDType(tensor.Float64))
	if err != nil {
		t.Fatal(err)
	}
	set := map[string][]float64{"identity/kernel": {1}, "identity/bias": {0}}
	for _, p := range m.Params() {
		if v, ok := set[p.Name]; ok {
			err = p.SetFloat64s(v)
		} else if strings.HasSuffix(p.Name, "kernel") {
			err = p.SetFloat64s([]float64{1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0})
		} else {
			err = p.SetFloat64s(make([]float64, p.Size()))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	xs := []float64{-1, 2, 0.5, 4, -3, 1, 0, 2, -0.5}
	x := tensor.New(tensor.WithShape(1, 9), tensor.WithBacking(xs))
	res, err := explain.GradCAM(tr, x, explain.WithClass(0), explain.WithImageShape(3, 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	if res.Layer != "identity" {
		t.Errorf("default layer %q, want identity", res.Layer)
	}
	for i, v := range res.Heatmaps.Data().([]float64) {
		if want := math.Max(xs[i], 0) / 4; math.Abs(v-want) > 1e-12 {
			t.Errorf("pixel %d: heat %g, want %g", i, v, want)
		}
	}
}
