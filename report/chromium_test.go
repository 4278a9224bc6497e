package report_test

import (
	"bytes"
	"context"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gokeras/gokeras/report"
)

// chromium returns the path of a Chromium binary or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium not on PATH: install it (Debian: apt-get install -y chromium) to render the report in a headless browser")
	return ""
}

// runChromium runs headless Chromium once with a fresh profile and the flags that
// keep it off the network (this machine has none), and returns its stdout.
func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(),
		"--virtual-time-budget=5000",
	}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

func fileURL(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

// TestReportInChromium renders a full report in headless Chromium: the dumped DOM
// must show that the page's script saw every chart image load with a non-zero
// width (data-chart-ok="1") and carry the title; a screenshot must be a PNG of the
// window size. A copy of the page with a corrupt chart must report
// data-chart-ok="0", so the check is not vacuous. Set REPORT_SCREENSHOT=path.png to
// keep the screenshot.
func TestReportInChromium(t *testing.T) {
	bin := chromium(t)
	if testing.Short() {
		t.Skip("-short: skipping the headless browser")
	}
	dir := t.TempDir()
	r := fullReport(t)
	r.Title = "Chromium check: MLP on digits"
	page := filepath.Join(dir, "report.html")
	if err := report.Write(page, r); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	dom := string(runChromium(t, bin, "--dump-dom", fileURL(t, page)))
	t.Logf("chromium --dump-dom took %v", time.Since(start).Round(time.Millisecond))
	if !regexp.MustCompile(`<body[^>]*data-chart-ok="1"`).MatchString(dom) {
		t.Errorf("the charts did not load: body is %q", regexp.MustCompile(`<body[^>]*>`).FindString(dom))
	}
	for _, want := range []string{"<title>Chromium check: MLP on digits</title>", "<h1>Chromium check: MLP on digits</h1>", "Confusion matrix"} {
		if !strings.Contains(dom, want) {
			t.Errorf("DOM lacks %q", want)
		}
	}

	start = time.Now()
	shot := filepath.Join(dir, "shot.png")
	runChromium(t, bin, "--screenshot="+shot, "--window-size=1000,2400", fileURL(t, page))
	t.Logf("chromium --screenshot took %v", time.Since(start).Round(time.Millisecond))
	b, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 {
		t.Fatal("empty screenshot")
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if s := img.Bounds(); s.Dx() != 1000 || s.Dy() != 2400 {
		t.Errorf("screenshot is %v, want 1000x2400", s)
	}
	if keep := os.Getenv("REPORT_SCREENSHOT"); keep != "" {
		if err := os.WriteFile(keep, b, 0o644); err != nil {
			t.Error(err)
		}
	}

	// Negative control: corrupt the curves image.
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	broken := regexp.MustCompile(`(id="curves-img" src="data:image/png;base64,)[^"]+`).ReplaceAll(html, []byte("${1}AAAA"))
	if bytes.Equal(broken, html) {
		t.Fatal("could not find the curves image to corrupt")
	}
	bad := filepath.Join(dir, "broken.html")
	if err := os.WriteFile(bad, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	dom = string(runChromium(t, bin, "--dump-dom", fileURL(t, bad)))
	if !regexp.MustCompile(`<body[^>]*data-chart-ok="0"`).MatchString(dom) {
		t.Errorf("a corrupt chart was not noticed: body is %q", regexp.MustCompile(`<body[^>]*>`).FindString(dom))
	}
}
