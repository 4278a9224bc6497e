package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"weak"

	"github.com/gokeras/gokeras/generate"
	"github.com/gokeras/gokeras/serving"
	"github.com/pkg/errors"
)

// Bounds of POST /v1/models/NAME:generate.
const (
	// defaultMaxTokens is -max-tokens' default: the most tokens one request may ask for.
	defaultMaxTokens = 1024
	// maxServeTokens bounds -max-tokens.
	maxServeTokens = 1 << 20
	// maxStops is the most stop strings a request may give, maxStopBytes the
	// longest one.
	maxStops     = 16
	maxStopBytes = 256
)

// Defaults of a generate request's fields (those of demo generate but the
// number of tokens).
const (
	defaultGenTokens      = 64
	defaultGenTemperature = 0.8
	defaultGenTopK        = 40
	defaultGenSeed        = 1
)

// generateRequest is the body of POST /v1/models/NAME:generate. Pointers tell an
// absent field (its default) from a zero.
type generateRequest struct {
	Prompt      string   `json:"prompt"`
	MaxTokens   *int     `json:"max_tokens"`
	Temperature *float64 `json:"temperature"`
	TopK        *int     `json:"top_k"`
	TopP        float64  `json:"top_p"`
	Seed        *int64   `json:"seed"`
	Stop        []string `json:"stop"`
}

// generatePiece is the data of one text event.
type generatePiece struct {
	Text string `json:"text"`
}

// generateDone is the data of the final "done" event.
type generateDone struct {
	Tokens           int     `json:"tokens"`
	Seconds          float64 `json:"seconds"`
	TimeToFirstToken float64 `json:"time_to_first_token"`
	FinishReason     string  `json:"finish_reason"` // "length" or "stop"
}

// Finish reasons of a generation (the done event's, and the label of the
// generate_requests_total metric with "canceled" and "error").
const (
	finishLength   = "length"
	finishStop     = "stop"
	finishCanceled = "canceled"
	finishError    = "error"
)

// generateServer serves POST /v1/models/NAME:generate for a model repository.
// It keeps a pool of compiled Generators per loaded version (a Generator is not
// safe for concurrent use, and compiling one builds a graph): a pool lives as
// long as its version's servingModel, whose collection drops it.
type generateServer struct {
	repo      *serving.Repository
	maxTokens int // the most tokens a request may ask for

	mu    sync.Mutex
	pools map[weak.Pointer[servingModel]]*genPool
}

// genPool is the idle Generators of one loaded model, or why the model cannot
// generate (no tokenizer, not of the GPT shape): that does not change while the
// version is loaded.
type genPool struct {
	mu     sync.Mutex
	idle   []*generate.Generator
	unfit  error // set once: the model cannot generate
	probed bool  // unfit is known
}

// maxIdleGenerators is the most idle Generators a pool keeps per version.
func maxIdleGenerators() int { return runtime.GOMAXPROCS(0) }

func newGenerateServer(repo *serving.Repository, maxTokens int) *generateServer {
	if maxTokens <= 0 {
		maxTokens = defaultMaxTokens
	}
	return &generateServer{repo: repo, maxTokens: maxTokens, pools: map[weak.Pointer[servingModel]]*genPool{}}
}

// pool returns sm's pool, making it on first use.
func (g *generateServer) pool(sm *servingModel) *genPool {
	key := weak.Make(sm)
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.pools[key]
	if p == nil {
		p = &genPool{}
		g.pools[key] = p
		// The pool must not keep sm alive: it holds the Generators (which hold
		// the model's layers), and is dropped once sm is collected.
		runtime.AddCleanup(sm, func(k weak.Pointer[servingModel]) {
			g.mu.Lock()
			delete(g.pools, k)
			g.mu.Unlock()
		}, key)
	}
	return p
}

// get returns an idle Generator of sm, or compiles one. The error is the
// model's unfitness for generation (a client's error), or a compile failure.
func (p *genPool) get(sm *servingModel) (*generate.Generator, error) {
	p.mu.Lock()
	if p.probed && p.unfit != nil {
		p.mu.Unlock()
		return nil, p.unfit
	}
	if n := len(p.idle); n > 0 {
		gen := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return gen, nil
	}
	p.mu.Unlock()
	// generate.New builds its graph under graph.LockBuild, as the Predictor does.
	gen, err := generate.New(sm.model, nil)
	if err == nil && gen.Tokenizer() == nil {
		err = errors.New("the model has no tokenizer: serve a language model saved with its tokenizer (demo run gpt-opticks -save FILE)")
	}
	if err != nil {
		p.mu.Lock()
		p.unfit, p.probed = err, true
		p.mu.Unlock()
		return nil, err
	}
	p.mu.Lock()
	p.probed = true
	p.mu.Unlock()
	return gen, nil
}

// put gives gen back to the pool (dropped beyond maxIdleGenerators).
func (p *genPool) put(gen *generate.Generator) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) < maxIdleGenerators() {
		p.idle = append(p.idle, gen)
	}
}

