package onnx

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	pb "github.com/advancedclimatesystems/gonnx/onnx"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/text"
	"github.com/gokeras/gokeras/trainers"
	"github.com/gokeras/gokeras/zoo"
	"github.com/pkg/errors"
	"google.golang.org/protobuf/proto"
	"gorgonia.org/tensor"
)

func buildModel(t *testing.T, ins, outs []*layers.Tensor, opts ...layers.ModelOption) *layers.Functional {
	t.Helper()
	m, err := layers.NewModel(ins, outs, opts...)
	if err != nil {
		t.Fatalf("model: %v", err)
	}
	if err := m.Build(); err != nil {
		t.Fatalf("build: %v", err)
	}
	perturb(m)
	return m
}

// TestFunctionalParity covers several inputs and outputs, shared layers, a nested
// model and every merge.
func TestFunctionalParity(t *testing.T) {
	a := layers.NewInput("a", layers.Shape(4))
	b := layers.NewInput("b", layers.Shape(4))
	shared := layers.Dense(4, layers.WithActivation("tanh"), layers.WithName("shared"))
	ha, hb := shared.Apply(a), shared.Apply(b)
	// A nested model: a small tower applied to both branches (weights shared).
	ti := layers.NewInput("tower_in", layers.Shape(4))
	tower, err := layers.NewModel([]*layers.Tensor{ti}, []*layers.Tensor{layers.Dense(3, layers.WithActivation("relu")).Apply(ti)}, layers.ModelName("tower"))
	if err != nil {
		t.Fatal(err)
	}
	ta, tb := tower.Apply(ha), tower.Apply(hb)
	merged := []*layers.Tensor{
		layers.Add().Apply(ha, hb, a), layers.Subtract().Apply(ha, hb), layers.Multiply().Apply(ha, hb),
		layers.Average().Apply(ha, hb, b), layers.Maximum().Apply(ha, hb), layers.Minimum().Apply(ha, hb),
	}
	cat := layers.Concatenate(-1).Apply(append(merged, ta, tb)...)
	dot := layers.Dot(1, layers.WithNormalize(true)).Apply(ta, tb)
	seq := layers.NewSequential(layers.Dense(2), layers.Activation("softmax"))
	out2 := seq.Apply(cat)
	m := buildModel(t, []*layers.Tensor{a, b}, []*layers.Tensor{cat, dot, out2})
	ins := map[string]*tensor.Dense{"a": randInput(tensor.Float32, 3, 4), "b": randInput(tensor.Float32, 5, 4)}
	ins["b"] = randInput(tensor.Float32, 3, 4)
	var buf bytes.Buffer
	if err := Export(m, &buf); err != nil {
		t.Fatal(err)
	}
	var mp pb.ModelProto
	if err := proto.Unmarshal(buf.Bytes(), &mp); err != nil {
		t.Fatal(err)
	}
	// The shared Dense's kernel is written once.
	n := 0
	for _, init := range mp.Graph.Initializer {
		if init.Name == "shared/kernel" {
			n++
		}
	}
	if n != 1 || len(mp.Graph.Input) != 2 || len(mp.Graph.Output) != 3 {
		t.Fatalf("shared kernel written %d times, %d inputs, %d outputs", n, len(mp.Graph.Input), len(mp.Graph.Output))
	}
	if mp.IrVersion != 8 || mp.ProducerName != "gokeras" || mp.OpsetImport[0].Version != 17 {
		t.Fatalf("header: ir %d producer %q opset %d", mp.IrVersion, mp.ProducerName, mp.OpsetImport[0].Version)
	}
	t.Logf("max error %.3g", parity(t, m, ins, 1e-5))
}

// TestDotRank3 covers Dot of sequences on each pair of axes.
func TestDotRank3(t *testing.T) {
	for _, ax := range [][2]int{{2, 2}, {1, 1}, {1, 2}, {2, 1}} {
		p := layers.NewInput("p", layers.Shape(3, 3))
		q := layers.NewInput("q", layers.Shape(3, 3))
		d := layers.DotAxes(ax[0], ax[1], layers.WithNormalize(ax[0] == 1)).Apply(p, q)
		m := buildModel(t, []*layers.Tensor{p, q}, []*layers.Tensor{d})
		ins := map[string]*tensor.Dense{"p": randInput(tensor.Float32, 2, 3, 3), "q": randInput(tensor.Float32, 2, 3, 3)}
		ins["q"] = randInput(tensor.Float32, 2, 9)
		if err := ins["q"].Reshape(2, 3, 3); err != nil {
			t.Fatal(err)
		}
		t.Logf("axes %v: max error %.3g", ax, parity(t, m, ins, 1e-5))
	}
}

