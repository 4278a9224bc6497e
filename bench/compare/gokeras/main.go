// Command gokeras trains the 784-256-128-10 MLP (ReLU, ReLU, softmax; sparse
// categorical cross-entropy; Adam 1e-3; batch 128; float32) on synthetic data and
// prints one JSON line of speed and memory figures, to set beside
// bench/compare/torch_mlp.py (see bench/compare/README.md and run.sh).
//
//	go run ./bench/compare/gokeras -rows 60000 -epochs 3
//	OPENBLAS_NUM_THREADS=2 go run -tags openblas ./bench/compare/gokeras
//	go run ./bench/compare/gokeras -impl raw     # the hand-written raw Gorgonia loop
//	go run ./bench/compare/gokeras -rows 20000 -cpuprofile /tmp/mlp.prof -profile-phase infer
//
// With -model lenet or -model cnn it trains instead the convolutional nets of
// bench/compare/gomlx and torch_cnn.py on 28x28x1 images (NHWC) at batch 64,
// He-initialised (see cnn.go); the JSON line then also has model, batch,
// train_cpu_s and infer_cpu_s:
//
//	go run ./bench/compare/gokeras -model lenet -rows 3200 -epochs 1
//	go run ./bench/compare/gokeras -model cnn -rows 640 -epochs 1 -cpuprofile /tmp/cnn.prof
//
// -cpuprofile profiles one phase, -profile-phase: train (Fit, the default),
// infer (the timed Predict of every row at batch 1024) or row (the
// single-row predictions).
//
// The data: inputs uniform in [0,1), labels uniform over the 10 classes, as in the
// Python program (the random numbers differ, the sizes are the same).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gokeras/gokeras/bench"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

const (
	nIn         = 784
	nOut        = 10
	batch       = 128
	inferBatch  = 1024
	latencyRuns = 1000
	warmupRuns  = 100
)

// result is the JSON line printed; the keys match torch_mlp.py. Fields that an
// implementation does not measure are null.
type result struct {
	Impl         string    `json:"impl"`
	BLAS         string    `json:"blas"`
	Rows         int       `json:"rows"`
	Epochs       int       `json:"epochs"`
	TrainSamples int       `json:"train_samples"`
	TrainPerS    float64   `json:"train_samples_per_s"`
	InferPerS    *float64  `json:"infer_samples_per_s"`
	RowP50us     *float64  `json:"predict_row_p50_us"`
	RowP99us     *float64  `json:"predict_row_p99_us"`
	PeakRSSMB    float64   `json:"peak_rss_mb"`
	EpochRSSMB   []float64 `json:"epoch_rss_mb"`
	EpochSeconds []float64 `json:"epoch_s"`
	EpochHeapMB  []float64 `json:"epoch_live_heap_mb,omitempty"`
	DataRSSMB    float64   `json:"data_rss_mb"`
}

func main() {
	rows := flag.Int("rows", 60000, "number of synthetic training rows")
	epochs := flag.Int("epochs", 3, "training epochs")
	impl := flag.String("impl", "gokeras", "gokeras or raw (the hand-written raw Gorgonia loop, training only; -model mlp only)")
	seed := flag.Int64("seed", 1, "seed of the synthetic data")
	flag.BoolVar(&liveHeap, "liveheap", false, "after each epoch, collect garbage and record the live Go heap (epoch_live_heap_mb); slows training a little")
	flag.StringVar(&conv.model, "model", "mlp", "mlp (batch 128), lenet or cnn (28x28x1 images, batch 64)")
	flag.IntVar(&conv.hidden, "cnn-dense", 1024, "cnn: width of the hidden Dense layer")
	flag.StringVar(&conv.cpuprofile, "cpuprofile", "", "write a CPU profile of the phase -profile-phase to this file (-impl gokeras)")
	flag.StringVar(&conv.phase, "profile-phase", "train", "the phase -cpuprofile covers: train, infer (the timed Predict at batch 1024) or row (the single-row predictions)")
	peak := flag.Bool("peak", false, "print the float32 peak of the machine instead, {\"peak_gflops\": X, \"peak_gemm\": NAME}: the best of 5 sgemm calls on 2048x2048 matrices of internal/sgemm and, with -tags openblas, OpenBLAS")
	sweepKind := flag.String("sweep", "", "batch or width: print one JSON line per batch size (1..1024) or hidden width (256..4096) instead (sweep.go)")
	flag.Parse()
	var err error
	if *peak {
		g, name := peakGFLOPs()
		_, err = fmt.Fprintf(os.Stdout, "{\"peak_gflops\": %.1f, \"peak_gemm\": %q}\n", g, name)
	} else if *sweepKind != "" {
		err = runSweep(os.Stdout, *sweepKind, *seed)
	} else {
		err = run(os.Stdout, *impl, *rows, *epochs, *seed)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gokeras bench:", err)
		os.Exit(1)
	}
}