// decodeGenerate reads and checks a generate request's body, with defaults set.
// The status is 400 or 413 with the error.
func (g *generateServer) decodeGenerate(body io.Reader, maxBody int64) (req generateRequest, status int, err error) {
	b, err := io.ReadAll(body)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return req, http.StatusRequestEntityTooLarge, errors.Errorf("the body is over the limit of %d bytes", maxBody)
		}
		return req, http.StatusBadRequest, errors.Wrap(err, "read the body")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, http.StatusBadRequest, errors.Errorf(`malformed JSON: %v (want {"prompt": "...", "max_tokens": N, "temperature": F, "top_k": N, "top_p": F, "seed": N, "stop": ["..."]})`, err)
	}
	if dec.More() {
		return req, http.StatusBadRequest, errors.New("malformed JSON: more than one value in the body")
	}
	if req.MaxTokens == nil {
		n := min(defaultGenTokens, g.maxTokens)
		req.MaxTokens = &n
	}
	if req.Temperature == nil {
		t := defaultGenTemperature
		req.Temperature = &t
	}
	if req.TopK == nil {
		k := defaultGenTopK
		req.TopK = &k
	}
	if req.Seed == nil {
		s := int64(defaultGenSeed)
		req.Seed = &s
	}
	bad := func(format string, args ...interface{}) (generateRequest, int, error) {
		return req, http.StatusBadRequest, errors.Errorf(format, args...)
	}
	switch t := *req.Temperature; {
	case req.Prompt == "":
		return bad(`"prompt" is required: the text to continue`)
	case *req.MaxTokens < 1 || *req.MaxTokens > g.maxTokens:
		return bad(`"max_tokens" %d must be between 1 and %d (the server's -max-tokens)`, *req.MaxTokens, g.maxTokens)
	case t < 0 || math.IsInf(t, 0) || math.IsNaN(t):
		return bad(`"temperature" %g must be >= 0 (0: greedy)`, t)
	case *req.TopK < 0:
		return bad(`"top_k" %d must not be negative (0: all tokens)`, *req.TopK)
	case req.TopP < 0 || req.TopP > 1:
		return bad(`"top_p" %g must be in [0, 1] (0: off)`, req.TopP)
	case len(req.Stop) > maxStops:
		return bad(`"stop" has %d strings, at most %d are taken`, len(req.Stop), maxStops)
	}
	for i, s := range req.Stop {
		if s == "" || len(s) > maxStopBytes {
			return bad(`"stop"[%d] has %d bytes, want 1 to %d`, i, len(s), maxStopBytes)
		}
	}
	return req, 0, nil
}

// generateModel answers POST /v1/models/NAME[/versions/V]:generate: a stream of
// server-sent events, one per piece of text as it is drawn, then "done" (see
// newRepoHandler). Errors found before the first event are JSON answers (400,
// 404, 413, 503); after it, an error ends the stream with an "error" event.
// Generation stops when the client leaves (the request's context).
func (s *apiServer) generateModel(w http.ResponseWriter, r *http.Request, g *generateServer, name string, v int64) {
	start := time.Now()
	release, ok := s.admit(w)
	if !ok {
		return
	}
	defer release()
	h, err := g.repo.Get(name, v)
	if err != nil {
		repoError(w, err)
		return
	}
	defer h.Release()
	req, status, err := g.decodeGenerate(http.MaxBytesReader(connWriter(w), r.Body, s.cfg.maxBody), s.cfg.maxBody)
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	sm, ok := h.Servable.(*servingModel)
	if !ok {
		writeError(w, http.StatusInternalServerError, fmt.Sprintf("model %q version %d is not a served model", name, h.Version))
		return
	}
	pool := g.pool(sm)
	gen, err := pool.get(sm)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("model %q version %d cannot generate text: %v", name, h.Version, err))
		return
	}
	tok := gen.Tokenizer()
	ids, err := tok.Encode(req.Prompt)
	if err == nil && len(ids) == 0 {
		err = errors.New("it encodes to no token")
	}
	if err != nil {
		pool.put(gen)
		writeError(w, http.StatusBadRequest, fmt.Sprintf(`"prompt": %v`, err))
		return
	}
	st := &sseStream{w: w, rc: http.NewResponseController(w), stops: req.Stop, header: fmt.Sprintf("%s version %d", name, h.Version)}
	sampling := generate.Sampling{Temperature: *req.Temperature, Greedy: *req.Temperature == 0, TopK: *req.TopK, TopP: req.TopP, Seed: *req.Seed}
	var pending []int // ids that do not decode to whole characters yet
	var ttft time.Duration
	tokens := 0
	_, err = gen.GenerateIDs(r.Context(), ids, *req.MaxTokens, sampling, func(id int) error {
		tokens++
		if tokens == 1 {
			ttft = time.Since(start)
		}
		pending = append(pending, id)
		piece, err := tok.Decode(pending)
		if (err != nil || !utf8.ValidString(piece)) && len(pending) < utf8.UTFMax {
			return nil // a token that ends inside a character waits for the rest of it
		}
		pending = pending[:0]
		return st.add(piece)
	})
	if err == nil && len(pending) > 0 {
		piece, derr := tok.Decode(pending)
		if derr != nil {
			err = errors.Wrap(derr, "decode")
		} else {
			err = st.add(piece)
		}
	}
	reason := finishLength
	switch {
	case err == errStopString:
		reason, err = finishStop, nil
	case err != nil && (r.Context().Err() != nil || st.failed != nil):
		reason = finishCanceled
	case err != nil:
		reason = finishError
	}
	pool.put(gen) // GenerateIDs resets the cache on its next call
	secs := time.Since(start)
	g.observe(s.metrics, reason, tokens, ttft, secs)
	switch reason {
	case finishCanceled:
		if !st.started {
			setErrorKind(w, "canceled")
			writeError(w, http.StatusServiceUnavailable, "generate: the client left")
		}
		return
	case finishError:
		if !st.started {
			writeError(w, http.StatusInternalServerError, "generate: "+err.Error())
			return
		}
		s.logf("generate %s: %v", st.header, err)
		st.event("error", map[string]string{"error": err.Error()})
		return
	}
	if err := st.flushText(); err != nil {
		return
	}
	st.event("done", generateDone{Tokens: tokens, Seconds: secs.Seconds(), TimeToFirstToken: ttft.Seconds(), FinishReason: reason})
}

