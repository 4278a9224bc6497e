package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/zoo"
	"github.com/pkg/errors"
)

// writeReport prints the model summary, the final metrics in a readable form and
// what the recipe is expected to reach.
func writeReport(w io.Writer, res *zoo.Result, expected string) error {
	var b strings.Builder
	b.WriteString(res.Summary)
	if !strings.HasSuffix(res.Summary, "\n") {
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%s: %d epochs in %.2fs\n", res.Model, res.Epochs, res.Seconds)
	fmt.Fprintf(&b, "  train: %s\n", formatLogs(res.Train))
	fmt.Fprintf(&b, "  test:  %s\n", formatLogs(res.Test))
	if len(res.Extra) > 0 {
		fmt.Fprintf(&b, "  extra: %s\n", formatLogs(res.Extra))
	}
	if expected != "" {
		fmt.Fprintf(&b, "  expected: %s\n", expected)
	}
	_, err := io.WriteString(w, b.String())
	return errors.Wrap(err, "write the report")
}

// formatLogs writes "loss 0.0835  mae 0.2513": the loss first, then the other
// names sorted.
func formatLogs(m map[string]float64) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "loss") != (names[j] == "loss") {
			return names[i] == "loss"
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %.4f", k, m[k])
	}
	return strings.Join(parts, "  ")
}

// jsonFloat is a float64 written as a JSON number, or null when it is NaN or
// infinite (which JSON cannot hold).
type jsonFloat float64

// MarshalJSON implements json.Marshaler.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// jsonResult is the JSON line of "demo run -json".
type jsonResult struct {
	Model    string               `json:"model"`
	Epochs   int                  `json:"epochs"`
	Seconds  jsonFloat            `json:"seconds"`
	Train    map[string]jsonFloat `json:"train"`
	Test     map[string]jsonFloat `json:"test"`
	Extra    map[string]jsonFloat `json:"extra,omitempty"`
	Robust   *zoo.Robustness      `json:"robust,omitempty"`
	Backdoor *zoo.Backdoor        `json:"backdoor,omitempty"`
	Privacy  *zoo.Privacy         `json:"privacy,omitempty"`
}

// writeJSON writes res as one JSON object on one line.
func writeJSON(w io.Writer, res *zoo.Result) error {
	line, err := json.Marshal(jsonResult{
		Model:    res.Model,
		Epochs:   res.Epochs,
		Seconds:  jsonFloat(math.Round(res.Seconds*1000) / 1000),
		Train:    jsonFloats(res.Train),
		Test:     jsonFloats(res.Test),
		Extra:    jsonFloats(res.Extra),
		Robust:   res.Robust,
		Backdoor: res.Backdoor,
		Privacy:  res.Privacy,
	})
	if err != nil {
		return errors.Wrap(err, "encode the result as JSON")
	}
	_, err = fmt.Fprintf(w, "%s\n", line)
	return errors.Wrap(err, "write the JSON result")
}

// jsonFloats converts a map of float64 (nil stays nil).
func jsonFloats(m map[string]float64) map[string]jsonFloat {
	if m == nil {
		return nil
	}
	out := make(map[string]jsonFloat, len(m))
	for k, v := range m {
		out[k] = jsonFloat(v)
	}
	return out
}
