package trainers_test

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// predictorTol bounds the difference between a Predictor's rows and single-row
// predictions. With gonum's BLAS they are bit-identical (measured); OpenBLAS may
// choose other kernels for other batch sizes.
const predictorTol = 1e-6

// predictorModel is a built 4-16-3 softmax MLP (with dropout, off in inference).
func predictorModel(t testing.TB, dt tensor.Dtype) *layers.Sequential {
	t.Helper()
	m := layers.NewSequential(layers.Input(4),
		layers.Dense(16, layers.WithActivation("relu")),
		layers.Dropout(0.2),
		layers.Dense(3, layers.WithActivation("softmax")))
	if err := m.Build(layers.WithSeed(7), layers.WithDType(dt)); err != nil {
		t.Fatal(err)
	}
	return m
}

// predictorRows returns n random rows of 4 features as float64s.
func predictorRows(n int, seed int64) []float64 {
	rng := rand.New(rand.NewSource(seed))
	v := make([]float64, n*4)
	for i := range v {
		v[i] = rng.NormFloat64() * 2
	}
	return v
}

func rowsTensor(vals []float64, from, n int) *tensor.Dense {
	return tensor.New(tensor.WithShape(n, 4), tensor.WithBacking(append([]float64(nil), vals[from*4:(from+n)*4]...)))
}

// serialRows predicts every row alone with a Trainer: the reference.
func serialRows(t *testing.T, m layers.Model, vals []float64) [][]float64 {
	t.Helper()
	tr := newTrainer(t, m, trainers.WithLoss("categorical_crossentropy"))
	defer tr.Close()
	n := len(vals) / 4
	out := make([][]float64, n)
	for i := 0; i < n; i++ {
		y, err := tr.Predict(rowsTensor(vals, i, 1))
		if err != nil {
			t.Fatal(err)
		}
		out[i] = floats(y)
	}
	return out
}

func floats(d *tensor.Dense) []float64 {
	switch v := d.Data().(type) {
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), v...)
	}
	return nil
}

// TestPredictorConcurrentMatchesSerial: 16 goroutines asking for 1 to 5 rows at a
// time get what single-row predictions give, in both dtypes.
func TestPredictorConcurrentMatchesSerial(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			m := predictorModel(t, dt)
			const n = 200
			vals := predictorRows(n, 1)
			want := serialRows(t, m, vals)
			p, err := trainers.NewPredictor(m, trainers.WithWorkers(3), trainers.WithMaxBatch(8))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			var wg sync.WaitGroup
			errs := make(chan string, 16)
			for g := 0; g < 16; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					rng := rand.New(rand.NewSource(int64(g)))
					for k := 0; k < 30; k++ {
						rows := 1 + rng.Intn(5)
						from := rng.Intn(n - rows + 1)
						y, err := p.Predict(context.Background(), rowsTensor(vals, from, rows))
						if err != nil {
							errs <- err.Error()
							return
						}
						if got := y.Shape(); got[0] != rows || got[1] != 3 || y.Dtype() != dt {
							errs <- fmt.Sprintf("bad shape %v %v", got, y.Dtype())
							return
						}
						got := floats(y)
						for r := 0; r < rows; r++ {
							for j := 0; j < 3; j++ {
								if d := math.Abs(got[r*3+j] - want[from+r][j]); d > predictorTol {
									errs <- "row differs from the serial prediction"
									return
								}
							}
						}
					}
				}(g)
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Fatal(e)
			}
			st := p.Stats()
			if st.Requests != 16*30 || st.Batches < 1 || st.Batches > st.Requests {
				t.Errorf("stats %+v", st)
			}
			t.Logf("stats %+v", st)
		})
	}
}

// TestPredictorLargeRequest: a request with more rows than the max batch runs in
// several batches and matches a Trainer's Predict.
func TestPredictorLargeRequest(t *testing.T) {
	m := predictorModel(t, tensor.Float32)
	vals := predictorRows(150, 2)
	want := serialRows(t, m, vals)
	p, err := trainers.NewPredictor(m, trainers.WithWorkers(1), trainers.WithMaxBatch(16))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	y, err := p.Predict(context.Background(), rowsTensor(vals, 0, 150))
	if err != nil {
		t.Fatal(err)
	}
	got := floats(y)
	for r := range want {
		for j := range want[r] {
			if math.Abs(got[r*3+j]-want[r][j]) > predictorTol {
				t.Fatalf("row %d: got %v, want %v", r, got[r*3:r*3+3], want[r])
			}
		}
	}
	if st := p.Stats(); st != (trainers.PredictorStats{Requests: 1, Rows: 150, Batches: 10}) {
		t.Errorf("stats %+v, want 1 request, 150 rows, 10 batches", st)
	}
}

