package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/gokeras/gokeras/audit"
	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/internal/tensorvals"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// auditData are the data sets demo audit takes, in the units the recipes' and
// demo csv's models take them.
var auditData = []string{"digits", "mnist", "fashion-mnist", "iris", "wine", "breast-cancer"}

// auditResult is the JSON line of demo audit -json.
type auditResult struct {
	Model         string  `json:"model"`
	Data          string  `json:"data"`
	Members       int     `json:"members"`
	NonMembers    int     `json:"non_members"`
	AUC           float64 `json:"auc"`
	Advantage     float64 `json:"advantage"`
	Threshold     float64 `json:"threshold"`
	MemberLoss    float64 `json:"member_loss"`
	NonMemberLoss float64 `json:"non_member_loss"`
}

// auditCmd runs a loss-threshold membership-inference attack on a saved model:
// the first -n rows of the data set's training split against the first -n of its
// test split.
func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "a classifier saved by demo run -save or demo csv -save, trained on -data's training split (required)")
	data := fs.String("data", "", "the data set it was trained on: digits, mnist, fashion-mnist, iris, wine or breast-cancer (required)")
	n := fs.Int("n", 1000, "rows of each kind: the first n of the training split (members) and of the test split (non-members), at most the smaller split")
	asJSON := fs.Bool("json", false, "print one JSON line: model, data, members, non_members, auc, advantage, threshold, member_loss, non_member_loss")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: demo audit -model F -data digits|mnist|fashion-mnist|iris|wine|breast-cancer [-n 1000] [-json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	known := false
	for _, d := range auditData {
		known = known || d == *data
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "demo audit: unexpected arguments %q\n", fs.Args())
		return exitUsage
	case *model == "":
		fmt.Fprintln(stderr, "demo audit: -model is required")
		return exitUsage
	case !known:
		fmt.Fprintf(stderr, "demo audit: -data %q: want one of digits, mnist, fashion-mnist, iris, wine, breast-cancer\n", *data)
		return exitUsage
	case *n < 1:
		fmt.Fprintf(stderr, "demo audit: -n %d must be at least 1\n", *n)
		return exitUsage
	}
	res, err := runAudit(*model, *data, *n)
	if err != nil {
		fmt.Fprintf(stderr, "demo audit: %s\n", errorText(ctx, err))
		return exitFailure
	}
	if *asJSON {
		b, err := json.Marshal(res)
		if err != nil {
			fmt.Fprintf(stderr, "demo audit: %v\n", err)
			return exitFailure
		}
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	fmt.Fprintf(stdout, "membership inference on %s (%s): %d training rows against %d test rows\n", res.Model, res.Data, res.Members, res.NonMembers)
	fmt.Fprintf(stdout, "mean loss: members %.4f, non-members %.4f\n", res.MemberLoss, res.NonMemberLoss)
	fmt.Fprintf(stdout, "attack AUC %.3f (0.5: nothing leaks), advantage %.3f (TPR - FPR at loss <= %.4g)\n", res.AUC, res.Advantage, res.Threshold)
	return exitOK
}

// runAudit loads the model (with the loss it was trained with; a model file
// without a trainer gets sparse_categorical_crossentropy, or binary_crossentropy
// for one output value) and attacks it.
func runAudit(path, data string, n int) (*auditResult, error) {
	tr, err := trainers.Load(path)
	if err != nil || len(tr.LossNames()) != 1 || tr.LossNames()[0] == "" {
		m, err := layers.Load(path) // a model file without training state
		if err != nil {
			return nil, err
		}
		loss := "sparse_categorical_crossentropy"
		if outs := m.Outputs(); len(outs) == 1 && product(outs[0].Shape) == 1 {
			loss = "binary_crossentropy"
		}
		if tr, err = trainers.New(m, trainers.WithLoss(loss)); err != nil {
			return nil, err
		}
	}
	xIn, yIn, err := auditRows(tr.Model(), data, true, n)
	if err != nil {
		return nil, err
	}
	xOut, yOut, err := auditRows(tr.Model(), data, false, n)
	if err != nil {
		return nil, err
	}
	if k := min(xIn.Shape()[0], xOut.Shape()[0]); k < n { // as many of each kind
		if xIn, yIn, err = firstRows(xIn, yIn, k); err != nil {
			return nil, err
		}
		if xOut, yOut, err = firstRows(xOut, yOut, k); err != nil {
			return nil, err
		}
	}
	r, err := audit.MembershipInference(tr, xIn, yIn, xOut, yOut, trainers.BatchSize(256))
	if err != nil {
		return nil, err
	}
	return &auditResult{Model: path, Data: data, Members: r.Members, NonMembers: r.NonMembers, AUC: r.AUC, Advantage: r.Advantage,
		Threshold: r.Threshold, MemberLoss: r.MemberLoss, NonMemberLoss: r.NonMemberLoss}, nil
}

// auditRows returns the first n rows of a split (train or test) of the data set,
// shaped for the model's one input.
func auditRows(m layers.Model, data string, train bool, n int) (x, y *tensor.Dense, err error) {
	ins := m.Inputs()
	if len(ins) != 1 {
		return nil, nil, errors.Errorf("the model has %d inputs: demo audit takes a model of one input", len(ins))
	}
	var vals []float64
	var labels []float64
	switch data {
	case "digits", "mnist", "fashion-mnist":
		im, err := loadImages(data, train, n)
		if err != nil {
			return nil, nil, err
		}
		vals = im.pixels
		for _, l := range im.labels {
			labels = append(labels, float64(l))
		}
	default:
		load := map[string]func() (*datasets.Split, error){"iris": datasets.Iris, "wine": datasets.Wine, "breast-cancer": datasets.BreastCancer}[data]
		s, err := load()
		if err != nil {
			return nil, nil, err
		}
		d := s.Test
		if train {
			d = s.Train
		}
		k := min(n, d.Len())
		all, ys := tensorvals.Floats(d.X()), tensorvals.Floats(d.Y())
		per := len(all) / d.Len()
		vals, labels = all[:k*per], ys[:k]
	}
	rows := len(labels)
	per := product(ins[0].Shape)
	if rows == 0 || len(vals) != rows*per {
		return nil, nil, errors.Errorf("the model takes %d values per example (shape %v), a %s row has %d", per, ins[0].Shape, data, len(vals)/max(rows, 1))
	}
	x = tensor.New(tensor.WithShape(append([]int{rows}, ins[0].Shape...)...), tensor.WithBacking(append([]float64(nil), vals...)))
	y = tensor.New(tensor.WithShape(rows, 1), tensor.WithBacking(append([]float64(nil), labels...)))
	return x, y, nil
}

// firstRows returns the first k rows of x and y, copied.
func firstRows(x, y *tensor.Dense, k int) (*tensor.Dense, *tensor.Dense, error) {
	xs, err := x.Slice(tensor.S(0, k))
	if err != nil {
		return nil, nil, errors.Wrap(err, "rows")
	}
	ys, err := y.Slice(tensor.S(0, k))
	if err != nil {
		return nil, nil, errors.Wrap(err, "rows")
	}
	return xs.(*tensor.Dense).Materialize().(*tensor.Dense), ys.(*tensor.Dense).Materialize().(*tensor.Dense), nil
}
