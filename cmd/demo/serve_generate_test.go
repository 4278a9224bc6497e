package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gokeras/gokeras/generate"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/text"
	"github.com/gokeras/gokeras/zoo"
)

// tinyGPT is a small untrained character GPT (as tinyLM), with its tokenizer
// attached when withTokenizer.
func tinyGPT(t *testing.T, withTokenizer bool) layers.Model {
	t.Helper()
	tok, err := text.FitChars("Light is a body of rays.", text.CharsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := zoo.NewGPT(zoo.GPTConfig{Vocab: tok.VocabSize(), Context: 16, Layers: 1, Heads: 2, Width: 8})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(layers.WithSeed(5)); err != nil {
		t.Fatal(err)
	}
	if withTokenizer {
		if err := generate.AttachTokenizer(m, tok); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// genServer serves a repository with "lm" (a tiny GPT with its tokenizer),
// "bare" (without one) and "sum" (not a language model), metrics open.
func genServer(t *testing.T, maxTokens int) (*httptest.Server, *apiServer) {
	t.Helper()
	dir := t.TempDir()
	saveVersion(t, dir, "lm", "1", tinyGPT(t, true))
	saveVersion(t, dir, "bare", "1", tinyGPT(t, false))
	saveVersion(t, dir, "sum", "1", trainSum(t, 1))
	repo := openTestRepo(t, dir)
	h := newRepoHandler(repo, handlerConfig{maxBody: 1 << 20, maxTokens: maxTokens, stats: true})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, h
}

// sseEvent is one server-sent event.
type sseEvent struct {
	kind string // "" for a data event
	data string
}

// readEvents reads server-sent events from r until EOF.
func readEvents(r io.Reader) ([]sseEvent, error) {
	var evs []sseEvent
	var ev sseEvent
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			evs = append(evs, ev)
			ev = sseEvent{}
		case strings.HasPrefix(line, "event: "):
			ev.kind = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			ev.data = strings.TrimPrefix(line, "data: ")
		default:
			return evs, fmt.Errorf("unexpected line %q", line)
		}
	}
	return evs, sc.Err()
}

// streamed is a generation as a client reads it.
type streamed struct {
	pieces []string
	text   string
	done   generateDone
}

// generateStream posts body to the generate route of model and reads the stream.
func generateStream(t *testing.T, srv *httptest.Server, model, body string) streamed {
	t.Helper()
	resp, err := srv.Client().Post(srv.URL+"/v1/models/"+model+":generate", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s: %d %s: %s", body, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	evs, err := readEvents(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var s streamed
	for i, ev := range evs {
		switch {
		case ev.kind == "" && i < len(evs)-1:
			var p generatePiece
			if err := json.Unmarshal([]byte(ev.data), &p); err != nil {
				t.Fatalf("event %d %q: %v", i, ev.data, err)
			}
			s.pieces = append(s.pieces, p.Text)
			s.text += p.Text
		case ev.kind == "done" && i == len(evs)-1:
			if err := json.Unmarshal([]byte(ev.data), &s.done); err != nil {
				t.Fatalf("done %q: %v", ev.data, err)
			}
		default:
			t.Fatalf("event %d of %d: %+v", i, len(evs), ev)
		}
	}
	if len(evs) == 0 || evs[len(evs)-1].kind != "done" {
		t.Fatalf("no done event in %+v", evs)
	}
	return s
}

func TestServeGenerateStreamsAndIsSeeded(t *testing.T) {
	srv, _ := genServer(t, 100)
	a := generateStream(t, srv, "lm", `{"prompt": "Light is", "max_tokens": 20, "seed": 3}`)
	if len(a.pieces) != 20 || len([]rune(a.text)) != 20 {
		t.Errorf("%d pieces, text %q: want 20 one-character pieces", len(a.pieces), a.text)
	}
	d := a.done
	if d.Tokens != 20 || d.FinishReason != finishLength || d.TimeToFirstToken <= 0 || d.Seconds < d.TimeToFirstToken {
		t.Errorf("done %+v", d)
	}
	b := generateStream(t, srv, "lm/versions/1", `{"prompt": "Light is", "max_tokens": 20, "seed": 3}`)
	if b.text != a.text {
		t.Errorf("seed 3 twice: %q then %q", a.text, b.text)
	}
	c := generateStream(t, srv, "lm", `{"prompt": "Light is", "max_tokens": 20, "seed": 4}`)
	if c.text == a.text {
		t.Errorf("seeds 3 and 4 gave the same text %q", a.text)
	}
	// Greedy (temperature 0) is the same whatever the seed; defaults: 64 tokens.
	g1 := generateStream(t, srv, "lm", `{"prompt": "Light", "temperature": 0, "seed": 1}`)
	g2 := generateStream(t, srv, "lm", `{"prompt": "Light", "temperature": 0, "seed": 2}`)
	if g1.text != g2.text || g1.done.Tokens != defaultGenTokens {
		t.Errorf("greedy: %q (%d tokens) and %q", g1.text, g1.done.Tokens, g2.text)
	}
}

func TestServeGenerateStopString(t *testing.T) {
	srv, _ := genServer(t, 100)
	full := generateStream(t, srv, "lm", `{"prompt": "Light is", "max_tokens": 40, "seed": 3}`).text
	stop := full[10:12]
	want := full[:strings.Index(full, stop)]
	body := fmt.Sprintf(`{"prompt": "Light is", "max_tokens": 40, "seed": 3, "stop": ["zzzz", %q]}`, stop)
	got := generateStream(t, srv, "lm", body)
	if got.text != want || got.done.FinishReason != finishStop || got.done.Tokens != len(want)+len(stop) {
		t.Errorf("stop %q in %q: got %q, done %+v; want %q and %d tokens", stop, full, got.text, got.done, want, len(want)+len(stop))
	}
	// A stop string that never comes holds nothing back in the end.
	got = generateStream(t, srv, "lm", `{"prompt": "Light is", "max_tokens": 40, "seed": 3, "stop": ["`+full[39:]+`QQ"]}`)
	if got.text != full || got.done.FinishReason != finishLength {
		t.Errorf("unmet stop: %q, %+v; want %q", got.text, got.done, full)
	}
}

// TestSSEStreamHoldsBackStops feeds pieces that split a stop string.
func TestSSEStreamHoldsBackStops(t *testing.T) {
	rec := httptest.NewRecorder()
	st := &sseStream{w: rec, rc: http.NewResponseController(rec), stops: []string{"cde", "xy"}}
	for _, p := range []string{"ab", "c", "d"} {
		if err := st.add(p); err != nil {
			t.Fatal(err)
		}
	}
	if st.sent != 2 {
		t.Errorf("sent %d bytes of %q, want 2 (\"cd\" held back)", st.sent, st.text.String())
	}
	if err := st.add("ef"); err != errStopString {
		t.Fatalf("add: %v, want the stop", err)
	}
	evs, err := readEvents(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].data != `{"text":"ab"}` {
		t.Errorf("events %+v", evs)
	}
	if n := heldBack("abcx", []string{"cde", "xy"}); n != 1 {
		t.Errorf("heldBack: %d, want 1", n)
	}
}

func TestServeGenerateStopsWhenTheClientLeaves(t *testing.T) {
	const n = 200000
	srv, h := genServer(t, n)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", srv.URL+"/v1/models/lm:generate", strings.NewReader(fmt.Sprintf(`{"prompt": "Light", "max_tokens": %d}`, n)))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "data: ") {
		t.Fatalf("first line %q: %v", line, err)
	}
	left := time.Now()
	cancel()
	resp.Body.Close()
	var canceled float64
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if canceled = metricValue(t, h, "gokeras_serve_generate_requests_total", map[string]string{"finish_reason": "canceled"}); canceled == 1 {
			break
		}
	}
	if canceled != 1 {
		t.Fatalf("generation not canceled 20 s after the client left (canceled %v)", canceled)
	}
	tokens := metricValue(t, h, "gokeras_serve_generate_tokens_total", nil)
	t.Logf("stopped %v after the client left, after %.0f tokens", time.Since(left).Round(time.Millisecond), tokens)
	if tokens <= 0 || tokens >= n {
		t.Errorf("%.0f tokens generated, want fewer than %d", tokens, n)
	}
}

