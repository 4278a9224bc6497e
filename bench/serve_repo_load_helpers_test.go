package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// repoLoadWanted reports whether the repository load test was asked for:
// GOKERAS_LOADTEST=1, or a -run pattern naming ServeRepoLoad.
func repoLoadWanted() bool {
	if os.Getenv("GOKERAS_LOADTEST") == "1" {
		return true
	}
	f := flag.Lookup("test.run")
	return f != nil && strings.Contains(f.Value.String(), "ServeRepoLoad")
}

// rlProcMem is a process's resident memory now (VmRSS) and its peak so far
// (VmHWM), in bytes; zeros where /proc does not tell them.
type rlProcMem struct {
	rss, hwm uint64
}

// rlReadMem reads /proc/PID/status.
func rlReadMem(pid int) rlProcMem {
	var m rlProcMem
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[2] != "kB" {
			continue
		}
		kb, _ := strconv.ParseUint(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			m.rss = kb << 10
		case "VmHWM:":
			m.hwm = kb << 10
		}
	}
	return m
}

// rlMemSample is one reading of a rlMemSampler.
type rlMemSample struct {
	at  time.Duration // since the sampler started
	rss uint64
}

// rlMemSampler reads a process's VmRSS every period until stopped.
type rlMemSampler struct {
	pid     int
	began   time.Time
	stopc   chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	samples []rlMemSample
}

// rlSampleMem starts sampling pid's resident memory every period; began is the
// origin of the samples' times.
func rlSampleMem(pid int, began time.Time, period time.Duration) *rlMemSampler {
	s := &rlMemSampler{pid: pid, began: began, stopc: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			m := rlReadMem(pid)
			s.mu.Lock()
			s.samples = append(s.samples, rlMemSample{time.Since(began), m.rss})
			s.mu.Unlock()
			select {
			case <-s.stopc:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the samples.
func (s *rlMemSampler) stop() []rlMemSample {
	close(s.stopc)
	s.wg.Wait()
	return s.samples
}

// rlRSSStats are the mean and largest VmRSS of the samples taken in [from, to].
func rlRSSStats(samples []rlMemSample, from, to time.Duration) (mean, peak uint64, n int) {
	var sum uint64
	for _, s := range samples {
		if s.at < from || s.at > to {
			continue
		}
		sum += s.rss
		peak = max(peak, s.rss)
		n++
	}
	if n > 0 {
		mean = sum / uint64(n)
	}
	return mean, peak, n
}

// rlMiB formats bytes as MiB.
func rlMiB(b uint64) string { return fmt.Sprintf("%.0f", float64(b)/(1<<20)) }

// rlQuantile returns the q-rlQuantile (nearest rank) of sorted durations; 0 for none.
func rlQuantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// rlSorted returns a sorted copy of ds.
func rlSorted(ds []time.Duration) []time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s
}

// ms formats a duration in milliseconds, with one decimal below 100 ms.
func rlMs(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v < 100 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// rlTable renders a header and rows as a markdown table.
func rlTable(header []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for range header {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	return b.String()
}

// rlMachine describes where the test ran: cores, GOMAXPROCS, Go version and
// the load average when it started (a busy machine shows in it).
func rlMachine() string {
	load := "?"
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			load = strings.Join(f[:3], " ")
		}
	}
	return fmt.Sprintf("%d cores (GOMAXPROCS %d), %s %s/%s, load average at start %s",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH, load)
}

// rlBodies returns n prediction bodies of rows random rows of width values.
func rlBodies(rng *rand.Rand, n, rows, width int) [][]byte {
	out := make([][]byte, n)
	for k := range out {
		var b bytes.Buffer
		b.WriteString(`{"rows": [`)
		for r := 0; r < rows; r++ {
			if r > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('[')
			for j := 0; j < width; j++ {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(strconv.FormatFloat(rng.Float64(), 'f', 3, 64))
			}
			b.WriteByte(']')
		}
		b.WriteString("]}")
		out[k] = b.Bytes()
	}
	return out
}

// rlPredict posts body to NAME:predict and checks the answer: a 200 from the
// model, rows predictions of the model's classes. It returns the version that
// answered.
func rlPredict(ctx context.Context, hc *http.Client, base string, m *rlModel, body []byte, rows int) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/models/"+m.name+":predict", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: status %d: %.300s", m.name, resp.StatusCode, b)
	}
	var got struct {
		Name        string      `json:"model_name"`
		Version     int64       `json:"model_version"`
		Predictions [][]float64 `json:"predictions"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		return 0, fmt.Errorf("%s: %v in %.300s", m.name, err, b)
	}
	if got.Name != m.name || got.Version < 1 || len(got.Predictions) != rows || len(got.Predictions[0]) != m.classes {
		return 0, fmt.Errorf("%s: a bad answer to %d rows: %.300s", m.name, rows, b)
	}
	return got.Version, nil
}

// rlMetrics reads the server's /metrics: every sample, by its name and labels
// as written ("name{label=\"v\",...}").
func rlMetrics(hc *http.Client, base string) (map[string]float64, error) {
	resp, err := hc.Get(base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: status %d: %.200s", resp.StatusCode, b)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		i := strings.LastIndexByte(line, ' ')
		if line == "" || line[0] == '#' || i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("/metrics: %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out, nil
}

// rlSum sums the samples of metric name whose labels hold every one of parts.
func rlSum(ms map[string]float64, name string, parts ...string) float64 {
	sum := 0.0
next:
	for k, v := range ms {
		if k != name && !strings.HasPrefix(k, name+"{") {
			continue
		}
		for _, p := range parts {
			if !strings.Contains(k, p) {
				continue next
			}
		}
		sum += v
	}
	return sum
}

// rlWaitReady polls /readyz until it answers 200.
func rlWaitReady(ctx context.Context, t *testing.T, hc *http.Client, base string) time.Duration {
	t.Helper()
	began := time.Now()
	for {
		resp, err := hc.Get(base + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(began)
			}
		}
		if time.Since(began) > rlReadyTimeout || ctx.Err() != nil {
			t.Fatalf("not ready after %v (last: %v)", time.Since(began), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
