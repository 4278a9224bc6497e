package main

import (
	"bytes"
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