func TestServeGenerateErrors(t *testing.T) {
	srv, h := genServer(t, 100)
	for _, tc := range []struct {
		name, method, path, body string
		code                     int
		want                     string
	}{
		{"not a GPT", "POST", "/v1/models/sum:generate", `{"prompt": "a"}`, 400, "cannot generate text"},
		{"no tokenizer", "POST", "/v1/models/bare:generate", `{"prompt": "a"}`, 400, "no tokenizer"},
		{"bad JSON", "POST", "/v1/models/lm:generate", `{"prompt": `, 400, "malformed JSON"},
		{"unknown field", "POST", "/v1/models/lm:generate", `{"prompt": "a", "tokens": 3}`, 400, "unknown field"},
		{"no prompt", "POST", "/v1/models/lm:generate", `{"max_tokens": 3}`, 400, `"prompt" is required`},
		{"over max_tokens", "POST", "/v1/models/lm:generate", `{"prompt": "a", "max_tokens": 101}`, 400, "between 1 and 100"},
		{"zero max_tokens", "POST", "/v1/models/lm:generate", `{"prompt": "a", "max_tokens": 0}`, 400, "between 1 and 100"},
		{"negative temperature", "POST", "/v1/models/lm:generate", `{"prompt": "a", "temperature": -1}`, 400, "temperature"},
		{"bad top_p", "POST", "/v1/models/lm:generate", `{"prompt": "a", "top_p": 2}`, 400, "top_p"},
		{"empty stop", "POST", "/v1/models/lm:generate", `{"prompt": "a", "stop": [""]}`, 400, `"stop"[0]`},
		{"unknown model", "POST", "/v1/models/nope:generate", `{"prompt": "a"}`, 404, "not found"},
		{"unknown version", "POST", "/v1/models/lm/versions/9:generate", `{"prompt": "a"}`, 404, "not found"},
		{"GET", "GET", "/v1/models/lm:generate", "", 405, "not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, a := call(t, srv.Client(), tc.method, srv.URL+tc.path, tc.body)
			if code != tc.code || !strings.Contains(a.Error, tc.want) {
				t.Errorf("%d %q; want %d and %q", code, a.Error, tc.code, tc.want)
			}
		})
	}
	if v := metricValue(t, h, "gokeras_serve_requests_total", map[string]string{"code": "400", "endpoint": "/v1/models/:generate"}); v != 10 {
		t.Errorf("400s of the generate endpoint in /metrics: %v, want 10", v)
	}
}

