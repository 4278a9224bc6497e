package main

import (
	"fmt"
	"time"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/plots"
	"github.com/gokeras/gokeras/report"
	"github.com/gokeras/gokeras/zoo"
	"github.com/pkg/errors"
)

// writePictures writes the learning curves (plotPath) and the HTML report
// (reportPath) of a run; empty paths are skipped.
func writePictures(res *zoo.Result, s zoo.Settings, plotPath, reportPath string) error {
	if plotPath != "" {
		if err := res.History.Plot(plotPath); err != nil {
			return errors.Wrap(err, "plot")
		}
	}
	if reportPath == "" {
		return nil
	}
	conf, err := confusion(res)
	if err != nil {
		return err
	}
	used := res.Settings // the values the run used, defaults filled in
	if used.Epochs == 0 {
		used = s
	}
	r := &report.Report{
		Title:   "gokeras: " + res.Model,
		Summary: res.Summary,
		History: res.History,
		Final:   map[string]map[string]float64{"train": res.Train, "test": res.Test},
		Params: map[string]string{
			"recipe": res.Model, "epochs": fmt.Sprint(res.Epochs), "batch_size": fmt.Sprint(used.BatchSize),
			"learning_rate": fmt.Sprint(used.LR), "seed": fmt.Sprint(used.Seed), "max_epochs": fmt.Sprint(used.Epochs),
			"optimizer": res.Trainer.Optimizer().Name(), "seconds": fmt.Sprintf("%.2f", res.Seconds),
		},
		Confusion: conf,
		Generated: time.Now().UTC(),
	}
	return errors.Wrap(report.Write(reportPath, r), "report")
}

// confusion returns the test confusion matrix of a classifier of one output (a
// model whose metrics include accuracy), with the model's class names when it has
// them, or nil for a regression or a model of several outputs.
func confusion(res *zoo.Result) (*plots.Confusion, error) {
	m := res.TestMulti
	if _, ok := res.Test["accuracy"]; !ok || m == nil || len(m.Targets()) != 1 || m.Len() == 0 {
		return nil, nil
	}
	n := m.Len()
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	xs := make([]*tensor.Dense, len(m.Inputs()))
	for i, sp := range m.Inputs() {
		xs[i] = tensor.New(tensor.Of(sp.DType), tensor.WithShape(append([]int{n}, sp.Shape...)...))
	}
	ysp := m.Targets()[0]
	yt := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(append([]int{n}, ysp.Shape...)...))
	if err := m.GatherMulti(idx, xs, []*tensor.Dense{yt}); err != nil {
		return nil, errors.Wrap(err, "confusion matrix: test data")
	}
	named := make(map[string]*tensor.Dense, len(xs)) // the data's order need not be the model's
	for i, sp := range m.Inputs() {
		named[sp.Name] = xs[i]
	}
	var pred *tensor.Dense
	if len(xs) == 1 { // a Dataset's input may be unnamed
		preds, err := res.Trainer.PredictTensors(xs)
		if err != nil {
			return nil, errors.Wrap(err, "confusion matrix: predict")
		}
		pred = preds[0]
	} else {
		preds, err := res.Trainer.PredictNamed(named)
		if err != nil {
			return nil, errors.Wrap(err, "confusion matrix: predict")
		}
		for _, p := range preds {
			pred = p
		}
	}
	out := toFloats(pred.Data())
	width := len(out) / n
	ys := yt.Data().([]float64)
	yw := len(ys) / n
	truth, guess := make([]int, n), make([]int, n)
	classes := max(width, 2)
	for i := 0; i < n; i++ {
		row := out[i*width : (i+1)*width]
		if width == 1 {
			if row[0] >= 0.5 {
				guess[i] = 1
			}
		} else {
			guess[i] = argmaxFloat(row)
		}
		if yw == 1 {
			truth[i] = int(ys[i])
		} else {
			truth[i] = argmaxFloat(ys[i*yw : (i+1)*yw])
		}
	}
	names := make([]string, classes)
	for i := range names {
		names[i] = fmt.Sprint(i)
	}
	if known, err := layers.ClassNames(res.Trainer.Model()); err == nil && len(known) == classes {
		names = known
	}
	return plots.ConfusionMatrix(truth, guess, names)
}

func toFloats(d interface{}) []float64 {
	switch v := d.(type) {
	case []float64:
		return v
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	}
	return nil
}

func argmaxFloat(row []float64) int {
	best := 0
	for i, v := range row {
		if v > row[best] {
			best = i
		}
	}
	return best
}
