package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Bounds of the serve load test.
const (
	loadRequests = 10000
	loadClients  = 8
	loadTimeout  = 3 * time.Minute
)

// loadTestWanted reports whether the load test was asked for: GOKERAS_LOADTEST=1,
// or a -run pattern naming ServeLoad.
func loadTestWanted() bool {
	if os.Getenv("GOKERAS_LOADTEST") == "1" {
		return true
	}
	f := flag.Lookup("test.run")
	return f != nil && strings.Contains(f.Value.String(), "ServeLoad")
}

// loadStats is the answer of the server's GET /v1/stats.
type loadStats struct {
	Requests       int    `json:"requests"`
	Rows           int    `json:"rows"`
	Batches        int    `json:"batches"`
	HeapInuseBytes uint64 `json:"heap_inuse_bytes"`
	Goroutines     int    `json:"goroutines"`
}

// TestServeLoad builds cmd/demo, serves an iris-sized 4-16-3 model on a free
// loopback port, sends loadRequests one-row predictions from loadClients
// concurrent clients (keep-alive), checks that every answer is a 200 with one
// prediction of 3 values, reports requests/s and the server's heap in use at the
// start, middle and end, and stops the server with SIGTERM. It is skipped unless
// asked for (see loadTestWanted):
//
//	GOKERAS_LOADTEST=1 go test ./bench -run ServeLoad -v
func TestServeLoad(t *testing.T) {
	if !loadTestWanted() {
		t.Skip("set GOKERAS_LOADTEST=1 or -run ServeLoad to run the load test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "demo")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/gokeras/gokeras/cmd/demo")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build cmd/demo: %v\n%s", err, out)
	}
	modelPath := filepath.Join(dir, "iris.safetensors")
	if err := predictMLP(t, []int{4, 16, 3}).Save(modelPath); err != nil {
		t.Fatal(err)
	}

	srv := exec.CommandContext(ctx, bin, "serve", "-model", modelPath, "-addr", "127.0.0.1:0")
	var serverErr bytes.Buffer
	srv.Stderr = &serverErr
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		t.Fatalf("the server printed nothing; stderr: %s", serverErr.String())
	}
	i := strings.Index(lines.Text(), "http://")
	if i < 0 {
		t.Fatalf("no address in %q", lines.Text())
	}
	base := lines.Text()[i:]

	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConns: loadClients, MaxIdleConnsPerHost: loadClients},
	}
	getStats := func() (loadStats, error) {
		var s loadStats
		resp, err := client.Get(base + "/v1/stats")
		if err != nil {
			return s, err
		}
		defer resp.Body.Close()
		return s, json.NewDecoder(resp.Body).Decode(&s)
	}
	stats := func() loadStats {
		s, err := getStats()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// Warm up: compile the worker programs, open the connections.
	bodies := make([][]byte, 64)
	rng := rand.New(rand.NewSource(1))
	for k := range bodies {
		bodies[k] = []byte(fmt.Sprintf(`{"rows": [[%.3f, %.3f, %.3f, %.3f]]}`, 4+4*rng.Float64(), 2+2*rng.Float64(), 1+6*rng.Float64(), 2.5*rng.Float64()))
	}
	var sent, failed atomic.Int64
	var firstErr atomic.Value
	var mid loadStats // written once by the client that sends the middle request
	var midOnce sync.Once
	do := func(body []byte) error {
		resp, err := client.Post(base+"/v1/predict", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d: %s", resp.StatusCode, b)
		}
		var got struct {
			Predictions [][]float64 `json:"predictions"`
		}
		if err := json.Unmarshal(b, &got); err != nil || len(got.Predictions) != 1 || len(got.Predictions[0]) != 3 {
			return fmt.Errorf("bad answer %s (%v)", b, err)
		}
		return nil
	}
	for k := 0; k < 2*loadClients; k++ {
		if err := do(bodies[k]); err != nil {
			t.Fatal(err)
		}
	}
	start := stats()

	began := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < loadClients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for k := c; ctx.Err() == nil; k++ {
				n := sent.Add(1)
				if n > loadRequests {
					return
				}
				if n == loadRequests/2 {
					midOnce.Do(func() {
						var err error
						if mid, err = getStats(); err != nil {
							failed.Add(1)
							firstErr.CompareAndSwap(nil, err.Error())
						}
					})
				}
				if err := do(bodies[k%len(bodies)]); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}(c)
	}
	wg.Wait()
	elapsed := time.Since(began)
	end := stats()
	if ctx.Err() != nil {
		t.Fatalf("the load test ran out of time (%v)", loadTimeout)
	}
	if n := failed.Load(); n > 0 {
		t.Fatalf("%d of %d requests failed, the first: %v", n, loadRequests, firstErr.Load())
	}
	if got := end.Requests - start.Requests; got != loadRequests {
		t.Errorf("the server answered %d predictions, want %d", got, loadRequests)
	}
	mb := func(b uint64) float64 { return float64(b) / (1 << 20) }
	t.Logf("%d requests from %d clients in %.2fs: %.0f requests/s, %.2f ms per request per client",
		loadRequests, loadClients, elapsed.Seconds(), loadRequests/elapsed.Seconds(),
		elapsed.Seconds()*1e3*loadClients/loadRequests)
	t.Logf("batches %d for %d rows (%.2f rows per batch)", end.Batches-start.Batches, end.Rows-start.Rows,
		float64(end.Rows-start.Rows)/float64(max(1, end.Batches-start.Batches)))
	t.Logf("server heap in use: start %.1f MiB, middle %.1f MiB, end %.1f MiB; goroutines %d, %d, %d",
		mb(start.HeapInuseBytes), mb(mid.HeapInuseBytes), mb(end.HeapInuseBytes), start.Goroutines, mid.Goroutines, end.Goroutines)
	if end.HeapInuseBytes > 4*start.HeapInuseBytes+32<<20 {
		t.Errorf("heap grew from %.1f MiB to %.1f MiB", mb(start.HeapInuseBytes), mb(end.HeapInuseBytes))
	}

	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stdout)
	if err := srv.Wait(); err != nil {
		t.Fatalf("the server exited with %v after SIGTERM; stderr: %s", err, serverErr.String())
	}
	if !strings.Contains(string(rest), "server stopped") {
		t.Errorf("no clean stop after SIGTERM: %q", rest)
	}
}
