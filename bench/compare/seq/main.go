// Command seq times training steps and inference of two sequence models, the
// gokeras side of bench/compare/torch_lstm.py and torch_transformer.py (see
// bench/compare/README.md and run.sh WORKLOAD=lstm|transformer|seq):
//
//	lstm:        Embedding(1000, 64) → LSTM(128, return sequences) → Dense(1000, softmax)
//	transformer: Embedding(1000, 128) + PositionalEmbedding(64, 128)
//	             → 2 × TransformerDecoder(4 heads, 512, gelu, pre-norm)
//	             → LayerNormalization(1e-5) → Dense(1000, softmax)
//
// Both: batch 32, 64 steps, sparse categorical cross-entropy over every position,
// Adam 1e-3, float32. It prints one JSON line.
//
//	go run ./bench/compare/seq -model lstm -seqs 640
//	CGO_LDFLAGS=-lopenblas OPENBLAS_NUM_THREADS=2 go run -tags openblas ./bench/compare/seq -model transformer
//	go run ./bench/compare/seq -model lstm -cpuprofile /tmp/lstm.prof
//
// Data: token ids uniform in [0, 1000) and targets uniform in [0, 1000) (the
// random numbers differ from the Python programs, the sizes are the same).
// Training: one warm-up Fit of two batches compiles the training program, then
// one timed Fit of -seqs sequences (-seqs/32 steps, shuffled). Inference: Predict
// at batch 32 on all sequences, once to compile, once timed.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

const (
	vocab  = 1000
	steps  = 64
	batch  = 32
	warmup = 2 * batch
)

type result struct {
	Impl        string  `json:"impl"`
	Model       string  `json:"model"`
	BLAS        string  `json:"blas"`
	Seqs        int     `json:"seqs"`
	TrainTokens int     `json:"train_tokens"`
	TrainPerS   float64 `json:"train_tokens_per_s"`
	TrainStepMs float64 `json:"train_step_ms"`
	InferPerS   float64 `json:"infer_tokens_per_s"`
	FirstLoss   float64 `json:"loss"`
	PeakRSSMB   float64 `json:"peak_rss_mb"`
	Params      int     `json:"params"`
	WarmupS     float64 `json:"warmup_s"`
	TrainCPUS   float64 `json:"train_cpu_s"`
	InferCPUS   float64 `json:"infer_cpu_s"`
}

// cpuSeconds is the user and system CPU time of the process so far (all
// threads): on a machine shared with other work, tokens per CPU-second vary
// less than tokens per wall-clock second.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func main() {
	model := flag.String("model", "lstm", "lstm or transformer")
	seqs := flag.Int("seqs", 640, "number of training sequences (of 64 tokens) timed; a multiple of 32")
	seed := flag.Int64("seed", 1, "seed of the synthetic data and the weights")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile of the timed Fit to this file")
	flag.Parse()
	if err := run(os.Stdout, *model, *seqs, *seed, *cpuprof); err != nil {
		fmt.Fprintln(os.Stderr, "seq bench:", err)
		os.Exit(1)
	}
}

// build returns the model named by kind.
func build(kind string) (*layers.Functional, error) {
	ids := layers.NewInput("tokens", layers.Shape(steps), layers.Int64)
	var h *layers.Tensor
	switch kind {
	case "lstm":
		h = layers.Embedding(vocab, 64).Apply(ids)
		h = layers.LSTM(128, layers.WithReturnSequences(true)).Apply(h)[0]
	case "transformer":
		h = layers.Embedding(vocab, 128).Apply(ids)
		h = layers.PositionalEmbedding(steps, 128).Apply(h)
		for i := 0; i < 2; i++ {
			h = layers.TransformerDecoder(4, 512, layers.WithActivation("gelu"),
				layers.WithNormalizeFirst(true)).Apply(h)
		}
		h = layers.LayerNormalization(layers.WithEpsilon(1e-5)).Apply(h)
	default:
		return nil, errors.Errorf("unknown -model %q (want lstm or transformer)", kind)
	}
	out := layers.Dense(vocab, layers.WithActivation("softmax")).Apply(h)
	return layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{out})
}

func syntheticData(n int, seed int64) (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	xs := make([]int64, n*steps)
	ys := make([]float32, n*steps)
	for i := range xs {
		xs[i] = int64(rng.Intn(vocab))
		ys[i] = float32(rng.Intn(vocab))
	}
	return tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(ys))
}

