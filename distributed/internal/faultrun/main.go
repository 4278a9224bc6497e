package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gokeras/gokeras/distributed"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "faultrun:", err)
		os.Exit(1)
	}
}

func run() error {
	dir := flag.String("dir", "", "folder of the pid files and checkpoints")
	epochs := flag.Int("epochs", 6, "epochs to train")
	every := flag.Int("every", 2, "write a checkpoint every N epochs")
	resume := flag.String("resume", "", "resume from this checkpoint")
	stall := flag.Int("stall-epoch", -1, "rank 1 stops halfway through this epoch (from 0) for 60 s (-1: never)")
	weights := flag.String("weights", "", "rank 0 writes the final weights here")
	compare := flag.Bool("compare", false, "compare the two weight files given as arguments")
	tol := flag.Float64("tol", 0, "largest absolute weight difference -compare accepts")
	flag.Parse()
	if *compare {
		return compareFiles(flag.Arg(0), flag.Arg(1), *tol)
	}
	if *dir == "" {
		return errors.New("no -dir")
	}
	comm, err := distributed.Init()
	if err != nil {
		return err
	}
	defer distributed.Finalize()
	if err := os.WriteFile(filepath.Join(*dir, "pid."+strconv.Itoa(comm.Rank())), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return err
	}
	m := layers.NewSequential(layers.Input(8), layers.Dense(32, layers.WithActivation("tanh")),
		layers.Dense(16, layers.WithActivation("relu")), layers.Dense(3))
	if err := m.Build(layers.WithSeed(11), layers.WithDType(tensor.Float64)); err != nil {
		return err
	}
	tr, err := trainers.New(m, trainers.WithSeed(5), trainers.WithOptimizer(trainers.Adam(0.003)),
		trainers.WithLoss("sparse_categorical_crossentropy"), trainers.WithMetrics("accuracy"),
		trainers.WithDistributed(comm))
	if err != nil {
		return err
	}
	x, y := data(2000)
	opts := []trainers.FitOption{trainers.Epochs(*epochs), trainers.BatchSize(50), trainers.Verbose(0),
		trainers.Callbacks(&trainers.ModelCheckpoint{Path: filepath.Join(*dir, "ck-{epoch}.safetensors"), Period: *every}),
		trainers.Callbacks(&stallAt{epoch: *stall, dir: *dir})}
	if *resume != "" {
		opts = append(opts, trainers.ResumeFrom(*resume))
	}
	h, err := tr.Fit(context.Background(), x, y, opts...)
	if err != nil {
		return err
	}
	if comm.Rank() == 0 {
		fmt.Printf("rank 0 of %d: trained epochs %d..%d\n", comm.Size(), tr.Epoch()-len(h.Epoch)+1, tr.Epoch())
		if *weights != "" {
			return writeWeights(*weights, m)
		}
	}
	return nil
}

// data is a 3-class problem of n rows of 8 features.
func data(n int) (*tensor.Dense, *tensor.Dense) {
	rng := rand.New(rand.NewSource(3))
	xs, ys := make([]float64, n*8), make([]float64, n)
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < 8; j++ {
			v := rng.NormFloat64()
			xs[i*8+j] = v
			s += v * float64(j%3-1)
		}
		ys[i] = float64(int(math.Abs(s*2)) % 3)
	}
	return tensor.New(tensor.WithShape(n, 8), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys))
}

// stallAt makes rank 1 stop halfway through epoch (from 0): it writes dir/mid
// and sleeps, for the test script to kill it there.
type stallAt struct {
	trainers.BaseCallback
	epoch int
	dir   string
}

// OnBatchEnd stalls rank 1 halfway through the epoch.
func (s *stallAt) OnBatchEnd(t *trainers.Trainer, epoch, batch int, _ trainers.Logs) error {
	if t.Rank() != 1 || epoch != s.epoch || batch != t.StepsPerEpoch()/2 {
		return nil
	}
	if err := os.WriteFile(filepath.Join(s.dir, "mid"), []byte(fmt.Sprintf("epoch %d batch %d\n", epoch, batch)), 0o644); err != nil {
		return err
	}
	time.Sleep(60 * time.Second)
	return nil
}

// writeWeights writes m's weights as little-endian float64.
func writeWeights(path string, m layers.Model) error {
	var w []float64
	for _, p := range m.Params() {
		w = append(w, p.Value.Data().([]float64)...)
	}
	b := make([]byte, 8*len(w))
	for i, v := range w {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
	}
	return os.WriteFile(path, b, 0o644)
}

// compareFiles prints the largest absolute difference of two weight files.
func compareFiles(a, b string, tol float64) error {
	x, err := os.ReadFile(a)
	if err != nil {
		return err
	}
	y, err := os.ReadFile(b)
	if err != nil {
		return err
	}
	if len(x) != len(y) || len(x) == 0 || len(x)%8 != 0 {
		return errors.Errorf("%s has %d bytes, %s %d", a, len(x), b, len(y))
	}
	d := 0.0
	for i := 0; i < len(x); i += 8 {
		u := math.Float64frombits(binary.LittleEndian.Uint64(x[i:]))
		v := math.Float64frombits(binary.LittleEndian.Uint64(y[i:]))
		d = math.Max(d, math.Abs(u-v))
	}
	fmt.Printf("max |weight difference| %.3g over %d weights (tolerance %g)\n", d, len(x)/8, tol)
	if d > tol || math.IsNaN(d) {
		return errors.Errorf("weights differ by %g > %g", d, tol)
	}
	return nil
}
