package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"time"

	"github.com/gokeras/gokeras/internal/atomicfile"
	"github.com/gokeras/gokeras/plots"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
)

// DefaultTitle is the page title of a Report whose Title is empty.
const DefaultTitle = "Training report"

// Report is what one training run is summed up by. Every field is optional; a
// section whose data is missing is left out of the page.
type Report struct {
	// Title heads the page and names it in the browser (default DefaultTitle).
	Title string
	// Summary is the model's summary (layers.Sequential.Summary), shown as is in a
	// <pre> block.
	Summary string
	// History holds the learning curves, drawn as by History.Plot with its default
	// size (8 x 3 inches per metric, 96 dpi). A nil or empty History leaves the
	// curves out.
	History *trainers.History
	// Final maps a split ("train", "validation", "test", ...) to metric values:
	// one table, a row per metric ("loss" first, then by name), a column per split
	// ("train", "validation", "val", "test" in that order, then others by name).
	Final map[string]map[string]float64
	// Confusion is shown as a table (true classes down, predicted across, with
	// recall per row and precision per column) and as a heat map.
	Confusion *plots.Confusion
	// Params are the hyper-parameters, shown sorted by name.
	Params map[string]string
	// Generated is when the report was made; the zero time leaves it out (so that
	// the same report gives the same bytes).
	Generated time.Time
}

// Write renders r to path as one self-contained HTML page (see WriteHTML),
// atomically: a temporary file beside path is renamed to path, and nothing is
// written when rendering fails.
func Write(path string, r *Report) error {
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return errors.Wrap(err, "report")
	})
}

