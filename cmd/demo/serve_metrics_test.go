package main

import (
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads GET /metrics from s's metrics handler (past the access check) and
// parses it with the Prometheus text parser.
func scrape(t *testing.T, s *apiServer) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	s.metrics.handler.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body.String())
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, rec.Body.String())
	}
	return fams
}

// metricValue is the value of the series of family name whose labels include
// labels: a counter's or gauge's value, a histogram's count; -1 when absent.
func metricValue(t *testing.T, s *apiServer, name string, labels map[string]string) float64 {
	t.Helper()
	fam := scrape(t, s)[name]
	if fam == nil {
		return -1
	}
next:
	for _, m := range fam.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// TestMetrics: GET /metrics is the Prometheus text format (the client library's
// parser reads it) and its counters move with the requests: by endpoint and code,
// latencies, rows per request, errors, the predictor's batches and rows, in-flight
// gauges, and the Go runtime's and the process's metrics.
func TestMetrics(t *testing.T) {
	s := newHandler(testServing(t, saveTestModel(t, false)), handlerConfig{maxBody: defaultMaxBody, maxInFlight: 5, stats: true})
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	fams := scrape(t, s)
	for _, name := range []string{
		"gokeras_serve_requests_total", "gokeras_serve_in_flight_requests", "gokeras_serve_predict_in_flight_requests",
		"gokeras_serve_max_in_flight_requests", "gokeras_serve_predictor_batches_total", "gokeras_serve_predictor_rows_total",
		"go_goroutines", "process_resident_memory_bytes",
	} {
		if fams[name] == nil {
			t.Errorf("no %s in /metrics", name)
		}
	}
	if got := metricValue(t, s, "gokeras_serve_max_in_flight_requests", nil); got != 5 {
		t.Errorf("max_in_flight_requests = %v, want 5", got)
	}
	if got := metricValue(t, s, "gokeras_serve_requests_total", map[string]string{"endpoint": "/metrics", "code": "200"}); got != 1 {
		t.Errorf("requests_total{/metrics,200} = %v, want 1", got)
	}

	for i := 0; i < 3; i++ {
		if code, body := postPredict(s, `{"rows": [[1, 2, 3, 4], [5, 6, 7, 8]]}`); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
	}
	postPredict(s, `{"rows": [[1, 2, 3]]}`)
	s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/nowhere/"+strings.Repeat("x", 10), nil))

	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"gokeras_serve_requests_total", map[string]string{"endpoint": "/v1/predict", "code": "200"}, 3},
		{"gokeras_serve_requests_total", map[string]string{"endpoint": "/v1/predict", "code": "400"}, 1},
		{"gokeras_serve_requests_total", map[string]string{"endpoint": "other", "code": "404"}, 1},
		{"gokeras_serve_request_duration_seconds", map[string]string{"endpoint": "/v1/predict"}, 4},
		{"gokeras_serve_request_rows", nil, 3},
		{"gokeras_serve_errors_total", map[string]string{"endpoint": "/v1/predict", "kind": "bad_request"}, 1},
		{"gokeras_serve_errors_total", map[string]string{"endpoint": "other", "kind": "not_found"}, 1},
		{"gokeras_serve_predictor_requests_total", nil, 3},
		{"gokeras_serve_predictor_rows_total", nil, 6},
		{"gokeras_serve_predictor_batches_total", nil, 3},
		{"gokeras_serve_predict_in_flight_requests", nil, 0},
	}
	for _, c := range checks {
		if got := metricValue(t, s, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	rows := scrape(t, s)["gokeras_serve_request_rows"].GetMetric()[0].GetHistogram()
	if rows.GetSampleSum() != 6 {
		t.Errorf("request_rows sum %v, want 6", rows.GetSampleSum())
	}
	// scrape reads the metrics past ServeHTTP: no request is in flight.
	if got := metricValue(t, s, "gokeras_serve_in_flight_requests", nil); got != 0 {
		t.Errorf("in_flight_requests = %v outside any request", got)
	}
}
