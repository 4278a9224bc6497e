package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/serving/client"
)

// Bounds of the repository load test.
const (
	rlTimeout         = 4 * time.Minute        // the whole test, build included
	rlReadyTimeout    = time.Minute            // for /readyz
	rlPhase           = 30 * time.Second       // phase 1's wall-clock cap
	rlMaxRequests     = 200000                 // phase 1's cap on requests per model
	rlSwapAt          = 10 * time.Second       // when version 2 is written in phase 1
	rlSwapTail        = time.Second            // the swap window: write -> first version-2 answer, plus this
	rlClientsPerModel = 4                      // phase 1's concurrent clients per model
	rlBatchRows       = 8                      // every 4th request is a batch of this many rows
	rlPoll            = 200 * time.Millisecond // the server's -poll
	rlMemPeriod       = 100 * time.Millisecond // RSS sampling
	rlSwapModel       = "mnist-mlp"            // the model that gets version 2 (and 3)
	rlGenModel        = "lm"
	rlGenTokens       = 128 // max_tokens of every generation
	rlGenSeed         = 7
	rlGenPrompt       = "Light is"
	rlStreamTimeout   = time.Minute // one generation
)

// rlGenLevels are phase 2's rounds: concurrent streams, and generations each
// stream makes one after another.
var rlGenLevels = []struct{ streams, rounds int }{{1, 8}, {2, 8}, {4, 4}, {8, 4}}

// rlModel is one predicting model of the repository and what phase 1 measured.
type rlModel struct {
	name       string
	arch       string
	build      func() *layers.Sequential // unbuilt
	width      int                       // values per row
	classes    int
	one, batch [][]byte // request bodies: one row, rlBatchRows rows
	fileBytes  int64

	sent     atomic.Int64
	failed   atomic.Int64
	firstErr atomic.Value // string
	calls    [][]rlCall   // per client, the successful requests
}

// rlCall is one answered prediction: when it was sent and answered (since the
// phase began), its rows and the version that answered.
type rlCall struct {
	start, end time.Duration
	rows       int
	version    int64
}

