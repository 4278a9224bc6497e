package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// procStatus reads a "VmHWM"-style field of /proc/self/status in MiB.
func procStatus(field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(strings.TrimPrefix(line, field+":"))
			if len(f) > 0 {
				kb, _ := strconv.ParseFloat(f[0], 64)
				return kb / 1024
			}
		}
	}
	return -1
}

// TestSparseRSS trains a model with a 10,000,000 x 16 float32 Embedding table
// (640 MB: 610 MiB) for 50 steps of batch 256 (Adam, updates by rows) and reports
// the process's peak resident memory (VmHWM) at each stage. It runs only with
// GOKERAS_SPARSE_RSS set ("dense" trains with WithDenseEmbeddingUpdates instead,
// which needs about 5 times the table); run it alone, in a process of its own:
//
//	GOKERAS_SPARSE_RSS=1 go test ./bench -run TestSparseRSS -v -count=1
//
// With GOKERAS_SPARSE_RSS_MAX_MIB=n it fails when the peak exceeds n MiB.
func TestSparseRSS(t *testing.T) {
	mode := os.Getenv("GOKERAS_SPARSE_RSS")
	if mode == "" {
		t.Skip("set GOKERAS_SPARSE_RSS=1 (or dense) to run")
	}
	const rows, dim, batch, steps = 10000000, 16, 256, 50
	report := func(stage string) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		t.Logf("%-28s VmHWM %7.1f MiB  VmRSS %7.1f MiB  Go heap in use %7.1f MiB", stage, procStatus("VmHWM"), procStatus("VmRSS"), float64(ms.HeapInuse)/(1<<20))
	}
	report("start")
	item := layers.NewInput("item", layers.Shape(1), layers.Int64)
	user := layers.NewInput("user", layers.Shape(1), layers.Int64)
	e := layers.Concatenate(-1).Apply(
		layers.Flatten().Apply(layers.Embedding(rows, dim, layers.WithName("item_emb")).Apply(item)),
		layers.Flatten().Apply(layers.Embedding(1000, dim, layers.WithName("user_emb")).Apply(user)))
	h := layers.Dense(32, layers.WithActivation("relu")).Apply(e)
	out := layers.Dense(1, layers.WithActivation("sigmoid"), layers.WithName("click")).Apply(h)
	m, err := layers.NewModel([]*layers.Tensor{item, user}, []*layers.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	opts := []trainers.Option{trainers.WithLoss("binary_crossentropy"), trainers.WithOptimizer(trainers.Adam(0.001)), trainers.WithOutput(io.Discard)}
	if mode == "dense" {
		opts = append(opts, trainers.WithDenseEmbeddingUpdates())
	}
	tr, err := trainers.New(m, opts...)
	if err != nil {
		t.Fatal(err)
	}
	report("model built (table filled)")
	n := steps * batch
	rng := rand.New(rand.NewSource(1))
	items, users, lab := make([]int64, n), make([]int64, n), make([]float32, n)
	for i := range items {
		items[i], users[i], lab[i] = int64(rng.Intn(rows)), int64(rng.Intn(1000)), float32(rng.Intn(2))
	}
	x := map[string]*tensor.Dense{
		"item": tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(items)),
		"user": tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(users)),
	}
	y := map[string]*tensor.Dense{"click": tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(lab))}
	if _, err := tr.FitNamed(context.Background(), x, y, trainers.BatchSize(batch), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	report(fmt.Sprintf("after %d steps", steps))
	peak := procStatus("VmHWM")
	table := float64(rows*dim*4) / (1 << 20)
	t.Logf("peak %.1f MiB for a table of %.1f MiB: %.2fx (mode %s)", peak, table, peak/table, mode)
	if s := os.Getenv("GOKERAS_SPARSE_RSS_MAX_MIB"); s != "" {
		if max, err := strconv.ParseFloat(s, 64); err == nil && peak > max {
			t.Errorf("peak resident memory %.1f MiB > %.1f MiB", peak, max)
		}
	}
}