// conv holds the flags of the convolutional workloads (cnn.go).
var conv struct {
	model      string // mlp, lenet or cnn
	hidden     int    // cnn: width of the hidden Dense layer
	cpuprofile string // CPU profile of one phase (-impl gokeras)
	phase      string // train, infer or row: the phase cpuprofile covers
}

func run(w io.Writer, impl string, rows, epochs int, seed int64) error {
	if rows < 1 || epochs < 1 {
		return errors.Errorf("need -rows >= 1 and -epochs >= 1, got %d and %d", rows, epochs)
	}
	if conv.model != "" && conv.model != "mlp" {
		return runConvLine(w, impl, rows, epochs, seed)
	}
	x, labels := syntheticData(rows, seed)
	dataMB, err := procStatusMB("VmRSS")
	if err != nil {
		return err
	}
	var res *result
	switch impl {
	case "gokeras":
		res, err = runGokeras(x, labels, epochs)
	case "raw":
		res, err = runRaw(x, labels, epochs)
	default:
		return errors.Errorf("unknown -impl %q (want gokeras or raw)", impl)
	}
	if err != nil {
		return err
	}
	return printResult(w, res, res, rows, epochs, dataMB)
}

// printResult completes r (the BLAS, the sizes, the data's and the peak
// resident memory) and prints line, the JSON of the result r belongs to, as one
// line of w.
func printResult(w io.Writer, r *result, line any, rows, epochs int, dataMB float64) error {
	var err error
	r.BLAS = graph.BLAS
	r.Rows, r.Epochs, r.DataRSSMB = rows, epochs, dataMB
	if r.PeakRSSMB, err = procStatusMB("VmHWM"); err != nil {
		return err
	}
	b, err := json.Marshal(line)
	if err != nil {
		return errors.Wrap(err, "encode the result")
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

// syntheticData returns inputs (rows, 784) uniform in [0,1) and class ids 0..9,
// uniform, as float32 (rows, 1) for sparse_categorical_crossentropy.
func syntheticData(rows int, seed int64) (x, labels *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	xs := make([]float32, rows*nIn)
	for i := range xs {
		xs[i] = rng.Float32()
	}
	ys := make([]float32, rows)
	for i := range ys {
		ys[i] = float32(rng.Intn(nOut))
	}
	return tensor.New(tensor.WithShape(rows, nIn), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(rows, 1), tensor.WithBacking(ys))
}

// liveHeap: record the live Go heap after each epoch (-liveheap).
var liveHeap bool

// liveHeapMB collects garbage and returns the bytes of live Go heap objects in MB.
func liveHeapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// rssRecorder notes the resident set size and the wall time at the end of each epoch.
type rssRecorder struct {
	trainers.BaseCallback
	start   time.Time
	rss     []float64
	heap    []float64
	seconds []float64
}

func (r *rssRecorder) OnEpochBegin(*trainers.Trainer, int) error {
	r.start = time.Now()
	return nil
}

func (r *rssRecorder) OnEpochEnd(*trainers.Trainer, int, trainers.Logs) error {
	r.seconds = append(r.seconds, time.Since(r.start).Seconds())
	mb, err := procStatusMB("VmRSS")
	if err != nil {
		return err
	}
	r.rss = append(r.rss, mb)
	if liveHeap {
		r.heap = append(r.heap, liveHeapMB())
	}
	return nil
}

func runGokeras(x, labels *tensor.Dense, epochs int) (*result, error) {
	model := layers.NewSequential(layers.Input(nIn),
		layers.Dense(256, layers.WithActivation("relu")),
		layers.Dense(128, layers.WithActivation("relu")),
		layers.Dense(nOut, layers.WithActivation("softmax")))
	tr, err := trainers.New(model, trainers.WithLoss("sparse_categorical_crossentropy"),
		trainers.WithOptimizer(trainers.Adam(0.001)), trainers.WithOutput(io.Discard))
	if err != nil {
		return nil, errors.Wrap(err, "build the trainer")
	}
	defer func() { _ = tr.Close() }()
	rows := x.Shape()[0]
	rec := &rssRecorder{}
	stop, err := startProfile("train")
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if _, err := tr.Fit(context.Background(), x, labels, trainers.BatchSize(batch),
		trainers.Epochs(epochs), trainers.Verbose(0), trainers.Callbacks(rec)); err != nil {
		stop()
		return nil, errors.Wrap(err, "fit")
	}
	trainS := time.Since(start).Seconds()
	stop()

	// Inference: Predict on all rows at batch 1024, once to compile, once timed.
	if _, err := tr.Predict(x, trainers.BatchSize(inferBatch)); err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	if stop, err = startProfile("infer"); err != nil {
		return nil, err
	}
	start = time.Now()
	if _, err := tr.Predict(x, trainers.BatchSize(inferBatch)); err != nil {
		stop()
		return nil, errors.Wrap(err, "predict")
	}
	inferPerS := float64(rows) / time.Since(start).Seconds()
	stop()

	if stop, err = startProfile("row"); err != nil {
		return nil, err
	}
	p50, p99, err := rowLatency(tr, x, rows, []int{1, nIn})
	stop()
	if err != nil {
		return nil, err
	}
	impl := implName()
	return &result{
		Impl: impl, TrainSamples: rows * epochs, TrainPerS: float64(rows*epochs) / trainS,
		InferPerS: &inferPerS, RowP50us: &p50, RowP99us: &p99,
		EpochRSSMB: rec.rss, EpochSeconds: rec.seconds, EpochHeapMB: rec.heap,
	}, nil
}

func runRaw(x, labels *tensor.Dense, epochs int) (*result, error) {
	rows := x.Shape()[0]
	if rows < batch {
		return nil, errors.Errorf("raw: need at least %d rows", batch)
	}
	y := oneHot(labels)
	r, err := bench.NewRawMLP(batch)
	if err != nil {
		return nil, errors.Wrap(err, "raw: build the graph")
	}
	defer r.Close()
	res := &result{Impl: "raw-gorgonia"}
	start := time.Now()
	for e := 0; e < epochs; e++ {
		t0 := time.Now()
		n, err := r.Epoch(x, y)
		if err != nil {
			return nil, errors.Wrapf(err, "raw: epoch %d", e)
		}
		res.TrainSamples += n
		res.EpochSeconds = append(res.EpochSeconds, time.Since(t0).Seconds())
		mb, err := procStatusMB("VmRSS")
		if err != nil {
			return nil, err
		}
		res.EpochRSSMB = append(res.EpochRSSMB, mb)
		if liveHeap {
			res.EpochHeapMB = append(res.EpochHeapMB, liveHeapMB())
		}
	}
	res.TrainPerS = float64(res.TrainSamples) / time.Since(start).Seconds()
	return res, nil
}

// oneHot turns class ids (N, 1) into one-hot rows (N, 10).
func oneHot(labels *tensor.Dense) *tensor.Dense {
	ids := labels.Data().([]float32)
	ys := make([]float32, len(ids)*nOut)
	for r, c := range ids {
		ys[r*nOut+int(c)] = 1
	}
	return tensor.New(tensor.WithShape(len(ids), nOut), tensor.WithBacking(ys))
}

// percentile returns the p-th percentile of v by the nearest-rank method (as
// torch_mlp.py does); v is sorted in place.
func percentile(v []float64, p float64) float64 {
	sort.Float64s(v)
	k := int(math.Ceil(float64(len(v))*p/100)) - 1
	if k < 0 {
		k = 0
	}
	if k >= len(v) {
		k = len(v) - 1
	}
	return v[k]
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
	if err := sc.Err(); err != nil {
		return 0, errors.Wrap(err, "read /proc/self/status")
	}
	return 0, errors.Errorf("no %s in /proc/self/status", field)
}

// rowLatency predicts single rows of x (rows of it, each of shape oneShape with
// the batch of 1) after warmupRuns calls, and returns the median and 99th
// percentile of latencyRuns timed calls, in microseconds.
func rowLatency(tr *trainers.Trainer, x *tensor.Dense, rows int, oneShape []int) (p50, p99 float64, err error) {
	xs := x.Data().([]float32)
	one := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(oneShape...))
	oneData := one.Data().([]float32)
	nIn := len(oneData)
	lat := make([]float64, 0, latencyRuns)
	for i := 0; i < warmupRuns+latencyRuns; i++ {
		r := i % rows
		copy(oneData, xs[r*nIn:(r+1)*nIn])
		t0 := time.Now()
		if _, err := tr.Predict(one); err != nil {
			return 0, 0, errors.Wrap(err, "predict one row")
		}
		if i >= warmupRuns {
			lat = append(lat, float64(time.Since(t0).Nanoseconds())/1e3)
		}
	}
	return percentile(lat, 50), percentile(lat, 99), nil
}

// implName is "gokeras-go" or "gokeras-openblas", after the build's BLAS.
func implName() string {
	if graph.BLAS == "openblas" {
		return "gokeras-openblas"
	}
	return "gokeras-go"
}