// TestServeRepoLoad builds cmd/demo and serves a model repository of three
// predicting models of different sizes (an iris-sized 4-16-3 MLP, a
// 784-256-128-10 MLP, a small conv net on 28x28x1) and a small GPT with its
// tokenizer, on a free loopback port, polled every 200 ms.
//
// Phase 1: rlClientsPerModel concurrent clients per predicting model send
// one-row predictions (and every 4th a batch of rlBatchRows rows) for rlPhase
// (at most rlMaxRequests per model); rlSwapAt in, version 2 of mnist-mlp is
// written atomically (its file renamed into place). It reports per model the
// requests, requests/s, latency p50/p99 inside the swap window (the write to the
// first version-2 answer, plus rlSwapTail) and outside it, and the errors; the
// swap's latency (write to first version-2 answer); the server's resident memory
// before, during and after. Then, idle, version 3 is written and
// POST :reload timed. Any answer but a 200 fails the test, as does a version 1
// answering a request sent after a version 2 answer was received.
//
// Phase 2: 1, 2, 4 and 8 concurrent :generate streams (the Go client, no retries)
// of rlGenTokens tokens with a fixed seed: time to first token p50/p99 (seen by
// the client, and as the server reports it), tokens/s per stream and in all,
// errors; every stream must give all its tokens and the same text.
//
// The tables are printed in markdown for bench/RESULTS.md. Skipped unless asked
// for (see repoLoadWanted):
//
//	GOKERAS_LOADTEST=1 go test ./bench -run ServeRepoLoad -v
func TestServeRepoLoad(t *testing.T) {
	if !repoLoadWanted() {
		t.Skip("set GOKERAS_LOADTEST=1 or -run ServeRepoLoad to run the repository load test")
	}
	machine := rlMachine()
	ctx, cancel := context.WithTimeout(context.Background(), rlTimeout)
	defer cancel()
	bin, _ := buildServeBinary(ctx, t)

	// The repository.
	dir := t.TempDir()
	stage := t.TempDir() // versions 2 and 3 are saved here, then renamed into dir
	models := []*rlModel{
		{name: "iris", arch: "MLP 4-16-3", build: rlSeqMLP(4, 16, 3), width: 4, classes: 3},
		{name: rlSwapModel, arch: "MLP 784-256-128-10", build: rlSeqMLP(784, 256, 128, 10), width: 784, classes: 10},
		{name: "convnet", arch: "conv 28x28x1: 8c3-p2-16c3-p2-64-10", build: rlConvNet, width: 784, classes: 10},
	}
	rng := rand.New(rand.NewSource(1))
	var swapModel *rlModel
	for _, m := range models {
		m.fileBytes = rlSave(t, rlBuilt(t, m.build(), 1), filepath.Join(dir, m.name, "1", "model.safetensors"))
		m.one = rlBodies(rng, 32, 1, m.width)
		m.batch = rlBodies(rng, 8, rlBatchRows, m.width)
		m.calls = make([][]rlCall, rlClientsPerModel)
		if m.name == rlSwapModel {
			swapModel = m
		}
	}
	lmBytes := rlSave(t, rlLanguageModel(t), filepath.Join(dir, rlGenModel, "1", "model.safetensors"))
	v2 := filepath.Join(stage, "v2.safetensors")
	v3 := filepath.Join(stage, "v3.safetensors")
	rlSave(t, rlBuilt(t, swapModel.build(), 2), v2)
	rlSave(t, rlBuilt(t, swapModel.build(), 3), v3)
	// publish renames a staged file into DIR/mnist-mlp/V/ (the directory first:
	// the server waits for an empty version directory's file).
	publish := func(staged string, v int) error {
		vdir := filepath.Join(dir, rlSwapModel, strconv.Itoa(v))
		if err := os.MkdirAll(vdir, 0o755); err != nil {
			return err
		}
		return os.Rename(staged, filepath.Join(vdir, "model.safetensors"))
	}

	started := time.Now()
	serverArgs := []string{"-models", dir, "-addr", "127.0.0.1:0", "-stats", "-poll", rlPoll.String(),
		"-max-in-flight", "64", "-max-tokens", "256"}
	srv := startServer(ctx, t, bin, serverArgs...)
	defer srv.cmd.Process.Kill()
	pid := srv.cmd.Process.Pid
	base := srv.base
	nClients := rlClientsPerModel * len(models)
	hc := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: 2 * nClients, MaxIdleConnsPerHost: 2 * nClients},
	}
	ready := rlWaitReady(ctx, t, hc, base)
	startup := time.Since(started)
	memReady := rlReadMem(pid)

	// Warm up: compile the programs for one row and for a batch, open connections.
	for _, m := range models {
		for k := 0; k < 4; k++ {
			if _, err := rlPredict(ctx, hc, base, m, m.one[k], 1); err != nil {
				t.Fatal(err)
			}
			if _, err := rlPredict(ctx, hc, base, m, m.batch[k], rlBatchRows); err != nil {
				t.Fatal(err)
			}
		}
	}
	memBefore := rlReadMem(pid)

	// Phase 1.
	began := time.Now()
	sampler := rlSampleMem(pid, began, rlMemPeriod)
	var wroteAt time.Duration // when version 2 was renamed into place, since began
	var memAtWrite rlProcMem
	var swapErr error
	var swapWG sync.WaitGroup
	swapWG.Add(1)
	go func() {
		defer swapWG.Done()
		select {
		case <-time.After(rlSwapAt):
		case <-ctx.Done():
			return
		}
		memAtWrite = rlReadMem(pid)
		swapErr = publish(v2, 2)
		wroteAt = time.Since(began)
	}()
	var wg sync.WaitGroup
	for _, m := range models {
		for c := 0; c < rlClientsPerModel; c++ {
			wg.Add(1)
			go func(m *rlModel, c int) {
				defer wg.Done()
				var calls []rlCall
				defer func() { m.calls[c] = calls }()
				for k := c; ctx.Err() == nil && time.Since(began) < rlPhase; k++ {
					if m.sent.Add(1) > rlMaxRequests {
						m.sent.Add(-1)
						return
					}
					body, rows := m.one[k%len(m.one)], 1
					if k%4 == 3 {
						body, rows = m.batch[k%len(m.batch)], rlBatchRows
					}
					t0 := time.Since(began)
					v, err := rlPredict(ctx, hc, base, m, body, rows)
					t1 := time.Since(began)
					if err != nil {
						m.failed.Add(1)
						m.firstErr.CompareAndSwap(nil, err.Error())
						continue
					}
					calls = append(calls, rlCall{t0, t1, rows, v})
				}
			}(m, c)
		}
	}
	wg.Wait()
	elapsed := time.Since(began)
	swapWG.Wait()
	memSamples := sampler.stop()
	memAfter := rlReadMem(pid)
	if ctx.Err() != nil {
		t.Fatalf("the load test ran out of time (%v)", rlTimeout)
	}
	if swapErr != nil {
		t.Fatalf("write version 2: %v", swapErr)
	}

	// The swap: the first version-2 answer, and no version 1 after it.
	firstV2 := time.Duration(-1)
	for _, cs := range swapModel.calls {
		for _, c := range cs {
			if c.version == 2 && (firstV2 < 0 || c.end < firstV2) {
				firstV2 = c.end
			}
		}
	}
	if firstV2 < 0 {
		t.Fatalf("%s never answered with version 2 (written %v into the phase of %v)", rlSwapModel, wroteAt, elapsed)
	}
	v1After, lateV1 := 0, 0
	lastV1 := time.Duration(0)
	for _, cs := range swapModel.calls {
		for _, c := range cs {
			switch {
			case c.version == 1 && c.start > firstV2:
				lateV1++
			case c.version == 1 && c.end > wroteAt:
				v1After++
				lastV1 = max(lastV1, c.end)
			case c.version != 1 && c.version != 2:
				t.Errorf("%s answered with version %d", rlSwapModel, c.version)
			}
		}
	}
	if lateV1 > 0 {
		t.Errorf("%s: %d requests sent after the first version-2 answer were answered by version 1", rlSwapModel, lateV1)
	}
	winFrom, winTo := wroteAt, firstV2+rlSwapTail

	// Phase 1's table.
	var rows [][]string
	totalFailed, answered := 0, 0
	for _, m := range models {
		var all, in, out []time.Duration
		n, nrows := 0, 0
		for _, cs := range m.calls {
			for _, c := range cs {
				d := c.end - c.start
				all = append(all, d)
				if c.start <= winTo && c.end >= winFrom {
					in = append(in, d)
				} else {
					out = append(out, d)
				}
				n++
				nrows += c.rows
				if m != swapModel && c.version != 1 {
					t.Errorf("%s answered with version %d", m.name, c.version)
				}
			}
		}
		failed := int(m.failed.Load())
		totalFailed += failed
		answered += n
		if failed > 0 {
			t.Errorf("%s: %d of %d requests failed, the first: %v", m.name, failed, failed+n, m.firstErr.Load())
		}
		if n == 0 {
			t.Errorf("%s: no request answered", m.name)
		}
		all, in, out = rlSorted(all), rlSorted(in), rlSorted(out)
		dist := func(ds []time.Duration) string {
			return fmt.Sprintf("%d / %s / %s", len(ds), rlMs(rlQuantile(ds, 0.5)), rlMs(rlQuantile(ds, 0.99)))
		}
		rows = append(rows, []string{m.name, m.arch, fmt.Sprintf("%.0f", float64(m.fileBytes)/1024),
			strconv.Itoa(n), strconv.Itoa(nrows), fmt.Sprintf("%.0f", float64(n)/elapsed.Seconds()),
			rlMs(rlQuantile(all, 0.5)), rlMs(rlQuantile(all, 0.99)), rlMs(rlQuantile(all, 1)),
			strconv.Itoa(failed), dist(in), dist(out)})
	}
	phase1 := rlTable([]string{"model", "architecture", "file KiB", "requests", "rows", "req/s", "p50 ms", "p99 ms", "max ms",
		"errors", "swap window: n / p50 / p99 ms", "outside: n / p50 / p99 ms"}, rows)

	// Idle swap: version 3, then POST :reload at once.
	memIdleBefore := rlReadMem(pid)
	if err := publish(v3, 3); err != nil {
		t.Fatal(err)
	}
	wrote3 := time.Now()
	resp, err := hc.Post(base+"/v1/models/"+rlSwapModel+":reload", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	reloaded := time.Since(wrote3)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reload: status %d", resp.StatusCode)
	}
	if v, err := rlPredict(ctx, hc, base, swapModel, swapModel.one[0], 1); err != nil || v != 3 {
		t.Fatalf("after the reload: version %d, %v; want version 3", v, err)
	}
	firstV3 := time.Since(wrote3)
	time.Sleep(time.Second) // let version 2 retire
	memIdleAfter := rlReadMem(pid)

	_, peakWin, _ := rlRSSStats(memSamples, winFrom, winTo)
	meanPhase, peakPhase, nSamples := rlRSSStats(memSamples, 0, elapsed)
	swapTable := rlTable([]string{"swap", "write -> first v2/v3 answer ms", "v1 answers after the write", "last v1 answer after the write ms",
		"RSS at write MiB", "peak RSS in window MiB", "RSS after MiB"}, [][]string{
		{fmt.Sprintf("under load (poll %v), v1 -> v2", rlPoll), rlMs(firstV2 - wroteAt), strconv.Itoa(v1After),
			rlMs(max(lastV1-wroteAt, 0)), rlMiB(memAtWrite.rss), rlMiB(peakWin), rlMiB(memAfter.rss)},
		{"idle, POST :reload right after the write, v2 -> v3", rlMs(firstV3) + " (reload returned " + rlMs(reloaded) + ")", "-", "-",
			rlMiB(memIdleBefore.rss), "-", rlMiB(memIdleAfter.rss)},
	})

	// Phase 2: generation.
	gc, err := client.New(base, client.WithRetries(0, 0), client.WithHTTPClient(&http.Client{
		Transport: &http.Transport{MaxIdleConns: 16, MaxIdleConnsPerHost: 16},
	}))
	if err != nil {
		t.Fatal(err)
	}
	cold := rlGenerate(ctx, gc)
	if cold.err != nil {
		t.Fatalf("the first generation: %v", cold.err)
	}
	reference := cold.text
	memGenBefore := rlReadMem(pid)
	var genRows [][]string
	genFailed, genCount, genTokens := 0, 1, cold.tokens
	for _, lv := range rlGenLevels {
		lvBegan := time.Now()
		gs := rlSampleMem(pid, lvBegan, rlMemPeriod)
		results := make([][]rlGenResult, lv.streams)
		var wg sync.WaitGroup
		for s := 0; s < lv.streams; s++ {
			wg.Add(1)
			go func(s int) {
				defer wg.Done()
				for k := 0; k < lv.rounds && ctx.Err() == nil; k++ {
					results[s] = append(results[s], rlGenerate(ctx, gc))
				}
			}(s)
		}
		wg.Wait()
		lvElapsed := time.Since(lvBegan)
		_, lvPeak, _ := rlRSSStats(gs.stop(), 0, lvElapsed)
		var ttft, sttft, rate []time.Duration // rate: time per token, to sort
		tokens, errs, n := 0, 0, 0
		var firstErr error
		for _, rs := range results {
			for _, r := range rs {
				n++
				if r.err == nil && r.text != reference {
					r.err = fmt.Errorf("text %q, want %q (same prompt and seed)", r.text, reference)
				}
				if r.err != nil {
					errs++
					if firstErr == nil {
						firstErr = r.err
					}
					continue
				}
				tokens += r.tokens
				ttft = append(ttft, r.ttft)
				sttft = append(sttft, r.serverTTFT)
				rate = append(rate, r.dur/time.Duration(r.tokens))
			}
		}
		if n != lv.streams*lv.rounds {
			t.Errorf("%d streams: %d generations of %d", lv.streams, n, lv.streams*lv.rounds)
		}
		if errs > 0 {
			t.Errorf("%d streams: %d of %d generations failed, the first: %v", lv.streams, errs, n, firstErr)
		}
		genFailed += errs
		genCount += n
		genTokens += tokens
		ttft, sttft, rate = rlSorted(ttft), rlSorted(sttft), rlSorted(rate)
		perStream := func(q float64) string {
			d := rlQuantile(rate, q)
			if d <= 0 {
				return "-"
			}
			return fmt.Sprintf("%.0f", float64(time.Second)/float64(d))
		}
		genRows = append(genRows, []string{strconv.Itoa(lv.streams), strconv.Itoa(n), strconv.Itoa(errs),
			rlMs(rlQuantile(ttft, 0.5)), rlMs(rlQuantile(ttft, 0.99)), rlMs(rlQuantile(sttft, 0.5)), rlMs(rlQuantile(sttft, 0.99)),
			perStream(0.5), perStream(0.99), fmt.Sprintf("%.0f", float64(tokens)/lvElapsed.Seconds()), rlMiB(lvPeak)})
	}
	memGenAfter := rlReadMem(pid)

	// The server's own counts must agree with the clients'.
	ms, err := rlMetrics(hc, base)
	if err != nil {
		t.Fatal(err)
	}
	wantPredict := 8*len(models) + answered + 1 // warm-up, phase 1, the check after the reload
	if got := rlSum(ms, "gokeras_serve_requests_total", `endpoint="/v1/models/:predict"`, `code="200"`); got != float64(wantPredict) {
		t.Errorf("/metrics: %v predictions answered 200, the clients got %d", got, wantPredict)
	}
	for _, ep := range []string{":predict", ":generate", ":reload"} {
		if got := rlSum(ms, "gokeras_serve_errors_total", `endpoint="/v1/models/`+ep+`"`); got != 0 {
			t.Errorf("/metrics: %v errors on /v1/models/%s", got, ep)
		}
	}
	if got := rlSum(ms, "gokeras_serve_generate_requests_total", `finish_reason="length"`); got != float64(genCount-genFailed) {
		t.Errorf("/metrics: %v generations ended by length, the clients finished %d", got, genCount-genFailed)
	}
	if got := rlSum(ms, "gokeras_serve_generate_tokens_total"); got != float64(genTokens) {
		t.Errorf("/metrics: %v tokens generated, the clients got %d", got, genTokens)
	}
	genTable := rlTable([]string{"streams", "generations", "errors", "TTFT p50 ms", "TTFT p99 ms", "server TTFT p50 ms", "server TTFT p99 ms",
		"tokens/s per stream p50", "tokens/s per stream (slowest 1%)", "tokens/s all streams", "peak RSS MiB"}, genRows)

	memTable := rlTable([]string{"when", "VmRSS MiB", "VmHWM MiB"}, [][]string{
		{"ready (4 models loaded)", rlMiB(memReady.rss), rlMiB(memReady.hwm)},
		{"before load (after warm-up)", rlMiB(memBefore.rss), rlMiB(memBefore.hwm)},
		{fmt.Sprintf("phase 1, mean of %d samples", nSamples), rlMiB(meanPhase), "-"},
		{"phase 1, peak sample", rlMiB(peakPhase), "-"},
		{"after phase 1", rlMiB(memAfter.rss), rlMiB(memAfter.hwm)},
		{"after the idle swap to v3 (+1 s)", rlMiB(memIdleAfter.rss), rlMiB(memIdleAfter.hwm)},
		{"before phase 2 (after one generation)", rlMiB(memGenBefore.rss), rlMiB(memGenBefore.hwm)},
		{"after phase 2", rlMiB(memGenAfter.rss), rlMiB(memGenAfter.hwm)},
	})

	srv.stop(t)
	logs := srv.stderr.String()
	var modelLog []string
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, " model ") {
			modelLog = append(modelLog, line)
		}
		if strings.Contains(line, "FAILED") || strings.Contains(line, "panic") {
			t.Errorf("server log: %s", line)
		}
	}
	if !strings.Contains(logs, "model "+rlSwapModel+" version 1 retired") {
		t.Errorf("no retirement of %s version 1 in the server's log", rlSwapModel)
	}

	var out strings.Builder
	fmt.Fprintf(&out, "\nMachine: %s.\n", machine)
	fmt.Fprintf(&out, "Server: demo serve %s (workers and batching at their defaults); ready %v after start "+
		"(%v in /readyz polling), language model file %.0f KiB.\n\n",
		strings.Replace(strings.Join(serverArgs, " "), dir, "DIR", 1), startup.Round(time.Millisecond), ready.Round(time.Millisecond), float64(lmBytes)/1024)
	fmt.Fprintf(&out, "Phase 1: %d clients per model (%d in all, keep-alive, on the same cores as the server), every 4th request a batch of %d rows, "+
		"for %.1fs; version 2 of %s written %.1fs in; swap window %s-%s ms (write to first v2 answer + %v). Failed requests: %d.\n\n",
		rlClientsPerModel, nClients, rlBatchRows, elapsed.Seconds(), rlSwapModel, wroteAt.Seconds(), rlMs(winFrom), rlMs(winTo), rlSwapTail, totalFailed)
	out.WriteString(phase1 + "\n" + swapTable + "\n" + memTable)
	fmt.Fprintf(&out, "\nPhase 2: %q, max_tokens %d, seed %d, temperature and top_k at their defaults; the first (cold) generation: TTFT %s ms "+
		"(server %s ms), %d tokens in %s ms. Failed generations: %d.\n\n",
		rlGenPrompt, rlGenTokens, rlGenSeed, rlMs(cold.ttft), rlMs(cold.serverTTFT), cold.tokens, rlMs(cold.dur), genFailed)
	out.WriteString(genTable)
	fmt.Fprintf(&out, "\nServer log (models):\n%s\n", strings.Join(modelLog, "\n"))
	fmt.Print(out.String())
}