func TestExportNamesAndOpset(t *testing.T) {
	m := seqModel(t, []int{3}, layers.Dense(2))
	ins := map[string]*tensor.Dense{"x": randInput(tensor.Float32, 2, 3)}
	path := filepath.Join(t.TempDir(), "m.onnx")
	if err := Save(m, path, WithInputNames("x"), WithOutputNames("y"), WithOpset(13)); err != nil {
		t.Fatal(err)
	}
	checkONNX(t, path)
	got := runORT(t, path, ins)
	if _, ok := got["y"]; !ok {
		t.Fatalf("outputs %v, want y", keys(got))
	}
	for _, tc := range []struct {
		opts []Option
		want string
	}{
		{[]Option{WithOpset(18)}, "opset 18 is not supported"},
		{[]Option{WithInputNames("a", "b")}, "2 input names for a model of 1 input"},
		{[]Option{WithOutputNames("")}, "empty or given twice"},
		{[]Option{WithInputNames("z"), WithOutputNames("z")}, "also an input name"},
	} {
		err := Export(m, &bytes.Buffer{}, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
	if err := Export(layers.NewSequential(layers.Input(2), layers.Dense(1)), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "not built") {
		t.Errorf("unbuilt model: error %v", err)
	}
}

func TestRefusedLayerNamed(t *testing.T) {
	raw := layers.NewInput("text", layers.Shape(1), layers.String)
	tok, err := text.FitWords([]string{"a b c", "b c d"}, text.WordsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tv := layers.TextVectorization(tok, layers.WithName("text_vectorization"), layers.WithOutputMode("multi_hot"))
	out := layers.Dense(2).Apply(tv.Apply(raw))
	m, err := layers.NewModel([]*layers.Tensor{raw}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(); err != nil {
		t.Skipf("cannot build a TextVectorization model here: %v", err)
	}
	err = Export(m, &bytes.Buffer{})
	want := `onnx: layer "text_vectorization" (TextVectorization) cannot be exported: ONNX has no`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error %v, want prefix %q", err, want)
	}
}

// errGrabbed stops a recipe run once its model is built.
var errGrabbed = errors.New("model grabbed")

type grab struct {
	trainers.BaseCallback
	m layers.Model
}

func (g *grab) OnTrainBegin(t *trainers.Trainer) error { g.m = t.Model(); return errGrabbed }

// TestZooLeNet exports the zoo's MNIST LeNet (untrained: the run is stopped
// before the first step) and checks it in ONNX Runtime, and that the Transpose
// pairs between its convolutions and pools are gone.
func TestZooLeNet(t *testing.T) {
	if testing.Short() {
		t.Skip("loads MNIST")
	}
	r, err := zoo.Find("lenet")
	if err != nil {
		t.Fatal(err)
	}
	g := &grab{}
	_, err = r.Run(context.Background(), zoo.Settings{Epochs: 1, Options: &zoo.RunOptions{FitOptions: []trainers.FitOption{trainers.Callbacks(g)}}})
	if g.m == nil {
		t.Skipf("the lenet recipe did not reach training (MNIST missing?): %v", err)
	}
	m := g.m
	mp, err := Convert(m)
	if err != nil {
		t.Fatal(err)
	}
	transposes := 0
	for _, n := range mp.Graph.Node {
		if n.OpType == "Transpose" {
			transposes++
		}
	}
	if transposes != 2 { // NHWC->NCHW at the start, back before Flatten
		t.Errorf("%d Transpose nodes, want 2", transposes)
	}
	x := randInput(tensor.Float32, 4, 28, 28, 1)
	d := x.Data().([]float32)
	for i := range d {
		d[i] = (d[i] + 2) * 63 // raw pixels in [0, 252)
	}
	t.Logf("LeNet: %d nodes, max error %.3g", len(mp.Graph.Node), parity(t, m, map[string]*tensor.Dense{m.Inputs()[0].Name: x}, 1e-5))
}

// TestTransposeSinking: Conv2D -> BatchNormalization -> ReLU -> Conv2D keeps
// channels first between the convolutions (two Transposes in all) and agrees
// with gokeras.
func TestTransposeSinking(t *testing.T) {
	m := seqModel(t, []int{6, 6, 2}, layers.Conv2D(3, 3, layers.WithPadding("same")), layers.BatchNormalization(), layers.Activation("relu"),
		layers.Dropout(0.2), layers.Conv2D(4, 3), layers.BatchNormalization(), layers.MaxPooling2D(2), layers.Activation("elu"))
	perturb(m)
	mp, err := Convert(m)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, node := range mp.Graph.Node {
		if node.OpType == "Transpose" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d Transpose nodes, want 2", n)
	}
	x := randInput(tensor.Float32, 2, 6, 6, 2)
	t.Logf("max error %.3g", parity(t, m, map[string]*tensor.Dense{m.Inputs()[0].Name: x}, 1e-5))
}
