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
	"runtime"
	"strconv"
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
// loopback port (with -stats, and room for every client under -max-in-flight),
// sends loadRequests one-row predictions from loadClients
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
	bin, modelPath := buildServeBinary(ctx, t)
	srv := startServer(ctx, t, bin, "-model", modelPath, "-addr", "127.0.0.1:0", "-stats", "-max-in-flight", strconv.Itoa(2*loadClients))
	defer srv.cmd.Process.Kill()
	base := srv.base

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

	srv.stop(t)
}

// buildServeBinary builds cmd/demo and saves an iris-sized 4-16-3 model in a
// temporary folder, and returns their paths.
func buildServeBinary(ctx context.Context, t *testing.T) (bin, modelPath string) {
	t.Helper()
	dir := t.TempDir()
	bin = filepath.Join(dir, "demo")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/gokeras/gokeras/cmd/demo")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build cmd/demo: %v\n%s", err, out)
	}
	modelPath = filepath.Join(dir, "iris.safetensors")
	if err := predictMLP(t, []int{4, 16, 3}).Save(modelPath); err != nil {
		t.Fatal(err)
	}
	return bin, modelPath
}

// loadServer is a running "demo serve".
type loadServer struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:PORT
	stdout io.Reader
	stderr *bytes.Buffer
}

// startServer starts "bin serve ARGS" (which must listen on loopback) and waits
// for its address.
func startServer(ctx context.Context, t *testing.T, bin string, args ...string) *loadServer {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve"}, args...)...)
	s := &loadServer{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = s.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := bufio.NewReader(stdout)
	first, err := out.ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the server printed nothing (%v); stderr: %s", err, s.stderr.String())
	}
	first = strings.TrimSpace(first)
	i := strings.Index(first, "http://127.0.0.1:")
	if i < 0 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("no loopback address in %q", first)
	}
	s.base = first[i:]
	s.stdout = out
	return s
}

// peakRSS is the server's peak resident memory so far (VmHWM), in bytes; 0 where
// /proc does not tell it.
func (s *loadServer) peakRSS() uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" && f[2] == "kB" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// stop sends SIGTERM and checks that the server stops cleanly.
func (s *loadServer) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(s.stdout)
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("the server exited with %v after SIGTERM; stderr: %s", err, s.stderr.String())
	}
	if !strings.Contains(string(rest), "server stopped") {
		t.Errorf("no clean stop after SIGTERM: %q", rest)
	}
}

// Bounds of the big-body load test.
const (
	bigClients  = 64
	bigRequests = 2               // per client
	bigBody     = 1000000         // bytes per body: 100,000 rows of 4 one-digit values, the most rows a MB holds
	bigRetries  = 60              // most 503s a client takes for one request
	bigTimeout  = 4 * time.Minute // for both servers
)

// bigResult is what one run of the big-body load gave.
type bigResult struct {
	ok, overloaded, failed int // 200s, 503s (retried), others and transport errors
	firstFailure           string
	peakRSS                uint64
	elapsed                time.Duration
}

