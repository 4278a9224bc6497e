// Command gomlx runs bench/compare's workloads in GoMLX (github.com/gomlx/gomlx
// v0.26.0) on its pure-Go backend, simplego ("go"), and prints one JSON line
// with the keys of bench/compare/gokeras and torch_mlp.py, so that run.sh can
// set it beside them. It is its own Go module: the gokeras module does not
// depend on GoMLX.
//
//	cd bench/compare/gomlx && CGO_ENABLED=0 go build -o /tmp/gomlx-bench .
//	/tmp/gomlx-bench -model mlp -rows 60000 -epochs 3            # synthetic data, as run.sh's MLP
//	/tmp/gomlx-bench -model mlp -data mnist -epochs 3            # MNIST, prints test_accuracy
//	/tmp/gomlx-bench -model lenet -data mnist -rows 6400 -epochs 1
//	/tmp/gomlx-bench -model cnn -rows 1280 -epochs 1
//
// Models (float32, Adam 1e-3, sparse categorical cross-entropy on the logits,
// softmax at inference):
//
//	mlp   784-256-128-10, ReLU, batch 128
//	lenet Conv(6,5x5,same) MaxPool2 Conv(16,5x5,valid) MaxPool2 Dense 120-84-10, ReLU, batch 64
//	cnn   Conv(32,5x5,same) MaxPool2 Conv(64,5x5,same) MaxPool2 Dense(-cnn-dense, 1024)-10, ReLU, batch 64
//
// Each epoch is shuffled and the last partial batch is trained (as gokeras'
// Fit and the PyTorch script do). Timed: all epochs of training (graph
// compilation included, as gokeras' Fit includes its own), Predict-like
// softmax of all rows at batch 1024 (second call), and 1,000 single-row
// predictions after 100 warm-up calls.
//
// Workarounds, because simplego v0.26.0 lacks ops that GoMLX's gradients use
// (see vjp.go): the convolution gradient is registered anew (GoMLX's needs
// Reverse), max pooling is a reshape + ReduceMax (GoMLX's MaxPool gradient
// needs SelectAndScatterMax). With -dot fast the matrix-product gradient is
// registered anew too (two matrix products instead of GoMLX's broadcast
// multiply and sum); -dot gomlx (the default) keeps GoMLX's.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

const (
	side        = 28
	nIn         = side * side
	nOut        = 10
	latencyRuns = 1000
	warmupRuns  = 100
	gomnist     = "github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63"
)

// result is the JSON line; the keys match bench/compare/gokeras and torch_mlp.py.
type result struct {
	Impl         string    `json:"impl"`
	BLAS         string    `json:"blas"`
	Model        string    `json:"model"`
	Data         string    `json:"data"`
	Rows         int       `json:"rows"`
	Epochs       int       `json:"epochs"`
	Batch        int       `json:"batch"`
	TrainSamples int       `json:"train_samples"`
	TrainPerS    float64   `json:"train_samples_per_s"`
	InferPerS    *float64  `json:"infer_samples_per_s"`
	RowP50us     *float64  `json:"predict_row_p50_us"`
	RowP99us     *float64  `json:"predict_row_p99_us"`
	PeakRSSMB    float64   `json:"peak_rss_mb"`
	EpochRSSMB   []float64 `json:"epoch_rss_mb"`
	EpochSeconds []float64 `json:"epoch_s"`
	EpochLoss    []float64 `json:"epoch_loss"`
	TrainCPUS    float64   `json:"train_cpu_s"`
	InferCPUS    float64   `json:"infer_cpu_s"`
	DataRSSMB    float64   `json:"data_rss_mb"`
	TestAccuracy *float64  `json:"test_accuracy,omitempty"`
}

type options struct {
	model, data, dot   string
	rows, epochs, test int
	batch, inferBatch  int
	cnnDense           int
	seed               int64
	latency            bool
	cpuprofile         string
}

