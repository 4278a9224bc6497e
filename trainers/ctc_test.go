package trainers_test

import (
	"context"
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/ctc"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// ctcSteps, ctcClasses and ctcLabels are the synthetic CTC task's frames per
// sequence, classes (blank 0 and labels 1..ctcClasses-1) and padded label length.
const (
	ctcSteps   = 16
	ctcClasses = 6
	ctcLabels  = 4
)

// ctcData makes n sequences of ctcSteps frames of ctcClasses features (noise 0.2):
// frame feature 0 marks silence, feature k a frame of label k. Each sequence
// holds 2 to 4 labels (often repeated), each lasting 1 to 3 frames, separated by
// 0 or 1 silent frames (always 1 between repeats), then silence. The targets are
// the labels padded with -1 to ctcLabels; refs spells them as letters (1 = "a").
func ctcData(n int, seed int64) (x, y *tensor.Dense, refs []string) {
	rng := rand.New(rand.NewSource(seed))
	xs := make([]float32, n*ctcSteps*ctcClasses)
	ys := make([]float32, n*ctcLabels)
	refs = make([]string, n)
	for i := 0; i < n; i++ {
		frames := make([]int, 0, ctcSteps)
		if rng.Intn(2) == 0 {
			frames = append(frames, 0)
		}
		labels := 2 + rng.Intn(3)
		prev := 0
		var ref strings.Builder
		for j := 0; j < ctcLabels; j++ {
			ys[i*ctcLabels+j] = -1
		}
		for j := 0; j < labels; j++ {
			k := 1 + rng.Intn(ctcClasses-1)
			if prev != 0 && rng.Intn(3) == 0 {
				k = prev
			}
			if j > 0 && (k == prev || rng.Intn(2) == 0) {
				frames = append(frames, 0)
			}
			for d := 1 + rng.Intn(3); d > 0; d-- {
				frames = append(frames, k)
			}
			ys[i*ctcLabels+j] = float32(k)
			ref.WriteByte(byte('a' + k - 1))
			prev = k
		}
		for len(frames) < ctcSteps {
			frames = append(frames, 0)
		}
		for t, k := range frames {
			row := xs[(i*ctcSteps+t)*ctcClasses : (i*ctcSteps+t+1)*ctcClasses]
			for c := range row {
				row[c] = float32(0.2 * rng.NormFloat64())
			}
			row[k]++
		}
		refs[i] = ref.String()
	}
	return tensor.New(tensor.WithShape(n, ctcSteps, ctcClasses), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(n, ctcLabels), tensor.WithBacking(ys)), refs
}

// ctcModel is frames (16, 6) -> Conv1D(16, 3, same, relu) -> Dense(6, softmax).
func ctcModel(t *testing.T, opts ...trainers.Option) *trainers.Trainer {
	t.Helper()
	in := layers.NewInput("frames", layers.Shape(ctcSteps, ctcClasses))
	h := ap(layers.Conv1D(16, 3, layers.WithPadding("same"), layers.WithActivation("relu")), in)
	out := ap(layers.Dense(ctcClasses, layers.WithActivation("softmax")), h)
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trainers.New(m, append([]trainers.Option{trainers.WithLoss("ctc"), trainers.WithOptimizer(trainers.Adam(0.01))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// ctcCER decodes the trainer's predictions of x greedily (blank 0) and returns
// the corpus character error rate against refs: the summed edit distances over
// the summed reference lengths.
func ctcCER(t *testing.T, tr *trainers.Trainer, x *tensor.Dense, refs []string) float64 {
	t.Helper()
	p, err := tr.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	probs := p.Data().([]float32)
	var dist, total float64
	for i, ref := range refs {
		logs := make([]float32, ctcSteps*ctcClasses)
		for j, v := range probs[i*ctcSteps*ctcClasses : (i+1)*ctcSteps*ctcClasses] {
			logs[j] = float32(math.Log(float64(v) + 1e-12))
		}
		rows, err := ctc.Rows32(logs, ctcSteps, ctcClasses)
		if err != nil {
			t.Fatal(err)
		}
		res, err := ctc.Greedy(rows, ctcSteps, 0)
		if err != nil {
			t.Fatal(err)
		}
		var hyp strings.Builder
		for _, k := range res.Tokens {
			hyp.WriteByte(byte('a' + k - 1))
		}
		dist += ctc.CER(ref, hyp.String()) * float64(len(ref))
		total += float64(len(ref))
	}
	return dist / total
}

// TestCTCLossTrains trains a small convolutional model with WithLoss("ctc") on
// label sequences padded with -1: Fit and Evaluate report a falling loss, the
// greedy decoding of held-out sequences reaches a character error rate under
// 0.05 (above 1 before training), and a saved and loaded trainer keeps the
// loss (same Evaluate loss, and it trains on).
func TestCTCLossTrains(t *testing.T) {
	x, y, _ := ctcData(1000, 1)
	xt, yt, refs := ctcData(100, 2)
	tr := ctcModel(t)
	before := ctcCER(t, tr, xt, refs)
	ctx := context.Background()
	start, err := tr.Evaluate(ctx, xt, yt)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := tr.Fit(ctx, x, y, trainers.Epochs(30), trainers.BatchSize(32), trainers.Verbose(0), trainers.ValidationData(xt, yt))
	if err != nil {
		t.Fatal(err)
	}
	losses, vals := hist.Metrics["loss"], hist.Metrics["val_loss"]
	if len(losses) != 30 || len(vals) != 30 {
		t.Fatalf("history: %d losses, %d validation losses, want 30 each", len(losses), len(vals))
	}
	if !(losses[29] < losses[0]/4) {
		t.Errorf("training loss %g -> %g: want it to fall at least 4x", losses[0], losses[29])
	}
	end, err := tr.Evaluate(ctx, xt, yt)
	if err != nil {
		t.Fatal(err)
	}
	if !(end["loss"] < start["loss"]/4) || math.Abs(end["loss"]-vals[29]) > 1e-4 {
		t.Errorf("evaluate loss %g before, %g after training (last val_loss %g)", start["loss"], end["loss"], vals[29])
	}
	after := ctcCER(t, tr, xt, refs)
	t.Logf("CER %.3f before, %.3f after; loss %.3f -> %.3f", before, after, start["loss"], end["loss"])
	if after > 0.05 || before < 0.3 {
		t.Errorf("held-out CER %.3f before and %.3f after training: want > 0.3 and <= 0.05", before, after)
	}

	path := filepath.Join(t.TempDir(), "ctc.keras.json")
	if err := tr.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := trainers.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if names := back.LossNames(); len(names) != 1 || names[0] != "ctc" {
		t.Errorf("loaded trainer's losses %v, want [ctc]", names)
	}
	again, err := back.Evaluate(ctx, xt, yt)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(again["loss"]-end["loss"]) > 1e-5 {
		t.Errorf("loaded trainer's loss %g, saved one's %g", again["loss"], end["loss"])
	}
	if _, err := back.Fit(ctx, x, y, trainers.Epochs(1), trainers.Verbose(0)); err != nil {
		t.Errorf("loaded trainer does not train on: %v", err)
	}
}

// TestCTCLossErrors checks the errors of a ctc head: an output that is not a
// sequence of class scores, metrics, targets of the wrong rank, validation
// labels of another padded length, and label ids out of range.
func TestCTCLossErrors(t *testing.T) {
	in := layers.NewInput("v", layers.Shape(4))
	out := ap(layers.Dense(3, layers.WithActivation("softmax")), in)
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trainers.New(m, trainers.WithLoss("ctc")); err == nil || !strings.Contains(err.Error(), "(steps, classes)") {
		t.Errorf("ctc on a (classes) output: error %v", err)
	}
	in2 := layers.NewInput("frames", layers.Shape(ctcSteps, ctcClasses))
	out2 := ap(layers.Dense(ctcClasses, layers.WithActivation("softmax")), in2)
	m2, err := layers.NewModel([]*layers.Tensor{in2}, []*layers.Tensor{out2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trainers.New(m2, trainers.WithLoss("ctc"), trainers.WithMetrics("accuracy")); err == nil || !strings.Contains(err.Error(), "no metrics") {
		t.Errorf("ctc with metrics: error %v", err)
	}

	ctx := context.Background()
	x, y, _ := ctcData(8, 3)
	tr := ctcModel(t)
	flat := tensor.New(tensor.WithShape(8, 2, 2), tensor.WithBacking(y.Data()))
	if _, err := tr.Fit(ctx, x, flat, trainers.Verbose(0)); err == nil || !strings.Contains(err.Error(), "needs targets of shape (S)") {
		t.Errorf("targets (2, 2): error %v", err)
	}
	ones := make([]float32, 16)
	for i := range ones {
		ones[i] = 1
	}
	short := tensor.New(tensor.WithShape(8, 2), tensor.WithBacking(ones))
	if _, err := tr.Fit(ctx, x, y, trainers.Verbose(0), trainers.ValidationData(x, short)); err == nil || !strings.Contains(err.Error(), "pad every data set's labels") {
		t.Errorf("validation labels of length 2 after 4: error %v", err)
	}
	// A trainer whose first data failed its checks has no label length yet.
	tr2 := ctcModel(t)
	if _, err := tr2.Evaluate(ctx, x, flat); err == nil {
		t.Error("targets (2, 2): no error")
	}
	if _, err := tr2.Evaluate(ctx, x, short); err != nil {
		t.Errorf("labels of length 2 after a failed check: %v", err)
	}
	bad := y.Clone().(*tensor.Dense)
	bad.Data().([]float32)[5] = ctcClasses
	if _, err := tr.Fit(ctx, x, bad, trainers.Verbose(0)); err == nil {
		t.Errorf("label id %d of %d classes: no error", ctcClasses, ctcClasses)
	} else {
		t.Logf("label out of range: %v", err)
	}
}

// TestCTCLossUsesMask checks that the ctc loss takes each sequence's input
// length from the mask recorded on the prediction: rows of 6 frames whose last
// 2 are masked (Masking, then a GRU and a Dense that keep the mask) give the
// same loss as the same rows cut to 4 frames (a model of the same weights, the
// default seed, declared at 4 steps), and a different one without the Masking
// layer.
func TestCTCLossUsesMask(t *testing.T) {
	const n, steps, cut, feats = 8, 6, 4, 3
	build := func(mask bool, steps int) *trainers.Trainer {
		in := layers.NewInput("frames", layers.Shape(steps, feats))
		x := in
		if mask {
			x = ap(layers.Masking(0), x)
		}
		x = ap(layers.GRU(5, layers.WithReturnSequences(true)), x)
		out := ap(layers.Dense(4, layers.WithActivation("softmax")), x)
		m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{out})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := trainers.New(m, trainers.WithLoss("ctc"))
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	rng := rand.New(rand.NewSource(4))
	long := make([]float32, n*steps*feats)
	short := make([]float32, n*cut*feats)
	for i := 0; i < n; i++ {
		for s := 0; s < cut; s++ {
			for f := 0; f < feats; f++ {
				v := float32(rng.NormFloat64())
				long[(i*steps+s)*feats+f], short[(i*cut+s)*feats+f] = v, v
			}
		}
	}
	labels := make([]float32, n*2)
	for i := range labels {
		labels[i] = float32(1 + rng.Intn(3))
		if i%4 == 3 {
			labels[i] = -1
		}
	}
	y := tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(labels))
	xl := tensor.New(tensor.WithShape(n, steps, feats), tensor.WithBacking(long))
	xs := tensor.New(tensor.WithShape(n, cut, feats), tensor.WithBacking(short))
	ctx := context.Background()
	loss := func(tr *trainers.Trainer, x *tensor.Dense) float64 {
		t.Helper()
		l, err := tr.Evaluate(ctx, x, y)
		if err != nil {
			t.Fatal(err)
		}
		return l["loss"]
	}
	a, b := loss(build(true, steps), xl), loss(build(true, cut), xs)
	if math.Abs(a-b) > 1e-5*math.Max(1, math.Abs(b)) {
		t.Errorf("masked rows of %d frames: loss %g, the rows cut to %d: %g", steps, a, cut, b)
	}
	c := loss(build(false, steps), xl)
	t.Logf("loss %g masked, %g cut, %g unmasked", a, b, c)
	if math.Abs(c-b) < 1e-3 {
		t.Errorf("without the mask the loss %g equals the cut rows' %g: the test cannot tell", c, b)
	}
}