// TestServeGenerateSpeed measures the tiny model's generation through the
// server (go test -run GenerateSpeed -v prints it) and checks the metrics.
func TestServeGenerateSpeed(t *testing.T) {
	srv, h := genServer(t, 1024)
	const n = 500
	var ttft, rate []float64
	for seed := 1; seed <= 3; seed++ {
		s := generateStream(t, srv, "lm", fmt.Sprintf(`{"prompt": "Light is a body", "max_tokens": %d, "seed": %d}`, n, seed))
		if s.done.Tokens != n {
			t.Fatalf("done %+v", s.done)
		}
		ttft = append(ttft, s.done.TimeToFirstToken*1000)
		rate = append(rate, float64(n)/s.done.Seconds)
	}
	t.Logf("tiny GPT (context 16, 1 block, width 8), %d tokens: time to first token %.2f ms, tokens/s %.0f (3 runs: %.2f ms, %.0f/s)", n, ttft[2], rate[2], ttft, rate)
	if v := metricValue(t, h, "gokeras_serve_generate_requests_total", map[string]string{"finish_reason": "length"}); v != 3 {
		t.Errorf("generate requests in /metrics: %v", v)
	}
	if v := metricValue(t, h, "gokeras_serve_generate_tokens_total", nil); v != 3*n {
		t.Errorf("tokens in /metrics: %v", v)
	}
	for _, name := range []string{"gokeras_serve_generate_time_to_first_token_seconds", "gokeras_serve_generate_tokens_per_second"} {
		if v := metricValue(t, h, name, nil); v != 3 {
			t.Errorf("%s count: %v, want 3", name, v)
		}
	}
}