// observe records one generation in the metrics.
func (g *generateServer) observe(m *serveMetrics, reason string, tokens int, ttft, took time.Duration) {
	m.genRequests.WithLabelValues(reason).Inc()
	m.genTokens.Add(float64(tokens))
	if tokens > 0 {
		m.genTTFT.Observe(ttft.Seconds())
		if took > 0 {
			m.genTokensPerSecond.Observe(float64(tokens) / took.Seconds())
		}
	}
}

// errStopString stops generation when the text reaches a stop string.
var errStopString = errors.New("stop string reached")

// sseStream writes the text of a generation as server-sent events. It holds
// back the end of the text that could begin a stop string, so that a stop
// string is never sent; the headers are written with the first event, so that
// an error before it can still be a JSON answer.
type sseStream struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	header  string // the model and version, for the log
	stops   []string
	text    strings.Builder // every piece drawn
	sent    int             // bytes of text sent
	started bool
	failed  error // a write failed: the client is gone
}

// add appends piece to the text and sends what can be sent: errStopString
// when the text now contains a stop string (the text before it is sent).
func (st *sseStream) add(piece string) error {
	if st.failed != nil {
		return st.failed
	}
	st.text.WriteString(piece)
	all := st.text.String()
	// A stop string cannot begin before st.sent: the text that could begin
	// one is held back.
	end, stop := len(all), false
	for _, s := range st.stops {
		if i := strings.Index(all[st.sent:], s); i >= 0 && st.sent+i < end {
			end, stop = st.sent+i, true
		}
	}
	if !stop {
		end -= heldBack(all[st.sent:], st.stops)
	}
	if end > st.sent {
		if err := st.send(all[st.sent:end]); err != nil {
			return err
		}
		st.sent = end
	}
	if stop {
		st.sent = len(all) // the stop string and what follows are dropped
		return errStopString
	}
	return nil
}

// heldBack is the length of the longest end of s that is the beginning of a
// stop string (but not a whole one).
func heldBack(s string, stops []string) int {
	n := 0
	for _, stop := range stops {
		for k := min(len(stop)-1, len(s)); k > n; k-- {
			if strings.HasSuffix(s, stop[:k]) {
				n = k
				break
			}
		}
	}
	return n
}

// flushText sends the text held back (generation has ended without a stop).
func (st *sseStream) flushText() error {
	all := st.text.String()
	if st.sent < len(all) {
		if err := st.send(all[st.sent:]); err != nil {
			return err
		}
		st.sent = len(all)
	}
	return st.failed
}

// send writes one text event.
func (st *sseStream) send(text string) error {
	return st.event("", generatePiece{Text: text})
}

// event writes one event (kind "" is a plain data event) and flushes it. The
// write deadline is pushed back before each, so that a long stream is not cut
// by the server's write timeout while a stalled client still is.
func (st *sseStream) event(kind string, data interface{}) error {
	if st.failed != nil {
		return st.failed
	}
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if !st.started {
		h := st.w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no")
		st.w.WriteHeader(http.StatusOK)
		st.started = true
	}
	st.rc.SetWriteDeadline(time.Now().Add(writeTimeout)) // not supported: the server's own
	var buf bytes.Buffer
	if kind != "" {
		buf.WriteString("event: " + kind + "\n")
	}
	buf.WriteString("data: ")
	buf.Write(b)
	buf.WriteString("\n\n")
	if _, err := st.w.Write(buf.Bytes()); err != nil {
		st.failed = err
		return err
	}
	if err := st.rc.Flush(); err != nil {
		st.failed = err
		return err
	}
	return nil
}