// TestServeLoadBigBodies: bigClients clients each post bigRequests bodies of
// about 1 MB (the largest the default -max-body takes) to a server with the limit
// on predictions in flight out of reach (-max-in-flight 4096, as before the limit
// existed) and to one with the default limit (4 x workers), on loopback. Clients
// honour Retry-After on a 503 (at most bigRetries times per request). It reports
// each server's peak resident memory (VmHWM) and the 200s, 503s and failures, and
// checks that the limited server answered every request (200 or 503, no dropped
// connection) and stayed below the unlimited one's peak. Skipped unless asked
// for (see loadTestWanted):
//
//	GOKERAS_LOADTEST=1 go test ./bench -run ServeLoadBigBodies -v
func TestServeLoadBigBodies(t *testing.T) {
	if !loadTestWanted() {
		t.Skip("set GOKERAS_LOADTEST=1 or -run ServeLoad to run the load test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), bigTimeout)
	defer cancel()
	bin, modelPath := buildServeBinary(ctx, t)
	var body bytes.Buffer
	body.WriteString(`{"rows": [`)
	rng := rand.New(rand.NewSource(1))
	for i := 0; body.Len() < bigBody-40; i++ {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, "[%d,%d,%d,%d]", 4+rng.Intn(4), 2+rng.Intn(2), 1+rng.Intn(6), rng.Intn(3))
	}
	body.WriteString("]}")

	run := func(name string, args ...string) bigResult {
		srv := startServer(ctx, t, bin, append([]string{"-model", modelPath, "-addr", "127.0.0.1:0"}, args...)...)
		defer srv.cmd.Process.Kill()
		var mu sync.Mutex
		var res bigResult
		count := func(f func(*bigResult)) { mu.Lock(); f(&res); mu.Unlock() }
		began := time.Now()
		var wg sync.WaitGroup
		for c := 0; c < bigClients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Timeout: time.Minute}
				for k := 0; k < bigRequests && ctx.Err() == nil; k++ {
					for try := 0; try <= bigRetries && ctx.Err() == nil; try++ {
						req, err := http.NewRequestWithContext(ctx, "POST", srv.base+"/v1/predict", bytes.NewReader(body.Bytes()))
						if err != nil {
							panic(err)
						}
						resp, err := client.Do(req)
						if err != nil {
							count(func(r *bigResult) { r.failed++; r.firstFailure = orString(r.firstFailure, err.Error()) })
							break
						}
						b, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "" {
							count(func(r *bigResult) { r.overloaded++ })
							wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
							select {
							case <-time.After(time.Duration(wait)*time.Second + time.Duration(rand.Intn(200))*time.Millisecond):
							case <-ctx.Done():
							}
							continue
						}
						if resp.StatusCode != http.StatusOK {
							count(func(r *bigResult) {
								r.failed++
								r.firstFailure = orString(r.firstFailure, fmt.Sprintf("status %d: %.200s", resp.StatusCode, b))
							})
						} else {
							count(func(r *bigResult) { r.ok++ })
						}
						break
					}
				}
			}()
		}
		wg.Wait()
		res.elapsed = time.Since(began)
		res.peakRSS = srv.peakRSS()
		if ctx.Err() != nil {
			t.Fatalf("%s: the load test ran out of time (%v)", name, bigTimeout)
		}
		srv.stop(t)
		mb := float64(res.peakRSS) / (1 << 20)
		t.Logf("%s: %d clients x %d bodies of %d bytes in %.1fs: %d answered 200, %d answers 503 (retried), %d failed; peak RSS %.0f MiB",
			name, bigClients, bigRequests, body.Len(), res.elapsed.Seconds(), res.ok, res.overloaded, res.failed, mb)
		if res.failed > 0 {
			t.Logf("%s: first failure: %s", name, res.firstFailure)
		}
		return res
	}
	unlimited := run("no limit (-max-in-flight 4096)", "-max-in-flight", "4096")
	limited := run("default limit (-max-in-flight 0: 4 x workers)")
	if limited.failed > 0 || limited.ok != bigClients*bigRequests {
		t.Errorf("with the limit, %d of %d requests answered 200 and %d failed (first: %s)",
			limited.ok, bigClients*bigRequests, limited.failed, limited.firstFailure)
	}
	if 4*runtime.GOMAXPROCS(0) < bigClients {
		if limited.overloaded == 0 {
			t.Error("no 503 with the limit below the number of clients")
		}
		if limited.peakRSS != 0 && limited.peakRSS >= unlimited.peakRSS {
			t.Errorf("peak RSS %d bytes with the limit, %d without", limited.peakRSS, unlimited.peakRSS)
		}
	}
}

// orString returns s, or t when s is empty.
func orString(s, t string) string {
	if s == "" {
		return t
	}
	return s
}
