package trainers_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/trainers"
)

// sampleHistory is five epochs of loss and accuracy, train and validation.
func sampleHistory() *trainers.History {
	return &trainers.History{
		Epoch: []int{0, 1, 2, 3, 4},
		Metrics: map[string][]float64{
			"loss":         {1.2, 0.8, 0.6, 0.5, 0.45},
			"val_loss":     {1.3, 0.9, 0.7, 0.65, 0.66},
			"accuracy":     {0.5, 0.7, 0.8, 0.85, 0.88},
			"val_accuracy": {0.45, 0.65, 0.75, 0.8, 0.8},
		},
	}
}

// TestHistoryPlotPNGSize: the PNG decodes, is 8 inches wide at 96 dpi and 3 inches
// high per panel (loss and accuracy: two panels), and the options change that.
func TestHistoryPlotPNGSize(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name          string
		hist          *trainers.History
		opts          []trainers.PlotOption
		width, height int
	}{
		{"defaults, two panels", sampleHistory(), nil, 768, 576},
		{"two columns", sampleHistory(), []trainers.PlotOption{trainers.PlotColumns(2)}, 768, 288},
		{"more columns than panels", sampleHistory(), []trainers.PlotOption{trainers.PlotColumns(5)}, 768, 288},
		{"size and dpi", sampleHistory(), []trainers.PlotOption{trainers.PlotSize(5, 2), trainers.PlotDPI(50)}, 250, 200},
		{"loss only", &trainers.History{Epoch: []int{0}, Metrics: map[string][]float64{"loss": {1}}}, nil, 768, 288},
		{"with title", sampleHistory(), []trainers.PlotOption{trainers.PlotTitle("mlp"), nil}, 768, 576},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("h%d.PNG", i))
			if err := c.hist.Plot(path, c.opts...); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != c.width || b.Dy() != c.height {
				t.Errorf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), c.width, c.height)
			}
		})
	}
	// Only the plots are left: no temporary file.
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(cases) {
		t.Errorf("%d files in the folder, want %d", len(entries), len(cases))
	}
}

// TestHistoryPlotSVG: the SVG parses as XML, has an <svg> root, and carries the
// panel titles, the legend and the axis label.
func TestHistoryPlotSVG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.svg")
	if err := sampleHistory().Plot(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var root string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
		case xml.CharData:
			text.Write(tok)
			text.WriteByte(' ')
		}
	}
	if root != "svg" {
		t.Errorf("root element %q, want svg", root)
	}
	for _, want := range []string{"loss", "accuracy", "epoch", "train", "validation"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("SVG text lacks %q", want)
		}
	}
}

// TestHistoryPlotErrors: empty histories and unknown formats are errors, and a
// failed Plot leaves no file behind.
func TestHistoryPlotErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		hist *trainers.History
		file string
		opts []trainers.PlotOption
		want string
	}{
		{"nil history", nil, "a.png", nil, "nil History"},
		{"zero history", &trainers.History{}, "a.png", nil, "empty"},
		{"only empty series", &trainers.History{Metrics: map[string][]float64{"loss": nil}}, "a.png", nil, "empty"},
		{"jpeg", sampleHistory(), "a.jpg", nil, "not supported"},
		{"no extension", sampleHistory(), "plot", nil, "no image format"},
		{"bad size", sampleHistory(), "a.png", []trainers.PlotOption{trainers.PlotSize(0, 3)}, "positive"},
		{"NaN size", sampleHistory(), "a.png", []trainers.PlotOption{trainers.PlotSize(math.NaN(), 3)}, "positive"},
		{"huge size", sampleHistory(), "a.png", []trainers.PlotOption{trainers.PlotSize(1000, 3)}, "over 100"},
		{"bad dpi", sampleHistory(), "a.png", []trainers.PlotOption{trainers.PlotDPI(0)}, "dpi"},
		{"bad columns", sampleHistory(), "a.png", []trainers.PlotOption{trainers.PlotColumns(0)}, "columns"},
		{"missing folder", sampleHistory(), "nope/a.png", nil, "nope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.hist.Plot(filepath.Join(dir, c.file), c.opts...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed plots left %d files", len(entries))
	}
	if err := sampleHistory().WritePlot(io.Discard, "gif"); err == nil {
		t.Error("WritePlot(gif): no error")
	}
}

// TestHistoryPlotOddData: NaN and Inf values are left out, a metric with nothing
// finite still gets its panel, short Epoch slices fall back to 0, 1, ..., a
// validation-only metric is drawn, and a long run is fine.
func TestHistoryPlotOddData(t *testing.T) {
	long := make([]float64, 500)
	for i := range long {
		long[i] = 1 / float64(i+1)
	}
	cases := []struct {
		name string
		hist *trainers.History
	}{
		{"NaN loss", &trainers.History{Epoch: []int{0, 1, 2}, Metrics: map[string][]float64{"loss": {1, math.NaN(), math.Inf(1)}}}},
		{"all NaN", &trainers.History{Epoch: []int{0, 1}, Metrics: map[string][]float64{"loss": {math.NaN(), math.NaN()}, "mae": {1, 2}}}},
		{"no Epoch", &trainers.History{Metrics: map[string][]float64{"loss": {3, 2, 1}}}},
		{"val only", &trainers.History{Metrics: map[string][]float64{"val_loss": {3, 2, 1}}}},
		{"odd name", &trainers.History{Metrics: map[string][]float64{"val_": {1, 2}}}},
		{"long run", &trainers.History{Metrics: map[string][]float64{"loss": long, "lr": long}}},
		{"initial epoch", &trainers.History{Epoch: []int{10, 11, 12}, Metrics: map[string][]float64{"loss": {3, 2, 1}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := c.hist.PlotPNG()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := png.Decode(bytes.NewReader(b)); err != nil {
				t.Fatal(err)
			}
			var svg bytes.Buffer
			if err := c.hist.WritePlot(&svg, ".SVG"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// ExampleHistory_PlotPNG draws the curves of a two-epoch history in memory (a
// notebook would display the bytes) and prints the image size.
func ExampleHistory_PlotPNG() {
	h := &trainers.History{
		Epoch:   []int{0, 1},
		Metrics: map[string][]float64{"loss": {0.9, 0.4}, "val_loss": {1.0, 0.6}},
	}
	b, err := h.PlotPNG()
	if err != nil {
		fmt.Println(err)
		return
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(img.Bounds().Dx(), "x", img.Bounds().Dy())
	// Output: 768 x 288
}
