package bench

import (
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
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
