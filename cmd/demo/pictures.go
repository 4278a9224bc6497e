package main

import (
	"fmt"
	"time"

	"github.com/gokeras/gokeras/datasets"
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
	r := &report.Report{
		Title:   "gokeras: " + res.Model,
		Summary: res.Summary,
		History: res.History,
		Final:   map[string]map[string]float64{"train": res.Train, "test": res.Test},
		Params: map[string]string{
			"recipe": res.Model, "epochs": fmt.Sprint(res.Epochs), "batch_size": fmt.Sprint(s.BatchSize),
			"learning_rate": fmt.Sprint(s.LR), "seed": fmt.Sprint(s.Seed),
			"optimizer": res.Trainer.Optimizer().Name(), "seconds": fmt.Sprintf("%.2f", res.Seconds),
		},
		Confusion: conf,
		Generated: time.Now().UTC(),
	}
	return errors.Wrap(report.Write(reportPath, r), "report")
}

// confusion returns the test confusion matrix of a classifier (a model whose
// metrics include accuracy), or nil for a regression.
func confusion(res *zoo.Result) (*plots.Confusion, error) {
	if _, ok := res.Test["accuracy"]; !ok || res.TestData == nil {
		return nil, nil
	}
	test, err := datasets.Materialize(res.TestData)
	if err != nil {
		return nil, err
	}
	pred, err := res.Trainer.Predict(test.X())
	if err != nil {
		return nil, err
	}
	out := toFloats(pred.Data())
	n := test.Len()
	width := len(out) / n
	ys := test.Y().Data().([]float64)
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
