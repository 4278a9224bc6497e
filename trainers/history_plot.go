package trainers

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gokeras/gokeras/internal/atomicfile"
	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Defaults of History.Plot, WritePlot and PlotPNG.
const (
	// DefaultPlotWidth is the width of a history plot, in inches.
	DefaultPlotWidth = 8.0
	// DefaultPlotRowHeight is the height of one row of panels, in inches.
	DefaultPlotRowHeight = 3.0
	// DefaultPlotDPI is the resolution of PNG history plots, in dots per inch: the
	// default 8 x 3 inch row is 768 x 288 pixels.
	DefaultPlotDPI = 96
	// DefaultPlotColumns is the number of panels side by side.
	DefaultPlotColumns = 1
)

// PlotOption sets how History.Plot, WritePlot and PlotPNG draw the curves.
type PlotOption interface{ applyPlot(*plotConfig) }

type plotOptionFunc func(*plotConfig)

func (f plotOptionFunc) applyPlot(c *plotConfig) { f(c) }

type plotConfig struct {
	width, rowHeight float64
	dpi              int
	cols             int
	title            string
}

func newPlotConfig(opts []PlotOption) (plotConfig, error) {
	c := plotConfig{width: DefaultPlotWidth, rowHeight: DefaultPlotRowHeight, dpi: DefaultPlotDPI, cols: DefaultPlotColumns}
	for _, o := range opts {
		if o != nil {
			o.applyPlot(&c)
		}
	}
	switch {
	case !(c.width > 0) || !(c.rowHeight > 0) || math.IsInf(c.width, 0) || math.IsInf(c.rowHeight, 0):
		return c, errors.Errorf("history plot: size %gx%g inches must be positive", c.width, c.rowHeight)
	case c.width > 100 || c.rowHeight > 100:
		return c, errors.Errorf("history plot: size %gx%g inches is over 100 inches", c.width, c.rowHeight)
	case c.dpi <= 0 || c.dpi > 600:
		return c, errors.Errorf("history plot: dpi %d must be in 1..600", c.dpi)
	case c.cols <= 0:
		return c, errors.Errorf("history plot: %d columns, want at least 1", c.cols)
	}
	return c, nil
}

// PlotSize sets the width of the whole figure and the height of one row of panels,
// in inches (default DefaultPlotWidth x DefaultPlotRowHeight, 8 x 3). The figure is
// width x rows*rowHeight inches; each at most 100.
func PlotSize(width, rowHeight float64) PlotOption {
	return plotOptionFunc(func(c *plotConfig) { c.width, c.rowHeight = width, rowHeight })
}

// PlotDPI sets the resolution of PNG output (default DefaultPlotDPI, 96; at most
// 600). SVG output is in points and ignores it.
func PlotDPI(dpi int) PlotOption {
	return plotOptionFunc(func(c *plotConfig) { c.dpi = dpi })
}

// PlotColumns sets how many panels are drawn side by side (default
// DefaultPlotColumns, 1: one panel per row).
func PlotColumns(n int) PlotOption {
	return plotOptionFunc(func(c *plotConfig) { c.cols = n })
}

// PlotTitle puts a title above the first panel (default none: each panel is titled
// with its metric name only).
func PlotTitle(title string) PlotOption {
	return plotOptionFunc(func(c *plotConfig) { c.title = title })
}

// Plot draws the learning curves to path, as PNG or SVG chosen by the extension
// (".png" or ".svg", any case; anything else is an error). There is one panel per
// metric ("loss" first, then the others by name), with the training values and the
// validation ones ("val_" + name) on the same panel, a legend, and "epoch" on the x
// axis. The default figure is 8 inches wide and 3 inches high per panel, at 96 dpi
// for PNG (see PlotSize, PlotColumns, PlotDPI, PlotTitle). NaN and infinite values
// (a diverged run) are left out of the curves. The file is written atomically: a
// temporary file beside path is renamed to path. An empty History (no metric with
// a value) is an error.
func (h *History) Plot(path string, opts ...PlotOption) error {
	format, err := plotFormat(strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), "."))
	if err != nil {
		return errors.Wrapf(err, "history plot %s", path)
	}
	// Draw before opening the file, so that an error leaves nothing behind.
	var buf bytes.Buffer
	if err := h.WritePlot(&buf, format, opts...); err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
}