func TestServeGenerateFlags(t *testing.T) {
	code, _, errOut := runDemo("serve", "-model", "x.safetensors", "-max-tokens", "5")
	if code != exitUsage || !strings.Contains(errOut, "-max-tokens applies to -models only") {
		t.Errorf("exit %d, %q", code, errOut)
	}
	code, _, errOut = runDemo("serve", "-models", t.TempDir(), "-max-tokens", "0")
	if code != exitUsage || !strings.Contains(errOut, "-max-tokens must be between 1 and") {
		t.Errorf("exit %d, %q", code, errOut)
	}
}

// TestServeGenerateOutlastsServerTimeouts streams for longer than the server's
// read and write timeouts: they bound reading the request and each write, not
// the whole stream.
func TestServeGenerateOutlastsServerTimeouts(t *testing.T) {
	const n = 4000
	srv, _ := genServer(t, n)
	srv.Close()
	long := httptest.NewUnstartedServer(srv.Config.Handler)
	long.Config.ReadTimeout, long.Config.WriteTimeout = 150*time.Millisecond, 150*time.Millisecond
	long.Start()
	defer long.Close()
	start := time.Now()
	s := generateStream(t, long, "lm", fmt.Sprintf(`{"prompt": "Light", "max_tokens": %d}`, n))
	took := time.Since(start)
	if s.done.Tokens != n || s.done.FinishReason != finishLength {
		t.Fatalf("done %+v", s.done)
	}
	if took < 300*time.Millisecond {
		t.Skipf("the stream took %v, not longer than the timeouts: nothing tested", took)
	}
	t.Logf("%d tokens streamed in %v past timeouts of 150ms", n, took.Round(time.Millisecond))
}

// TestServeGenerateConcurrent runs requests at once: each gets a Generator of
// its own (from the pool or newly compiled), so the same seed gives the same text.
func TestServeGenerateConcurrent(t *testing.T) {
	srv, _ := genServer(t, 100)
	want := generateStream(t, srv, "lm", `{"prompt": "Light is", "max_tokens": 30, "seed": 7}`).text
	const n = 4
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			resp, err := srv.Client().Post(srv.URL+"/v1/models/lm:generate", "application/json", strings.NewReader(`{"prompt": "Light is", "max_tokens": 30, "seed": 7}`))
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			evs, err := readEvents(resp.Body)
			if err != nil {
				errs <- err
				return
			}
			got := ""
			for _, ev := range evs {
				var p generatePiece
				if ev.kind == "" && json.Unmarshal([]byte(ev.data), &p) == nil {
					got += p.Text
				}
			}
			if got != want {
				errs <- fmt.Errorf("got %q, want %q", got, want)
				return
			}
			errs <- nil
		}()
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestGeneratePoolDroppedWithItsVersion: a pool of Generators lives as long as
// its version's model, not longer.
func TestGeneratePoolDroppedWithItsVersion(t *testing.T) {
	dir := t.TempDir()
	saveVersion(t, dir, "lm", "1", tinyGPT(t, true))
	repo := openTestRepo(t, dir)
	g := newGenerateServer(repo, 0)
	func() {
		h, err := repo.Get("lm", 0)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Release()
		sm := h.Servable.(*servingModel)
		p := g.pool(sm)
		gen, err := p.get(sm)
		if err != nil {
			t.Fatal(err)
		}
		p.put(gen)
		if g.pool(sm) != p {
			t.Fatal("a second pool for the same model")
		}
	}()
	if err := repo.Close(); err != nil {
		t.Fatal(err)
	}
	n := -1
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		runtime.GC()
		g.mu.Lock()
		n = len(g.pools)
		g.mu.Unlock()
		if n == 0 {
			break
		}
	}
	if n != 0 {
		t.Errorf("%d pools left after the version was closed", n)
	}
}
