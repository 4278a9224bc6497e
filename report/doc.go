// Package report writes a training run as one self-contained HTML page: the title,
// the model summary, the learning curves, tables of the final metrics and of the
// hyper-parameters, and optionally a confusion matrix (as a table and as a heat
// map). Images are embedded as base64 PNG data URIs and the style sheet is inline:
// the page loads no external resource, so it can be mailed, archived as a CI
// artifact or opened offline.
//
//	r := &report.Report{
//	    Title:     "MNIST MLP",
//	    Summary:   model.Summary(),
//	    History:   hist,
//	    Final:     map[string]map[string]float64{"test": {"loss": 0.08, "accuracy": 0.975}},
//	    Confusion: cm, // from plots.ConfusionMatrix, optional
//	    Params:    map[string]string{"optimizer": "adam", "lr": "0.001"},
//	    Generated: time.Now(),
//	}
//	err := report.Write("report.html", r)
//
// In a notebook, show the page inline with r.HTML(): display.HTML(s) in
// gophernotes, gonbui.DisplayHTML(s) in GoNB.
//
// The page carries a tiny script that sets data-chart-ok="1" on <body> once every
// chart image has loaded with a non-zero natural width ("0" if one failed, "none" if
// there is no chart): headless browser tests read it from the dumped DOM.
package report
