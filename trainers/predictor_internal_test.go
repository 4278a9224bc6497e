package trainers

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

func internalPredictor(t *testing.T, opts ...PredictorOption) *Predictor {
	t.Helper()
	m := layers.NewSequential(layers.Input(4), layers.Dense(8, layers.WithActivation("relu")), layers.Dense(3))
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	p, err := newPredictor(m, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func oneRow(v float32) *tensor.Dense {
	return tensor.New(tensor.WithShape(1, 4), tensor.WithBacking([]float32{v, 1, 2, 3}))
}

// waitQueued waits until n requests are queued.
func waitQueued(t *testing.T, p *Predictor, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(p.queue) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests queued, want %d", len(p.queue), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestPredictorGathersQueuedRequests: with the workers started after 16 one-row
// requests are queued, one worker answers them all in one batch (linger 0), or
// in batches of the max batch.
func TestPredictorGathersQueuedRequests(t *testing.T) {
	cases := []struct {
		name     string
		maxBatch int
		batches  int
	}{
		{"one batch", 64, 1},
		{"max batch 5", 5, 4},
		{"max batch 1", 1, 16},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := internalPredictor(t, WithWorkers(1), WithMaxBatch(c.maxBatch))
			if cap(p.queue) < 16 {
				p.queue = make(chan *predictRequest, 16)
			}
			defer p.Close()
			var wg sync.WaitGroup
			outs := make([]*tensor.Dense, 16)
			for i := 0; i < 16; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					y, err := p.Predict(context.Background(), oneRow(float32(i)))
					if err != nil {
						t.Error(err)
					}
					outs[i] = y
				}(i)
			}
			waitQueued(t, p, 16)
			p.start()
			wg.Wait()
			if st := p.Stats(); st != (PredictorStats{Requests: 16, Rows: 16, Batches: c.batches}) {
				t.Errorf("stats %+v, want 16 requests and rows in %d batches", st, c.batches)
			}
			for i, y := range outs {
				if y == nil || y.Shape()[0] != 1 {
					t.Fatalf("request %d: output %v", i, y)
				}
			}
		})
	}
}

// TestPredictorCancelWhileQueued: a request whose context ends while it waits in
// the queue returns the context's error, and the worker skips it.
func TestPredictorCancelWhileQueued(t *testing.T) {
	p := internalPredictor(t, WithWorkers(1))
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := p.Predict(ctx, oneRow(1))
		errc <- err
	}()
	waitQueued(t, p, 1)
	cancel()
	if err := <-errc; err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("error %v, want context canceled", err)
	}
	p.start()
	if _, err := p.Predict(context.Background(), oneRow(2)); err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); st != (PredictorStats{Requests: 1, Rows: 1, Batches: 1, Canceled: 1}) {
		t.Errorf("stats %+v, want the canceled request skipped", st)
	}
}

// TestPredictorCloseAnswersQueued: requests queued when Close is called get an
// error instead of waiting forever.
func TestPredictorCloseAnswersQueued(t *testing.T) {
	p := internalPredictor(t, WithWorkers(1))
	errc := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func() {
			_, err := p.Predict(context.Background(), oneRow(1))
			errc <- err
		}()
	}
	waitQueued(t, p, 3)
	p.Close()
	for i := 0; i < 3; i++ {
		if err := <-errc; err == nil || !strings.Contains(err.Error(), "closed") {
			t.Fatalf("error %v, want closed", err)
		}
	}
}

// TestPredictorBucket: batches are padded to powers of two up to the max batch.
func TestPredictorBucket(t *testing.T) {
	p := internalPredictor(t, WithMaxBatch(48))
	for _, c := range []struct{ b, want int }{{1, 1}, {2, 2}, {3, 4}, {17, 32}, {33, 48}, {48, 48}} {
		if got := p.bucket(c.b); got != c.want {
			t.Errorf("bucket(%d) = %d, want %d", c.b, got, c.want)
		}
	}
}

// TestPredictorCarriesWhatDoesNotFit: of queued 3-row requests with a max batch
// of 4, each batch takes one and carries the next to the following batch; every
// request is answered.
func TestPredictorCarriesWhatDoesNotFit(t *testing.T) {
	p := internalPredictor(t, WithWorkers(1), WithMaxBatch(4))
	defer p.Close()
	x := tensor.New(tensor.WithShape(3, 4), tensor.WithBacking(make([]float32, 12)))
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			y, err := p.Predict(context.Background(), x)
			if err != nil || y.Shape()[0] != 3 {
				t.Errorf("got %v, %v", y, err)
			}
		}()
	}
	waitQueued(t, p, 3)
	p.start()
	wg.Wait()
	if st := p.Stats(); st != (PredictorStats{Requests: 3, Rows: 9, Batches: 3}) {
		t.Errorf("stats %+v, want 3 requests of 3 rows in 3 batches", st)
	}
}