// PlotPNG returns the learning curves of Plot as PNG bytes, for notebooks: in
// gophernotes end a cell with display.PNG(b); in GoNB call gonbui.DisplayPNG(b)
// (package github.com/janpfeifer/gonb/gonbui). Options and defaults are Plot's.
func (h *History) PlotPNG(opts ...PlotOption) ([]byte, error) {
	var buf bytes.Buffer
	if err := h.WritePlot(&buf, "png", opts...); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WritePlot writes the learning curves of Plot to w in format "png" or "svg" (any
// case, with or without a leading dot; anything else is an error). Options and
// defaults are Plot's. An empty History is an error.
func (h *History) WritePlot(w io.Writer, format string, opts ...PlotOption) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("history plot: internal error: %v", r)
		}
	}()
	format, err = plotFormat(strings.TrimPrefix(strings.ToLower(format), "."))
	if err != nil {
		return errors.Wrap(err, "history plot")
	}
	cfg, err := newPlotConfig(opts)
	if err != nil {
		return err
	}
	panels, err := h.panels()
	if err != nil {
		return err
	}
	cols := cfg.cols
	if cols > len(panels) {
		cols = len(panels)
	}
	rows := (len(panels) + cols - 1) / cols
	width := vg.Length(cfg.width) * vg.Inch
	height := vg.Length(cfg.rowHeight*float64(rows)) * vg.Inch
	if cfg.rowHeight*float64(rows) > 100 {
		return errors.Errorf("history plot: %d rows of %g inches is over 100 inches", rows, cfg.rowHeight)
	}

	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
	}
	for i, pn := range panels {
		p, err := pn.plot()
		if err != nil {
			return err
		}
		if i == 0 && cfg.title != "" {
			p.Title.Text = cfg.title + ": " + p.Title.Text
		}
		grid[i/cols][i%cols] = p
	}

	var canvas vg.CanvasWriterTo
	switch format {
	case "png":
		canvas = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(cfg.dpi))}
	default:
		canvas = vgsvg.New(width, height)
	}
	dc := draw.New(canvas)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 6, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(grid, tiles, dc)
	for r := range grid {
		for c, p := range grid[r] {
			if p != nil {
				p.Draw(canvases[r][c])
			}
		}
	}
	if _, err := canvas.WriteTo(w); err != nil {
		return errors.Wrapf(err, "history plot: write %s", format)
	}
	return nil
}

func plotFormat(f string) (string, error) {
	switch f {
	case "png", "svg":
		return f, nil
	case "":
		return "", errors.New("no image format (want .png or .svg)")
	}
	return "", errors.Errorf("image format %q is not supported (want png or svg)", f)
}

// historyPanel is one metric: its training and validation series.
type historyPanel struct {
	name       string
	train, val plotter.XYs
}

// panels groups the metrics by name without "val_": "loss" first, then by name.
func (h *History) panels() ([]historyPanel, error) {
	if h == nil {
		return nil, errors.New("history plot: nil History")
	}
	byName := map[string]*historyPanel{}
	for key, values := range h.Metrics {
		if len(values) == 0 {
			continue
		}
		base := strings.TrimPrefix(key, "val_")
		if base == "" {
			base = key
		}
		pn := byName[base]
		if pn == nil {
			pn = &historyPanel{name: base}
			byName[base] = pn
		}
		xys := h.points(values)
		if key != base {
			pn.val = xys
		} else {
			pn.train = xys
		}
	}
	if len(byName) == 0 {
		return nil, errors.New("history plot: the history is empty (no epoch recorded)")
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "loss") != (names[j] == "loss") {
			return names[i] == "loss"
		}
		return names[i] < names[j]
	})
	out := make([]historyPanel, len(names))
	for i, n := range names {
		out[i] = *byName[n]
	}
	return out, nil
}

// points pairs values with their epochs (h.Epoch, or 0, 1, ... where it is
// shorter), leaving out NaN and infinite values.
func (h *History) points(values []float64) plotter.XYs {
	xys := make(plotter.XYs, 0, len(values))
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		x := float64(i)
		if len(h.Epoch) == len(values) {
			x = float64(h.Epoch[i])
		}
		xys = append(xys, plotter.XY{X: x, Y: v})
	}
	return xys
}

func (pn historyPanel) plot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = pn.name
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = pn.name
	p.X.Tick.Marker = plot.TickerFunc(epochTicks)
	p.Add(plotter.NewGrid())
	series := []struct {
		label  string
		xys    plotter.XYs
		color  color.Color
		dashes []vg.Length
	}{
		// Matplotlib's first two colours: blue, orange.
		{"train", pn.train, color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, nil},
		{"validation", pn.val, color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}, []vg.Length{vg.Points(5), vg.Points(3)}},
	}
	drawn := 0
	for _, s := range series {
		if len(s.xys) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(s.xys)
		if err != nil {
			return nil, errors.Wrapf(err, "history plot: %s %s", pn.name, s.label)
		}
		line.Color = s.color
		line.Width = vg.Points(1.5)
		line.Dashes = s.dashes
		points.Color = s.color
		points.Shape = draw.CircleGlyph{}
		points.Radius = vg.Points(2)
		if len(s.xys) > 40 {
			points.Radius = 0
		}
		p.Add(line, points)
		p.Legend.Add(s.label, line, points)
		drawn++
	}
	if drawn == 0 {
		p.Title.Text = pn.name + " (no finite value)"
	}
	// Keep the legend away from the curves' end: top right for falling curves
	// (losses), bottom right for rising ones (accuracies).
	p.Legend.Top = !rising(pn.train, pn.val)
	return p, nil
}

// rising reports whether the series mostly end above where they start.
func rising(series ...plotter.XYs) bool {
	for _, s := range series {
		if len(s) > 1 {
			return s[len(s)-1].Y > s[0].Y
		}
	}
	return false
}

// epochTicks puts labelled ticks on whole epochs, at a step of 1, 2, 5, 10, 20,
// 50, ... that gives at most ten of them.
func epochTicks(min, max float64) []plot.Tick {
	lo, hi := math.Ceil(min), math.Floor(max)
	if !(hi >= lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	step := 1.0
	for i := 0; (hi-lo)/step > 10 && i < 60; i++ {
		switch m := step / math.Pow(10, math.Floor(math.Log10(step))); {
		case m < 1.5:
			step *= 2
		case m < 3:
			step = step / 2 * 5
		default:
			step *= 2
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f", v)})
	}
	return ticks
}
