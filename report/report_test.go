package report_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gokeras/gokeras/plots"
	"github.com/gokeras/gokeras/report"
	"github.com/gokeras/gokeras/trainers"
)

// fullReport has every section filled.
func fullReport(t testing.TB) *report.Report {
	t.Helper()
	cm, err := plots.ConfusionMatrix([]int{0, 0, 1, 1, 2, 2}, []int{0, 1, 1, 1, 2, 0}, []string{"cat", "dog", "bird"})
	if err != nil {
		t.Fatal(err)
	}
	return &report.Report{
		Title:   "MLP <on> digits & co",
		Summary: "Model: \"sequential\"\n dense (Dense)   (None, 10)   650\n",
		History: &trainers.History{
			Epoch: []int{0, 1, 2},
			Metrics: map[string][]float64{
				"loss": {1, 0.6, 0.4}, "val_loss": {1.1, 0.7, 0.55},
				"accuracy": {0.6, 0.8, 0.9}, "val_accuracy": {0.55, 0.75, 0.85},
			},
		},
		Final: map[string]map[string]float64{
			"test":  {"loss": 0.5, "accuracy": 0.875},
			"train": {"loss": 0.4, "accuracy": 0.9, "epochs": 3},
		},
		Confusion: cm,
		Params:    map[string]string{"optimizer": "adam", "lr": "0.001", "batch_size": "32"},
		Generated: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
	}
}

// TestWriteHTMLPieces: every section is there, the text is escaped, the images
// are PNG data URIs that decode, and nothing points outside the page.
func TestWriteHTMLPieces(t *testing.T) {
	var buf bytes.Buffer
	if err := fullReport(t).WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		"<!DOCTYPE html>",
		"<title>MLP &lt;on&gt; digits &amp; co</title>",
		"<h1>MLP &lt;on&gt; digits &amp; co</h1>",
		"Generated 2025-03-04 05:06:07 UTC",
		"<pre>Model: &#34;sequential&#34;\n dense (Dense)",
		// Hyper-parameters sorted by name.
		`<tr><td class="name">batch_size</td><td class="name">32</td></tr>
<tr><td class="name">lr</td><td class="name">0.001</td></tr>
<tr><td class="name">optimizer</td><td class="name">adam</td></tr>`,
		// Final metrics: loss first, train before test, a dash where a split lacks one.
		`<tr><th class="name">metric</th><th>train</th><th>test</th></tr>`,
		`<tr><td class="name">loss</td><td>0.4</td><td>0.5</td></tr>`,
		`<tr><td class="name">accuracy</td><td>0.9</td><td>0.875</td></tr>`,
		`<tr><td class="name">epochs</td><td>3</td><td>–</td></tr>`,
		// Confusion matrix table with recall and precision.
		`<th class="name">true \ predicted</th><th>cat</th><th>dog</th><th>bird</th>`,
		`class="diag">2</td>`,
		"Accuracy 0.6667 (4 of 6)",
		`<td class="stat">0.500</td>`,
		`id="curves-img"`, `id="confusion-img"`,
		`<style>`, `data-chart-ok`, "naturalWidth",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(strings.ToLower(page), "http") {
		t.Errorf("page has an http URL: %q", regexp.MustCompile(`(?i).{0,40}http.{0,40}`).FindString(page))
	}
	for _, bad := range []string{"<link", "@import", "url(", "ZgotmplZ"} {
		if strings.Contains(page, bad) {
			t.Errorf("page has %q", bad)
		}
	}
	imgs := regexp.MustCompile(`<img class="chart" id="([a-z-]+)" src="data:image/png;base64,([A-Za-z0-9+/=]+)"`).FindAllStringSubmatch(page, -1)
	if len(imgs) != 2 {
		t.Fatalf("%d inline PNG charts, want 2", len(imgs))
	}
	for _, m := range imgs {
		b, err := base64.StdEncoding.DecodeString(m[2])
		if err != nil {
			t.Fatalf("%s: %v", m[1], err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", m[1], err)
		}
		if img.Bounds().Dx() < 300 {
			t.Errorf("%s: %v too small", m[1], img.Bounds())
		}
	}
}

// TestWriteHTMLSections: sections whose data is missing are left out, the default
// title is used, and the output is the same bytes each time.
func TestWriteHTMLSections(t *testing.T) {
	cases := []struct {
		name    string
		r       *report.Report
		want    []string
		notWant []string
	}{
		{
			name:    "empty",
			r:       &report.Report{},
			want:    []string{"<title>Training report</title>"},
			notWant: []string{"<section", "<img", "Generated"},
		},
		{
			name:    "empty history",
			r:       &report.Report{Title: "t", History: &trainers.History{Metrics: map[string][]float64{"loss": nil}}},
			want:    []string{"<title>t</title>"},
			notWant: []string{"curves", "<img"},
		},
		{
			name:    "history only",
			r:       &report.Report{History: &trainers.History{Metrics: map[string][]float64{"loss": {2, 1}}}},
			want:    []string{`id="curves"`, "data:image/png;base64,"},
			notWant: []string{`id="confusion"`, `id="final"`, `id="params"`, `id="summary"`},
		},
		{
			name:    "odd values",
			r:       &report.Report{Final: map[string]map[string]float64{"zeta": {"mae": 1e-7}, "val": {"mae": 2.5}, "x": {}}},
			want:    []string{`<th>val</th><th>zeta</th>`, "<td>2.5</td><td>1e-07</td>"},
			notWant: []string{"<th>x</th>"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := c.r.HTML()
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(s, w) {
					t.Errorf("lacks %q", w)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(s, w) {
					t.Errorf("has %q", w)
				}
			}
			again, _ := c.r.HTML()
			if again != s {
				t.Error("two renderings differ")
			}
		})
	}
	var nilReport *report.Report
	if _, err := nilReport.HTML(); err == nil {
		t.Error("nil report: no error")
	}
	broken := &report.Report{Confusion: &plots.Confusion{Classes: []string{"a"}}}
	if _, err := broken.HTML(); err == nil {
		t.Error("broken confusion matrix: no error")
	}
}

// TestWrite: Write puts the page at path atomically, and leaves nothing when it
// fails.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	r := fullReport(t)
	if err := report.Write(path, r); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := r.HTML()
	if string(got) != want {
		t.Error("file differs from HTML()")
	}
	if err := report.Write(filepath.Join(dir, "bad.html"), nil); err == nil {
		t.Error("nil report: no error")
	}
	if err := report.Write(filepath.Join(dir, "missing", "r.html"), r); err == nil {
		t.Error("missing folder: no error")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files, want 1", len(entries))
	}
}

func ExampleReport_WriteHTML() {
	r := &report.Report{
		Title:  "XOR",
		Final:  map[string]map[string]float64{"train": {"loss": 0.01, "accuracy": 1}},
		Params: map[string]string{"optimizer": "adam"},
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		fmt.Println(err)
		return
	}
	page := buf.String()
	fmt.Println(strings.Contains(page, "<title>XOR</title>"))
	fmt.Println(strings.Contains(page, `<td class="name">accuracy</td><td>1</td>`))
	fmt.Println(strings.Contains(page, "http"))
	// Output:
	// true
	// true
	// false
}
