package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunPlotAndReport(t *testing.T) {
	dir := t.TempDir()
	png, html := filepath.Join(dir, "curves.png"), filepath.Join(dir, "report.html")
	var out, errb bytes.Buffer
	if code := run([]string{"run", "iris", "-epochs", "5", "-verbose", "0", "-plot", png, "-report", html}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	b, err := os.ReadFile(png)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("curves: %v, %d bytes", err, len(b))
	}
	h, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"gokeras: iris", "data:image/png;base64,", "Confusion", "Total params", "learning_rate"} {
		if !strings.Contains(string(h), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// TestCSVReportShowsSettingsUsed: demo csv's report on a file with a string
// column and a string target lists the settings the run used (its defaults, not
// zeros) and a confusion matrix with the class names, for a model of several
// inputs.
func TestCSVReportShowsSettingsUsed(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("x,color,label\n")
	for i := 0; i < 80; i++ {
		color, label := "red", "hot"
		if i%2 == 1 {
			color, label = "blue", "cold"
		}
		fmt.Fprintf(&b, "%d,%s,%s\n", i%9, color, label)
	}
	csv := filepath.Join(dir, "t.csv")
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	html, png := filepath.Join(dir, "r.html"), filepath.Join(dir, "c.png")
	code, _, errOut := runDemo("csv", "-file", csv, "-target", "label", "-epochs", "5", "-verbose", "0", "-report", html, "-plot", png)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	h, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<td class="name">batch_size</td><td class="name">32</td>`,
		`<td class="name">learning_rate</td><td class="name">0.003</td>`,
		`<td class="name">seed</td><td class="name">42</td>`,
		"Confusion", "cold", "hot",
	} {
		if !strings.Contains(string(h), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if _, err := os.Stat(png); err != nil {
		t.Error(err)
	}
}
