// Package plots draws what a training run is judged by, for files, reports and
// notebooks: a confusion matrix (counts, accuracy, an aligned text table and a heat
// map with the counts in its cells) and a grid of small grayscale images with a
// label under each (misclassified digits, say). The learning curves are drawn by
// trainers.History itself (History.Plot, WritePlot, PlotPNG).
//
// Every picture can be written to a file (atomically: a temporary file beside the
// target is renamed to it), to an io.Writer, or returned as PNG bytes to display in
// a notebook without touching the disk:
//
//	b, err := cm.PNG()
//	display.PNG(b)       // gophernotes: the value of a cell's last expression is shown
//	gonbui.DisplayPNG(b) // GoNB: package github.com/janpfeifer/gonb/gonbui
//
// Neither notebook package is a dependency of this one: it only returns bytes.
//
// Drawing uses gonum.org/v1/plot and its embedded Liberation fonts, so the output
// does not depend on the fonts installed. Nothing here keeps global state; the
// values are safe for concurrent reads once built. No panic escapes the package.
package plots