func rowsOf(t *tensor.Dense, n int) (*tensor.Dense, error) {
	v, err := t.Slice(tensor.S(0, n))
	if err != nil {
		return nil, err
	}
	return v.(*tensor.Dense).Materialize().(*tensor.Dense), nil
}

func run(w io.Writer, kind string, seqs int, seed int64, cpuprof string) error {
	if seqs < batch || seqs%batch != 0 {
		return errors.Errorf("-seqs %d must be a positive multiple of %d", seqs, batch)
	}
	m, err := build(kind)
	if err != nil {
		return err
	}
	tr, err := trainers.New(m, trainers.WithLoss("sparse_categorical_crossentropy"),
		trainers.WithOptimizer(trainers.Adam(0.001)), trainers.WithOutput(io.Discard), trainers.WithSeed(seed))
	if err != nil {
		return errors.Wrap(err, "build the trainer")
	}
	defer func() { _ = tr.Close() }()
	x, y := syntheticData(seqs, seed)
	xw, err := rowsOf(x, warmup)
	if err != nil {
		return err
	}
	yw, err := rowsOf(y, warmup)
	if err != nil {
		return err
	}
	ctx := context.Background()
	t0 := time.Now()
	h, err := tr.Fit(ctx, xw, yw, trainers.BatchSize(batch), trainers.Epochs(1), trainers.Verbose(0))
	if err != nil {
		return errors.Wrap(err, "warm-up fit")
	}
	warmS := time.Since(t0).Seconds()
	loss := h.Metrics["loss"][0]

	if cpuprof != "" {
		f, err := os.Create(cpuprof)
		if err != nil {
			return errors.Wrap(err, "cpu profile")
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return errors.Wrap(err, "cpu profile")
		}
		defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
	}
	t0, c0 := time.Now(), cpuSeconds()
	if _, err := tr.Fit(ctx, x, y, trainers.BatchSize(batch), trainers.Epochs(1), trainers.Verbose(0)); err != nil {
		return errors.Wrap(err, "fit")
	}
	trainS, trainCPU := time.Since(t0).Seconds(), cpuSeconds()-c0
	if cpuprof != "" {
		pprof.StopCPUProfile()
	}

	if _, err := tr.Predict(x, trainers.BatchSize(batch)); err != nil {
		return errors.Wrap(err, "predict")
	}
	t0, c0 = time.Now(), cpuSeconds()
	if _, err := tr.Predict(x, trainers.BatchSize(batch)); err != nil {
		return errors.Wrap(err, "predict")
	}
	inferS, inferCPU := time.Since(t0).Seconds(), cpuSeconds()-c0

	nParams := 0
	for _, p := range m.Params() {
		nParams += p.Value.Shape().TotalSize()
	}
	impl := "gokeras-go"
	if graph.BLAS == "openblas" {
		impl = "gokeras-openblas"
	}
	tokens := seqs * steps
	res := result{Impl: impl, Model: kind, BLAS: graph.BLAS, Seqs: seqs, TrainTokens: tokens,
		TrainPerS: float64(tokens) / trainS, TrainStepMs: trainS * 1e3 / float64(seqs/batch),
		InferPerS: float64(tokens) / inferS, FirstLoss: loss, Params: nParams, WarmupS: warmS,
		TrainCPUS: trainCPU, InferCPUS: inferCPU}
	if res.PeakRSSMB, err = procStatusMB("VmHWM"); err != nil {
		return err
	}
	line, err := json.Marshal(res)
	if err != nil {
		return errors.Wrap(err, "encode the result")
	}
	_, err = fmt.Fprintln(w, string(line))
	return err
}

// procStatusMB reads a kB field of /proc/self/status (VmRSS, VmHWM) in MB.
func procStatusMB(field string) (float64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, errors.Wrap(err, "read memory use")
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, field+":") {
			continue
		}
		parts := strings.Fields(line[len(field)+1:])
		if len(parts) < 1 {
			break
		}
		kb, err := strconv.ParseFloat(parts[0], 64)
		if err != nil {
			return 0, errors.Wrapf(err, "parse %s", field)
		}
		return kb / 1024, nil
	}
	return 0, errors.Errorf("no %s in /proc/self/status", field)
}
