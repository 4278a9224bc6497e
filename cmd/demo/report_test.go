package main

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/zoo"
)

func TestFormatLogs(t *testing.T) {
	tests := []struct {
		in   map[string]float64
		want string
	}{
		{map[string]float64{"mae": 0.25, "loss": 0.08349}, "loss 0.0835  mae 0.2500"},
		{map[string]float64{"weight": 3, "bias": 2.5}, "bias 2.5000  weight 3.0000"},
		{nil, ""},
	}
	for _, tc := range tests {
		if got := formatLogs(tc.in); got != tc.want {
			t.Errorf("formatLogs(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	tests := []struct {
		name string
		res  zoo.Result
		want string
	}{
		{"plain", zoo.Result{Model: "m", Epochs: 2, Seconds: 1.23456,
			Train: map[string]float64{"loss": 0.5, "accuracy": 1}, Test: map[string]float64{"loss": 0.25}},
			`{"model":"m","epochs":2,"seconds":1.235,"train":{"accuracy":1,"loss":0.5},"test":{"loss":0.25}}`},
		{"not finite", zoo.Result{Model: "m", Epochs: 1,
			Train: map[string]float64{"loss": math.NaN()}, Test: map[string]float64{"loss": math.Inf(1)},
			Extra: map[string]float64{"weight": 3}},
			`{"model":"m","epochs":1,"seconds":0,"train":{"loss":null},"test":{"loss":null},"extra":{"weight":3}}`},
	}
	for _, tc := range tests {
		var b bytes.Buffer
		if err := writeJSON(&b, &tc.res); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := strings.TrimSuffix(b.String(), "\n"); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}
