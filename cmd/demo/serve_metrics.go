package main

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gokeras/gokeras/trainers"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsNamespace prefixes every metric of demo serve.
const metricsNamespace = "gokeras_serve"

// latencyBuckets are the upper bounds, in seconds, of the request latency
// histogram: 100 µs to 30 s, about 2.5x apart.
var latencyBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// rowBuckets are the upper bounds of the rows-per-request histogram: 1 to 65536,
// powers of 4.
var rowBuckets = prometheus.ExponentialBuckets(1, 4, 9)

// tokenRateBuckets are the upper bounds of the tokens-per-second histogram of
// generation: 1 to about 65k, powers of 2.
var tokenRateBuckets = prometheus.ExponentialBuckets(1, 2, 17)

// serveMetrics are the server's Prometheus metrics, in a registry of its own (the
// project keeps no global mutable state, so the client library's default registry
// is not used). GET /metrics writes them in the Prometheus text format.
type serveMetrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec   // endpoint, code
	latency     *prometheus.HistogramVec // endpoint
	errors      *prometheus.CounterVec   // endpoint, kind
	inFlight    prometheus.Gauge         // every endpoint
	predicting  prometheus.Gauge         // /v1/predict requests admitted (see -max-in-flight)
	requestRows prometheus.Histogram
	// generation (POST /v1/models/NAME:generate)
	genRequests        *prometheus.CounterVec // finish_reason
	genTokens          prometheus.Counter
	genTTFT            prometheus.Histogram
	genTokensPerSecond prometheus.Histogram
	handler            http.Handler // GET /metrics
}

// newServeMetrics registers the server's metrics, the predictor's counters (read
// from stats at each scrape: the Predictor's, or the sum over a repository's), the Go runtime's and the process's
// (goroutines, heap, resident memory, open files) in a new registry.
// maxInFlight is published as a gauge (0: no limit).
func newServeMetrics(stats func() trainers.PredictorStats, maxInFlight int) *serveMetrics {
	m := &serveMetrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "requests_total",
			Help: "HTTP requests answered, by endpoint and status code.",
		}, []string{"endpoint", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "request_duration_seconds",
			Help:    "Time from a request's arrival to its answer, by endpoint.",
			Buckets: latencyBuckets,
		}, []string{"endpoint"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "errors_total",
			Help: "Requests answered with an error, by endpoint and kind: bad_request (400), unauthorized (401), " +
				"forbidden (403, outside the API key's scopes), not_found (404), method_not_allowed (405), too_large (413), rate_limited (429, over the API key's rate), internal (500, a failed prediction), " +
				"panic (500, a recovered panic in a handler), overloaded (503, over -max-in-flight), canceled (503, the client left).",
		}, []string{"endpoint", "kind"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "in_flight_requests",
			Help: "HTTP requests being served now, every endpoint.",
		}),
		predicting: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "predict_in_flight_requests",
			Help: "Prediction and generation requests admitted and not answered yet (read, queued or running); at most -max-in-flight.",
		}),
		requestRows: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "request_rows",
			Help:    "Rows per prediction request answered with predictions.",
			Buckets: rowBuckets,
		}),
	}
	m.genRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: metricsNamespace, Subsystem: "generate", Name: "requests_total",
		Help: "Generation requests that ran, by finish reason: length (max_tokens reached), stop (a stop string), canceled (the client left), error.",
	}, []string{"finish_reason"})
	m.genTokens = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: metricsNamespace, Subsystem: "generate", Name: "tokens_total",
		Help: "Tokens generated (drawn), every request.",
	})
	m.genTTFT = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: metricsNamespace, Subsystem: "generate", Name: "time_to_first_token_seconds",
		Help:    "Time from a generation request's arrival to its first token drawn.",
		Buckets: latencyBuckets,
	})
	m.genTokensPerSecond = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: metricsNamespace, Subsystem: "generate", Name: "tokens_per_second",
		Help:    "Tokens per second of each generation request (its tokens over its whole time, prompt included).",
		Buckets: tokenRateBuckets,
	})
	stat := func(name, help string, get func() int) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: metricsNamespace, Subsystem: "predictor", Name: name, Help: help},
			func() float64 { return float64(get()) })
	}
	m.reg.MustRegister(
		m.requests, m.latency, m.errors, m.inFlight, m.predicting, m.requestRows,
		m.genRequests, m.genTokens, m.genTTFT, m.genTokensPerSecond,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "max_in_flight_requests",
			Help: "The limit on prediction requests in flight (-max-in-flight; 0: none).",
		}, func() float64 { return float64(maxInFlight) }),
		stat("requests_total", "Prediction requests the predictor's workers ran (successfully or not).", func() int { return stats().Requests }),
		stat("rows_total", "Rows the predictor ran.", func() int { return stats().Rows }),
		stat("batches_total", "Batches the predictor ran (rows_total / batches_total: rows per batch).", func() int { return stats().Batches }),
		stat("canceled_total", "Prediction requests whose client left while they were queued (not run).", func() int { return stats().Canceled }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
	return m
}

// endpointLabel is the endpoint label of a request path: one of the API's paths,
// or "other" (so that unknown paths cannot grow the number of series).
func endpointLabel(path string) string {
	switch path {
	case "/v1/predict", "/v1/model", "/v1/stats", "/healthz", "/metrics", "/readyz", "/v1/models":
		return path
	}
	if rest, ok := strings.CutPrefix(path, "/v1/models/"); ok { // a model repository's: one label per kind of route
		switch {
		case strings.HasSuffix(rest, ":predict"):
			return "/v1/models/:predict"
		case strings.HasSuffix(rest, ":generate"):
			return "/v1/models/:generate"
		case strings.HasSuffix(rest, ":reload"):
			return "/v1/models/:reload"
		}
		return "/v1/models/NAME"
	}
	return "other"
}

// errorKind is the kind label of an error answer with the given status.
func errorKind(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusTooManyRequests:
		return "rate_limited"
	case http.StatusServiceUnavailable:
		return "overloaded"
	case http.StatusInternalServerError:
		return "internal"
	}
	return strconv.Itoa(status)
}

// observe records one answered request.
func (m *serveMetrics) observe(endpoint string, status int, kind string, took time.Duration) {
	m.requests.WithLabelValues(endpoint, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(endpoint).Observe(took.Seconds())
	if status >= 400 {
		if kind == "" {
			kind = errorKind(status)
		}
		m.errors.WithLabelValues(endpoint, kind).Inc()
	}
}
