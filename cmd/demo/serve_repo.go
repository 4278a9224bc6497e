package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/serving"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
)

// Close stops the model's Predictor: a servingModel is the serving.Servable of
// "demo serve -models".
func (s *servingModel) Close() error { return s.pred.Close() }

// servingLoader loads model files as servingModels for a serving.Repository,
// with the checks and the Predictor options of "demo serve -model".
func servingLoader(opts ...trainers.PredictorOption) serving.Loader {
	return func(path string) (serving.Servable, error) {
		sm, err := loadServingModel(path, opts...)
		if err != nil {
			return nil, err
		}
		return sm, nil
	}
}

// versionInfo is one version in GET /v1/models: its state and, when AVAILABLE,
// its inputs and outputs (as in GET /v1/model).
type versionInfo struct {
	serving.VersionStatus
	Inputs  []inputInfo  `json:"inputs,omitempty"`
	Outputs []outputInfo `json:"outputs,omitempty"`
}

// modelInfo is one model in GET /v1/models and GET /v1/models/NAME.
type modelInfo struct {
	Name     string        `json:"name"`
	Versions []versionInfo `json:"versions"` // highest first
}

// modelsResponse is the answer of GET /v1/models.
type modelsResponse struct {
	Policy string      `json:"policy"`
	Models []modelInfo `json:"models"`
}

// newRepoHandler returns the HTTP API of a model repository ("demo serve
// -models DIR"):
//
//	GET  /v1/models                           every model: its versions, their state (LOADING, AVAILABLE,
//	                                          FAILED with "error"), file, and the inputs and outputs of those AVAILABLE
//	GET  /v1/models/NAME                      one model, likewise
//	GET  /v1/models/NAME/versions/V           one version: {"name", "version", "state", ..., "inputs", "outputs"}
//	POST /v1/models/NAME:predict              the request and answer of POST /v1/predict, from the
//	                                          highest version AVAILABLE; the answer adds "model_name"
//	                                          and "model_version"
//	POST /v1/models/NAME/versions/V:predict   from version V
//	POST /v1/models/NAME:generate             a language model's text, streamed (text/event-stream): the body
//	                                          {"prompt": "...", "max_tokens": 64, "temperature": 0.8, "top_k": 40,
//	                                          "top_p": 0, "seed": 1, "stop": ["..."]} (every field but "prompt"
//	                                          optional, with these defaults; max_tokens at most -max-tokens;
//	                                          temperature 0: greedy; top_p 0: off); one event
//	                                          data: {"text": "PIECE"} per piece of text as it is drawn, then
//	                                          event: done with {"tokens", "seconds", "time_to_first_token",
//	                                          "finish_reason": "length" or "stop"} (a stop string ends the text
//	                                          and is not sent). A model without a tokenizer or not of the GPT
//	                                          shape answers 400; the client leaving stops generation.
//	POST /v1/models/NAME/versions/V:generate  from version V
//	POST /v1/models/NAME:reload               rescan the model's directory now (failed versions too)
//	GET  /healthz                             200 "ok"
//	GET  /readyz                              200 "ready" once every model has a version AVAILABLE, else 503
//	GET  /v1/stats, GET /metrics              as for one model (the predictors' counts summed)
//
// An unknown model or version answers 404, a model or version not AVAILABLE
// (loading, failed) 503 with Retry-After; other errors as newHandler's.
func newRepoHandler(repo *serving.Repository, cfg handlerConfig) *apiServer {
	s := &apiServer{cfg: cfg, mux: http.NewServeMux(), keys: cfg.keys}
	if cfg.maxInFlight > 0 {
		s.slots = make(chan struct{}, cfg.maxInFlight)
	}
	if cfg.token != "" {
		s.tokenSum = sha256.Sum256([]byte(cfg.token))
	}
	s.metrics = newServeMetrics(func() trainers.PredictorStats { return repoStats(repo) }, max(cfg.maxInFlight, 0))
	get := []string{http.MethodGet, http.MethodHead}
	s.mux.HandleFunc("/v1/models", allow(func(w http.ResponseWriter, r *http.Request) {
		resp := modelsResponse{Policy: repo.Policy().String(), Models: []modelInfo{}}
		caller := callerOf(r)
		for _, ms := range repo.Models() {
			if caller != nil && !caller.mayUse(ms.Name) {
				continue
			}
			resp.Models = append(resp.Models, describeModel(repo, ms))
		}
		writeJSON200(w, resp)
	}, get...))
	gen := newGenerateServer(repo, cfg.maxTokens)
	s.mux.HandleFunc("/v1/models/", func(w http.ResponseWriter, r *http.Request) { s.handleModelRoute(w, r, repo, gen) })
	s.mux.HandleFunc("/v1/stats", allow(s.monitoring(func(w http.ResponseWriter, r *http.Request) {
		writeStats(w, repoStats(repo))
	}), get...))
	s.mux.HandleFunc("/metrics", allow(s.monitoring(s.metrics.handler.ServeHTTP), get...))
	s.mux.HandleFunc("/healthz", allow(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok")
	}, get...))
	s.mux.HandleFunc("/readyz", allow(func(w http.ResponseWriter, r *http.Request) {
		if !repo.Ready() {
			if s.keys != nil { // open to every client: name no model
				writeError(w, http.StatusServiceUnavailable, "not ready")
				return
			}
			writeError(w, http.StatusServiceUnavailable, "not ready: "+notReady(repo))
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ready")
	}, get...))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint %s (see /v1/models, /v1/models/NAME:predict, "+
			"/v1/models/NAME/versions/V:predict, /v1/models/NAME:generate, /v1/models/NAME:reload, /healthz, /readyz, /v1/stats, /metrics)", r.URL.Path))
	})
	return s
}