func main() {
	var o options
	flag.StringVar(&o.model, "model", "mlp", "mlp, lenet or cnn")
	flag.StringVar(&o.data, "data", "synthetic", "synthetic (uniform pixels and labels, the numbers of bench/compare/gokeras) or mnist (from the Go module cache; also prints test_accuracy)")
	flag.StringVar(&o.dot, "dot", "gomlx", "matrix-product gradient: gomlx (as shipped) or fast (two matrix products)")
	flag.IntVar(&o.rows, "rows", 60000, "training rows (mnist: the first rows of the training set)")
	flag.IntVar(&o.epochs, "epochs", 3, "training epochs")
	flag.IntVar(&o.test, "test", 10000, "mnist: test rows for test_accuracy")
	flag.IntVar(&o.batch, "batch", 0, "training batch (default 128 for mlp, 64 for lenet and cnn)")
	flag.IntVar(&o.inferBatch, "infer-batch", 1024, "inference batch")
	flag.IntVar(&o.cnnDense, "cnn-dense", 1024, "cnn: width of the hidden Dense layer")
	flag.Int64Var(&o.seed, "seed", 1, "seed of the synthetic data and the shuffling")
	flag.BoolVar(&o.latency, "latency", true, "time 1,000 single-row predictions")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the training epochs to this file")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "gomlx bench:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, o options) (err error) {
	defer func() { // GoMLX reports graph errors by panicking
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	if o.batch == 0 {
		o.batch = 64
		if o.model == "mlp" {
			o.batch = 128
		}
	}
	if o.rows < 1 || o.epochs < 1 || o.batch < 1 || o.inferBatch < 1 {
		return fmt.Errorf("need -rows, -epochs, -batch and -infer-batch >= 1")
	}
	var modelFn func(ctx *context.Context, x *Node) *Node
	switch o.model {
	case "mlp":
		modelFn = mlp
	case "lenet":
		modelFn = lenet
	case "cnn":
		modelFn = func(ctx *context.Context, x *Node) *Node { return cnn(ctx, x, o.cnnDense) }
	default:
		return fmt.Errorf("unknown -model %q (want mlp, lenet or cnn)", o.model)
	}
	switch o.dot {
	case "gomlx", "fast":
	default:
		return fmt.Errorf("unknown -dot %q (want gomlx or fast)", o.dot)
	}
	installVJPs(o.dot == "fast")

	var x, tx []float32
	var y, ty []int32
	switch o.data {
	case "synthetic":
		x, y = syntheticData(o.rows, o.seed)
	case "mnist":
		if x, y, tx, ty, err = mnist(o.rows, o.test); err != nil {
			return err
		}
		o.rows = len(y)
	default:
		return fmt.Errorf("unknown -data %q (want synthetic or mnist)", o.data)
	}
	dataMB, err := procStatusMB("VmRSS")
	if err != nil {
		return err
	}

	backend, err := backends.NewWithConfig("go")
	if err != nil {
		return fmt.Errorf("simplego backend: %w", err)
	}
	fmt.Fprintf(os.Stderr, "gomlx bench: backend %s (%s), model %s, %s data, %d rows, %d epochs, batch %d, dot gradient %s\n",
		backend.Name(), backend.Description(), o.model, o.data, o.rows, o.epochs, o.batch, o.dot)

	ctx := context.New()
	ctx.SetRNGStateFromSeed(o.seed)
	trainModel := func(ctx *context.Context, _ any, inputs []*Node) []*Node {
		return []*Node{modelFn(ctx, inputs[0])}
	}
	opt := optimizers.Adam().LearningRate(1e-3).Done()
	trainer := train.NewTrainer(backend, ctx, trainModel, losses.SparseCategoricalCrossEntropyLogits, opt, nil, nil)

	res := &result{Impl: "gomlx-simplego", Model: o.model, Data: o.data, Rows: o.rows, Epochs: o.epochs,
		Batch: o.batch, DataRSSMB: dataMB,
		BLAS: "GoMLX v0.26.0 simplego (pure Go), dot gradient " + o.dot}
	if o.dot == "fast" {
		res.Impl += "-fastdot"
	}
	shape := func(n int) []int {
		if o.model == "mlp" {
			return []int{n, nIn}
		}
		return []int{n, side, side, 1}
	}

	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewSource(o.seed + 1))
	start, cpu0 := time.Now(), cpuSeconds()
	for e := 0; e < o.epochs; e++ {
		t0 := time.Now()
		perm := rng.Perm(o.rows)
		var lossSum float64
		var steps int
		for s := 0; s < o.rows; s += o.batch {
			idx := perm[s:min(s+o.batch, o.rows)]
			xb := make([]float32, len(idx)*nIn)
			yb := make([]int32, len(idx))
			for i, r := range idx {
				copy(xb[i*nIn:(i+1)*nIn], x[r*nIn:(r+1)*nIn])
				yb[i] = y[r]
			}
			xt := tensors.FromFlatDataAndDimensions(xb, shape(len(idx))...)
			yt := tensors.FromFlatDataAndDimensions(yb, len(idx), 1)
			m, err := trainer.TrainStep(nil, []*tensors.Tensor{xt}, []*tensors.Tensor{yt})
			if err != nil {
				return fmt.Errorf("epoch %d, step at row %d: %w", e, s, err)
			}
			lossSum += scalar(m[0])
			steps++
			xt.MustFinalizeAll()
			yt.MustFinalizeAll()
			for _, t := range m {
				t.MustFinalizeAll()
			}
		}
		res.EpochSeconds = append(res.EpochSeconds, time.Since(t0).Seconds())
		res.EpochLoss = append(res.EpochLoss, lossSum/float64(steps))
		mb, err := procStatusMB("VmRSS")
		if err != nil {
			return err
		}
		res.EpochRSSMB = append(res.EpochRSSMB, mb)
	}
	res.TrainSamples = o.rows * o.epochs
	res.TrainPerS = float64(res.TrainSamples) / time.Since(start).Seconds()
	res.TrainCPUS = cpuSeconds() - cpu0
	if o.cpuprofile != "" {
		pprof.StopCPUProfile()
	}

	// Inference: softmax of the model, reusing the trained variables.
	predict, err := context.NewExec(backend, ctx.Reuse(), func(ctx *context.Context, x *Node) *Node {
		return Softmax(modelFn(ctx, x), -1)
	})
	if err != nil {
		return fmt.Errorf("inference program: %w", err)
	}
	predictAll := func(x []float32) ([]float32, error) {
		n := len(x) / nIn
		out := make([]float32, 0, n*nOut)
		for s := 0; s < n; s += o.inferBatch {
			e := min(s+o.inferBatch, n)
			xt := tensors.FromFlatDataAndDimensions(x[s*nIn:e*nIn], shape(e-s)...)
			r, err := predict.Exec(xt)
			if err != nil {
				return nil, err
			}
			r[0].MustConstFlatData(func(flat any) { out = append(out, flat.([]float32)...) })
			r[0].MustFinalizeAll()
			xt.MustFinalizeAll()
		}
		return out, nil
	}
	if _, err := predictAll(x); err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	t0, cpu0 := time.Now(), cpuSeconds()
	if _, err := predictAll(x); err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	inferPerS := float64(o.rows) / time.Since(t0).Seconds()
	res.InferCPUS = cpuSeconds() - cpu0
	res.InferPerS = &inferPerS

	if o.latency {
		lat := make([]float64, 0, latencyRuns)
		for i := 0; i < warmupRuns+latencyRuns; i++ {
			r := i % o.rows
			t0 := time.Now()
			if _, err := predictAll(x[r*nIn : (r+1)*nIn]); err != nil {
				return fmt.Errorf("predict one row: %w", err)
			}
			if i >= warmupRuns {
				lat = append(lat, float64(time.Since(t0).Nanoseconds())/1e3)
			}
		}
		p50, p99 := percentile(lat, 50), percentile(lat, 99)
		res.RowP50us, res.RowP99us = &p50, &p99
	}

	if len(ty) > 0 {
		p, err := predictAll(tx)
		if err != nil {
			return fmt.Errorf("predict the test set: %w", err)
		}
		correct := 0
		for i, label := range ty {
			best := 0
			for c := 1; c < nOut; c++ {
				if p[i*nOut+c] > p[i*nOut+best] {
					best = c
				}
			}
			if int32(best) == label {
				correct++
			}
		}
		acc := float64(correct) / float64(len(ty))
		res.TestAccuracy = &acc
	}

	if res.PeakRSSMB, err = procStatusMB("VmHWM"); err != nil {
		return err
	}
	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(line))
	return err
}

func scalar(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}

// cpuSeconds is the user and system CPU time of the process so far (all
// threads), as in bench/compare/seq.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// percentile: nearest rank, as bench/compare/gokeras and torch_mlp.py.
func percentile(v []float64, p float64) float64 {
	sort.Float64s(v)
	k := int(math.Ceil(float64(len(v))*p/100)) - 1
	k = max(0, min(k, len(v)-1))
	return v[k]
}

// procStatusMB reads a kB field of /proc/self/status (VmRSS, VmHWM) in MB.
func procStatusMB(field string) (float64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("read memory use: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			parts := strings.Fields(rest)
			if len(parts) == 0 {
				break
			}
			kb, err := strconv.ParseFloat(parts[0], 64)
			if err != nil {
				return 0, fmt.Errorf("parse %s: %w", field, err)
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", field)
}
