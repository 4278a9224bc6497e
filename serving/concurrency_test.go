package serving

import (
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
)

// TestRepositoryNoClosedHandle swaps versions in while goroutines Get and
// Release: no Handle ever holds a closed Servable, and every version but the
// last is closed at the end.
func TestRepositoryNoClosedHandle(t *testing.T) {
	dir := t.TempDir()
	put(t, dir, "m", "1", "model.bin", "ok")
	r := openFake(t, dir)
	var stop atomic.Bool
	var bad, gets atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				h, err := r.Get("m", 0)
				if err != nil {
					bad.Add(1)
					continue
				}
				if h.Servable.(*fake).closed.Load() {
					bad.Add(1)
				}
				gets.Add(1)
				h.Release()
			}
		}()
	}
	var seen []*fake
	for v := 2; v <= 20; v++ {
		put(t, dir, "m", strconv.Itoa(v), "model.bin", "ok")
		if err := r.Rescan(); err != nil {
			t.Fatal(err)
		}
		h, err := r.Get("m", 0)
		if err != nil || h.Version != int64(v) {
			t.Fatalf("version %d: %v", v, err)
		}
		seen = append(seen, h.Servable.(*fake))
		h.Release()
	}
	stop.Store(true)
	wg.Wait()
	if bad.Load() != 0 || gets.Load() == 0 {
		t.Fatalf("%d gets, %d bad", gets.Load(), bad.Load())
	}
	for i, f := range seen[:len(seen)-1] {
		if !f.closed.Load() {
			t.Errorf("version %d not closed after it was replaced", i+2)
		}
	}
}

// TestRepositoryPredictorLoader serves a saved model with the default loader.
func TestRepositoryPredictorLoader(t *testing.T) {
	dir := t.TempDir()
	m := layers.NewSequential(layers.Input(4), layers.Dense(2))
	if err := m.Build(layers.WithSeed(1)); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "dense", "1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(filepath.Join(dir, "dense", "1", "model.safetensors")); err != nil {
		t.Fatal(err)
	}
	r, err := Open(dir, WithPoll(0))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Rescan(); err != nil {
		t.Fatal(err)
	}
	h, err := r.Get("dense", 1)
	if err != nil {
		t.Fatalf("%v: %+v", err, r.Models())
	}
	defer h.Release()
	if p, ok := h.Servable.(*trainers.Predictor); !ok || len(p.Inputs()) != 1 {
		t.Fatalf("servable %T", h.Servable)
	}
}