// handleModelRoute serves /v1/models/NAME, NAME:predict, NAME:generate,
// NAME:reload, NAME/versions/V, NAME/versions/V:predict and
// NAME/versions/V:generate.
func (s *apiServer) handleModelRoute(w http.ResponseWriter, r *http.Request, repo *serving.Repository, gen *generateServer) {
	rest := strings.TrimPrefix(r.URL.Path, "/v1/models/")
	action := ""
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		rest, action = rest[:i], rest[i+1:]
	}
	name, version := rest, int64(0)
	if i := strings.Index(rest, "/versions/"); i >= 0 {
		v, err := strconv.ParseInt(rest[i+len("/versions/"):], 10, 64)
		if err != nil || v < 1 {
			writeError(w, http.StatusNotFound, fmt.Sprintf("no such version %q: a version is a positive integer", rest[i+len("/versions/"):]))
			return
		}
		name, version = rest[:i], v
	}
	switch {
	case name == "" || strings.Contains(name, "/"):
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint %s (see /v1/models)", r.URL.Path))
	case action == "" && version == 0:
		allow(func(w http.ResponseWriter, r *http.Request) {
			ms, ok := repo.Model(name)
			if !ok {
				writeError(w, http.StatusNotFound, fmt.Sprintf("no model %q (see GET /v1/models)", name))
				return
			}
			writeJSON200(w, describeModel(repo, ms))
		}, http.MethodGet, http.MethodHead)(w, r)
	case action == "":
		allow(func(w http.ResponseWriter, r *http.Request) { describeVersion(w, repo, name, version) }, http.MethodGet, http.MethodHead)(w, r)
	case action == "predict":
		allow(func(w http.ResponseWriter, r *http.Request) { s.predictModel(w, r, repo, name, version) }, http.MethodPost)(w, r)
	case action == "generate":
		allow(func(w http.ResponseWriter, r *http.Request) { s.generateModel(w, r, gen, name, version) }, http.MethodPost)(w, r)
	case action == "reload" && version == 0:
		allow(func(w http.ResponseWriter, r *http.Request) {
			if err := repo.Reload(name); err != nil {
				repoError(w, err)
				return
			}
			ms, _ := repo.Model(name)
			writeJSON200(w, describeModel(repo, ms))
		}, http.MethodPost)(w, r)
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint %s (see /v1/models)", r.URL.Path))
	}
}

// predictModel answers a prediction of model name, version v (0: the highest
// available). The version is held until the answer is written: a newer version
// swapped in meanwhile does not close it under the request.
func (s *apiServer) predictModel(w http.ResponseWriter, r *http.Request, repo *serving.Repository, name string, v int64) {
	release, ok := s.admit(w)
	if !ok {
		return
	}
	defer release()
	h, err := repo.Get(name, v)
	if err != nil {
		repoError(w, err)
		return
	}
	defer h.Release()
	sm, ok := h.Servable.(*servingModel)
	if !ok {
		writeError(w, http.StatusInternalServerError, fmt.Sprintf("model %q version %d is not a served model", name, h.Version))
		return
	}
	tag := fmt.Appendf(nil, `"model_name":%s,"model_version":%d,`, strconv.Quote(name), h.Version)
	s.predictOn(w, r, sm, tag)
}

// repoError answers a serving error: 404 for an unknown model or version, 503
// with Retry-After for one not available (loading or failed) or a closed
// repository, 500 otherwise.
func repoError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, serving.ErrNotFound):
		writeError(w, http.StatusNotFound, strings.TrimSuffix(err.Error(), ": not found")+": not found (see GET /v1/models)")
	case errors.Is(err, serving.ErrNotAvailable), errors.Is(err, serving.ErrClosed):
		w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
		setErrorKind(w, "unavailable")
		writeError(w, http.StatusServiceUnavailable, err.Error())
	default:
		writeError(w, http.StatusInternalServerError, err.Error())
	}
}
