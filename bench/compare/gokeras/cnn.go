package main

// The convolutional workloads of -model lenet and -model cnn: the architectures,
// initialisation, optimizer, data and batch of bench/compare/gomlx (-model lenet,
// -model cnn) and bench/compare/torch_cnn.py, so that run.sh (WORKLOAD=cnn) can
// set the three side by side.

import (
	"context"
	"io"
	"os"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

const (
	side     = 28 // images are side x side x 1 (NHWC), nIn = side*side values
	cnnBatch = 64 // training batch of lenet and cnn, as GoMLX's runner
)

// cnnResult is the JSON line of -model lenet and -model cnn: the keys of the MLP's
// line plus the model, the batch and the CPU time (user + system, all threads) of
// training and of the timed inference, as bench/compare/gomlx prints them.
type cnnResult struct {
	result
	Model     string  `json:"model"`
	Batch     int     `json:"batch"`
	TrainCPUS float64 `json:"train_cpu_s"`
	InferCPUS float64 `json:"infer_cpu_s"`
}

// cpuSeconds is the user and system CPU time of the process so far (all threads).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// convModel returns -model lenet or -model cnn; every kernel is He-initialised
// (he_normal: fan_in scaled, as GoMLX's default initializer), biases are zero.
//
//	lenet Conv(6,5x5,same) MaxPool2 Conv(16,5x5,valid) MaxPool2 Dense 120-84-10, ReLU
//	cnn   Conv(32,5x5,same) MaxPool2 Conv(64,5x5,same) MaxPool2 Dense(hidden)-10, ReLU
func convModel(name string, hidden int) (*layers.Sequential, error) {
	he := layers.WithKernelInitializerName("he_normal")
	relu := layers.WithActivation("relu")
	same := layers.WithPadding("same")
	softmax := layers.WithActivation("softmax")
	switch name {
	case "lenet":
		return layers.NewSequential(layers.Input(side, side, 1),
			layers.Conv2D(6, 5, relu, same, he),
			layers.MaxPooling2D(2),
			layers.Conv2D(16, 5, relu, he),
			layers.MaxPooling2D(2),
			layers.Flatten(),
			layers.Dense(120, relu, he),
			layers.Dense(84, relu, he),
			layers.Dense(nOut, softmax, he)), nil
	case "cnn":
		return layers.NewSequential(layers.Input(side, side, 1),
			layers.Conv2D(32, 5, relu, same, he),
			layers.MaxPooling2D(2),
			layers.Conv2D(64, 5, relu, same, he),
			layers.MaxPooling2D(2),
			layers.Flatten(),
			layers.Dense(hidden, relu, he),
			layers.Dense(nOut, softmax, he)), nil
	}
	return nil, errors.Errorf("unknown -model %q (want mlp, lenet or cnn)", name)
}

// runConv trains model (lenet or cnn) on x (rows, 784) reshaped to (rows, 28, 28,
// 1) at batch 64 for epochs shuffled epochs (Fit, graph compilation included, as
// GoMLX's runner includes its own), times Predict of all rows at batch 1024 (the
// second call) and 1,000 single-row predictions after 100 warm-ups, profiling
// the phase -profile-phase into -cpuprofile when set.
func runConv(model string, hidden int, x, labels *tensor.Dense, epochs int) (*cnnResult, error) {
	net, err := convModel(model, hidden)
	if err != nil {
		return nil, err
	}
	rows := x.Shape()[0]
	if err := x.Reshape(rows, side, side, 1); err != nil {
		return nil, errors.Wrap(err, "reshape the images")
	}
	tr, err := trainers.New(net, trainers.WithLoss("sparse_categorical_crossentropy"),
		trainers.WithOptimizer(trainers.Adam(0.001)), trainers.WithOutput(io.Discard))
	if err != nil {
		return nil, errors.Wrap(err, "build the trainer")
	}
	defer func() { _ = tr.Close() }()

	stop, err := startProfile("train")
	if err != nil {
		return nil, err
	}
	rec := &rssRecorder{}
	start, cpu0 := time.Now(), cpuSeconds()
	if _, err := tr.Fit(context.Background(), x, labels, trainers.BatchSize(cnnBatch),
		trainers.Epochs(epochs), trainers.Verbose(0), trainers.Callbacks(rec)); err != nil {
		stop()
		return nil, errors.Wrap(err, "fit")
	}
	trainS, trainCPU := time.Since(start).Seconds(), cpuSeconds()-cpu0
	stop()

	// Inference: Predict on all rows at batch 1024, once to compile, once timed.
	if _, err := tr.Predict(x, trainers.BatchSize(inferBatch)); err != nil {
		return nil, errors.Wrap(err, "predict")
	}
	if stop, err = startProfile("infer"); err != nil {
		return nil, err
	}
	start, cpu0 = time.Now(), cpuSeconds()
	if _, err := tr.Predict(x, trainers.BatchSize(inferBatch)); err != nil {
		stop()
		return nil, errors.Wrap(err, "predict")
	}
	inferPerS := float64(rows) / time.Since(start).Seconds()
	inferCPU := cpuSeconds() - cpu0
	stop()

	if stop, err = startProfile("row"); err != nil {
		return nil, err
	}
	p50, p99, err := rowLatency(tr, x, rows, []int{1, side, side, 1})
	stop()
	if err != nil {
		return nil, err
	}
	impl := implName()
	return &cnnResult{
		result: result{
			Impl: impl, TrainSamples: rows * epochs, TrainPerS: float64(rows*epochs) / trainS,
			InferPerS: &inferPerS, RowP50us: &p50, RowP99us: &p99,
			EpochRSSMB: rec.rss, EpochSeconds: rec.seconds, EpochHeapMB: rec.heap,
		},
		Model: model, Batch: cnnBatch, TrainCPUS: trainCPU, InferCPUS: inferCPU,
	}, nil
}

// runConvLine runs -model lenet or cnn (impl must be gokeras) and prints its JSON line.
func runConvLine(w io.Writer, impl string, rows, epochs int, seed int64) error {
	if impl != "gokeras" {
		return errors.Errorf("-impl %s runs only -model mlp", impl)
	}
	if conv.hidden < 1 {
		return errors.Errorf("need -cnn-dense >= 1, got %d", conv.hidden)
	}
	x, labels := syntheticData(rows, seed) // the numbers of GoMLX's runner
	dataMB, err := procStatusMB("VmRSS")
	if err != nil {
		return err
	}
	res, err := runConv(conv.model, conv.hidden, x, labels, epochs)
	if err != nil {
		return err
	}
	return printResult(w, &res.result, res, rows, epochs, dataMB)
}

// startProfile starts the CPU profile -cpuprofile when phase (train, infer or
// row) is -profile-phase; the returned function stops it.
func startProfile(phase string) (func(), error) {
	switch conv.phase {
	case "train", "infer", "row":
	default:
		return nil, errors.Errorf("unknown -profile-phase %q (want train, infer or row)", conv.phase)
	}
	if conv.cpuprofile == "" || phase != conv.phase {
		return func() {}, nil
	}
	f, err := os.Create(conv.cpuprofile)
	if err != nil {
		return nil, errors.Wrap(err, "cpu profile")
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, errors.Wrap(err, "cpu profile")
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}