func TestPredictorInputErrors(t *testing.T) {
	m := predictorModel(t, tensor.Float32)
	p, err := trainers.NewPredictor(m, trainers.WithWorkers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	ok := dense32([]int{1, 4}, 1, 2, 3, 4)
	cases := []struct {
		name string
		ctx  context.Context
		x    *tensor.Dense
		want string
	}{
		{"nil", context.Background(), nil, "no rows"},
		{"no rows", context.Background(), tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(0, 4)), "no rows"},
		{"width", context.Background(), dense32([]int{1, 3}, 1, 2, 3), "layer 0 (input_layer) expects examples of shape (4), x has (3)"},
		{"rank", context.Background(), dense32([]int{1, 2, 2}, 1, 2, 3, 4), "expects examples of shape (4), x has (2, 2)"},
		{"nan", context.Background(), dense32([]int{2, 4}, 1, 2, 3, 4, 5, math.NaN(), 7, 8), "NaN in row 1 at position 1"},
		{"inf", context.Background(), dense32([]int{1, 4}, 1, 2, math.Inf(1), 4), "+Inf in row 0 at position 2"},
		{"int", context.Background(), tensor.New(tensor.WithShape(1, 4), tensor.WithBacking([]int{1, 2, 3, 4})), "want float32 or float64"},
		{"canceled", canceled, ok, "context canceled"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := p.Predict(c.ctx, c.x)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	if _, err := p.Predict(context.Background(), ok); err != nil {
		t.Fatalf("a good request after bad ones: %v", err)
	}
}

func TestPredictorClosed(t *testing.T) {
	p, err := trainers.NewPredictor(predictorModel(t, tensor.Float32))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	_, err = p.Predict(context.Background(), dense32([]int{1, 4}, 1, 2, 3, 4))
	if err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("Predict after Close: %v, want a closed error", err)
	}
}

func TestNewPredictorErrors(t *testing.T) {
	built := predictorModel(t, tensor.Float32)
	unbuilt := layers.NewSequential(layers.Input(4), layers.Dense(2))
	cases := []struct {
		name  string
		model layers.Model
		opts  []trainers.PredictorOption
		want  string
	}{
		{"nil model", nil, nil, "nil model"},
		{"unbuilt", unbuilt, nil, "not built"},
		{"workers", built, []trainers.PredictorOption{trainers.WithWorkers(0)}, "0 workers"},
		{"max batch", built, []trainers.PredictorOption{trainers.WithMaxBatch(-1)}, "max batch -1"},
		{"linger", built, []trainers.PredictorOption{trainers.WithLinger(-1)}, "linger"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := trainers.NewPredictor(c.model, c.opts...)
			if err == nil {
				p.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want one containing %q", err, c.want)
			}
		})
	}
}

// TestLoadPredictor: a model file written by the model's Save and one written by
// Trainer.Save both load and predict as the model did.
func TestLoadPredictor(t *testing.T) {
	m := predictorModel(t, tensor.Float32)
	vals := predictorRows(10, 3)
	want := serialRows(t, m, vals)
	dir := t.TempDir()
	modelFile := filepath.Join(dir, "model.safetensors")
	if err := m.Save(modelFile); err != nil {
		t.Fatal(err)
	}
	trainerFile := filepath.Join(dir, "trainer.safetensors")
	tr := newTrainer(t, m, trainers.WithLoss("categorical_crossentropy"))
	if err := tr.Save(trainerFile); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{modelFile, trainerFile} {
		p, err := trainers.LoadPredictor(path, trainers.WithWorkers(2), trainers.WithLinger(0))
		if err != nil {
			t.Fatal(err)
		}
		y, err := p.Predict(context.Background(), rowsTensor(vals, 0, 10))
		p.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := floats(y)
		for r := range want {
			for j := range want[r] {
				if math.Abs(got[r*3+j]-want[r][j]) > predictorTol {
					t.Fatalf("%s: row %d: got %v, want %v", filepath.Base(path), r, got[r*3:r*3+3], want[r])
				}
			}
		}
	}
	if _, err := trainers.LoadPredictor(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("no error for a missing file")
	}
}