// HTML returns the page of WriteHTML as a string, for notebooks: display.HTML(s)
// in gophernotes, gonbui.DisplayHTML(s) in GoNB.
func (r *Report) HTML() (string, error) {
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// WriteHTML writes the report to w as one HTML5 page with no external resource:
// images are base64 PNG data URIs, the style sheet and a small script are inline.
// Text is HTML-escaped. Sections: title and date, hyper-parameters, final metrics,
// learning curves, confusion matrix, model summary; each only when its field is
// set. A nil Report is an error, as is a Confusion whose counts do not match its
// classes.
func (r *Report) WriteHTML(w io.Writer) error {
	if r == nil {
		return errors.New("report: nil Report")
	}
	page, err := r.page()
	if err != nil {
		return err
	}
	tmpl, err := template.New("report").Parse(pageHTML)
	if err != nil {
		return errors.Wrap(err, "report: parse the page template")
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, page); err != nil {
		return errors.Wrap(err, "report: render HTML")
	}
	_, err = w.Write(buf.Bytes())
	return errors.Wrap(err, "report: write HTML")
}

// page is what the template draws: everything computed and formatted.
type page struct {
	Title     string
	Generated string
	Summary   string
	Params    [][2]string
	Splits    []string
	Metrics   []metricRow
	Curves    template.HTMLAttr
	Confusion *confusionTable
}

type metricRow struct {
	Name   string
	Values []string
}

type confusionTable struct {
	Classes  []string
	Rows     []confusionRow
	Prec     []string
	Accuracy string
	Heat     template.HTMLAttr
}

type confusionRow struct {
	Class  string
	Cells  []confusionCell
	Recall string
}

type confusionCell struct {
	Count int
	Style template.CSS
	Diag  bool
}

func (r *Report) page() (*page, error) {
	p := &page{Title: r.Title, Summary: r.Summary}
	if p.Title == "" {
		p.Title = DefaultTitle
	}
	if !r.Generated.IsZero() {
		p.Generated = r.Generated.Format("2006-01-02 15:04:05 MST")
	}
	for _, k := range sortedKeys(r.Params) {
		p.Params = append(p.Params, [2]string{k, r.Params[k]})
	}
	p.Splits, p.Metrics = finalTable(r.Final)
	if hasValues(r.History) {
		b, err := r.History.PlotPNG()
		if err != nil {
			return nil, errors.Wrap(err, "report: learning curves")
		}
		p.Curves = srcPNG(b)
	}
	if r.Confusion != nil {
		ct, err := confusion(r.Confusion)
		if err != nil {
			return nil, errors.Wrap(err, "report")
		}
		p.Confusion = ct
	}
	return p, nil
}

// hasValues reports whether h has a value to draw.
func hasValues(h *trainers.History) bool {
	if h == nil {
		return false
	}
	for _, v := range h.Metrics {
		if len(v) > 0 {
			return true
		}
	}
	return false
}

// srcPNG is an img src attribute holding png as a data URI. Base64 needs no
// escaping inside a quoted attribute; passing the whole attribute keeps
// html/template from writing every "+" as "&#43;".
func srcPNG(png []byte) template.HTMLAttr {
	return template.HTMLAttr(`src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(png) + `"`)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// finalTable orders the splits and metrics of Final and formats the values.
func finalTable(final map[string]map[string]float64) ([]string, []metricRow) {
	rank := map[string]int{"train": 0, "validation": 1, "val": 2, "test": 3}
	var splits []string
	names := map[string]bool{}
	for s, m := range final {
		if len(m) == 0 {
			continue
		}
		splits = append(splits, s)
		for n := range m {
			names[n] = true
		}
	}
	sort.Slice(splits, func(i, j int) bool {
		ri, oki := rank[splits[i]]
		rj, okj := rank[splits[j]]
		switch {
		case oki && okj:
			return ri < rj
		case oki != okj:
			return oki
		}
		return splits[i] < splits[j]
	})
	var metrics []string
	for n := range names {
		metrics = append(metrics, n)
	}
	sort.Slice(metrics, func(i, j int) bool {
		if (metrics[i] == "loss") != (metrics[j] == "loss") {
			return metrics[i] == "loss"
		}
		return metrics[i] < metrics[j]
	})
	rows := make([]metricRow, len(metrics))
	for i, n := range metrics {
		rows[i].Name = n
		for _, s := range splits {
			v, ok := final[s][n]
			rows[i].Values = append(rows[i].Values, formatValue(v, ok))
		}
	}
	return splits, rows
}

func formatValue(v float64, ok bool) string {
	switch {
	case !ok:
		return "–"
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Sprint(v)
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.4g", v)
}

// confusion formats the matrix as a table with shaded cells and draws its heat map.
func confusion(c *plots.Confusion) (*confusionTable, error) {
	heat, err := c.PNG()
	if err != nil {
		return nil, err
	}
	t := &confusionTable{
		Classes:  c.Classes,
		Accuracy: fmt.Sprintf("%.4f (%d of %d)", c.Accuracy(), c.Correct, c.Total),
		Heat:     srcPNG(heat),
	}
	most := 0
	for _, row := range c.Counts {
		for _, v := range row {
			most = max(most, v)
		}
	}
	for i, row := range c.Counts {
		cr := confusionRow{Class: c.Classes[i], Recall: fmt.Sprintf("%.3f", c.Recall(i))}
		for j, v := range row {
			f := 0.0
			if most > 0 {
				f = float64(v) / float64(most)
			}
			style := fmt.Sprintf("background-color: rgba(8, 48, 107, %.3f)", 0.05+0.95*f)
			if f > 0.5 {
				style += "; color: #fff"
			}
			cr.Cells = append(cr.Cells, confusionCell{Count: v, Style: template.CSS(style), Diag: i == j})
		}
		t.Rows = append(t.Rows, cr)
	}
	for j := range c.Classes {
		t.Prec = append(t.Prec, fmt.Sprintf("%.3f", c.Precision(j)))
	}
	return t, nil
}

// pageHTML is the page; WriteHTML parses it on every call, so that the package
// keeps no global state.
const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1b1f24; background: #fff; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
.generated { color: #57606a; font-size: .9rem; margin: 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: right; }
th { background: #f6f8fa; }
th.name, td.name { text-align: left; }
table.confusion td.diag { font-weight: bold; }
td.stat, th.stat { background: #f6f8fa; color: #57606a; }
img.chart { display: block; max-width: 100%; height: auto; margin: .5rem 0; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; padding: .75rem; overflow-x: auto; font-size: .85rem; }
.caption { color: #57606a; font-size: .9rem; }
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
{{if .Generated}}<p class="generated">Generated {{.Generated}}</p>
{{end}}
{{- if .Params}}
<section id="params">
<h2>Hyper-parameters</h2>
<table>
<tr><th class="name">name</th><th class="name">value</th></tr>
{{range .Params}}<tr><td class="name">{{index . 0}}</td><td class="name">{{index . 1}}</td></tr>
{{end}}</table>
</section>
{{- end}}
{{- if .Metrics}}
<section id="final">
<h2>Final metrics</h2>
<table>
<tr><th class="name">metric</th>{{range .Splits}}<th>{{.}}</th>{{end}}</tr>
{{range .Metrics}}<tr><td class="name">{{.Name}}</td>{{range .Values}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
</section>
{{- end}}
{{- if .Curves}}
<section id="curves">
<h2>Learning curves</h2>
<img class="chart" id="curves-img" {{.Curves}} alt="learning curves: loss and metrics per epoch, training and validation">
</section>
{{- end}}
{{- with .Confusion}}
<section id="confusion">
<h2>Confusion matrix</h2>
<p class="caption">Rows: true class; columns: predicted class. Accuracy {{.Accuracy}}.</p>
<table class="confusion">
<tr><th class="name">true \ predicted</th>{{range .Classes}}<th>{{.}}</th>{{end}}<th class="stat">recall</th></tr>
{{range .Rows}}<tr><th class="name">{{.Class}}</th>{{range .Cells}}<td style="{{.Style}}"{{if .Diag}} class="diag"{{end}}>{{.Count}}</td>{{end}}<td class="stat">{{.Recall}}</td></tr>
{{end}}<tr><th class="name stat">precision</th>{{range .Prec}}<td class="stat">{{.}}</td>{{end}}<td class="stat"></td></tr>
</table>
<img class="chart" id="confusion-img" {{.Heat}} alt="confusion matrix heat map">
</section>
{{- end}}
{{- if .Summary}}
<section id="summary">
<h2>Model</h2>
<pre>{{.Summary}}</pre>
</section>
{{- end}}
</main>
<script>
(function () {
  var imgs = document.querySelectorAll("img.chart");
  var body = document.body;
  if (imgs.length === 0) { body.setAttribute("data-chart-ok", "none"); return; }
  var left = imgs.length;
  function done(img) {
    if (!(img.naturalWidth > 0)) { body.setAttribute("data-chart-ok", "0"); return; }
    left--;
    if (left === 0 && body.getAttribute("data-chart-ok") !== "0") { body.setAttribute("data-chart-ok", "1"); }
  }
  for (var i = 0; i < imgs.length; i++) {
    var img = imgs[i];
    if (img.complete) { done(img); continue; }
    img.addEventListener("load", function (e) { done(e.target); });
    img.addEventListener("error", function () { body.setAttribute("data-chart-ok", "0"); });
  }
})();
</script>
</body>
</html>
`
