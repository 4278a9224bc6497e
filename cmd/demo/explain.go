package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/gokeras/gokeras/internal/tensorvals"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/explain"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// explainResult is the JSON line of demo explain.
type explainResult struct {
	Method            string   `json:"method"`
	Index             int      `json:"index"`
	Predicted         int      `json:"predicted"`
	Label             int      `json:"label"`
	CompletenessError *float64 `json:"completeness_error,omitempty"` // ig only
	Layer             string   `json:"layer,omitempty"`              // gradcam only: the layer weighed
	Out               string   `json:"out"`
}

// explainMethods are the values of -method.
var explainMethods = []string{"saliency", "smoothgrad", "ig", "occlusion", "gradcam"}

// explainImage is one test image of a data set: its pixels as the zoo recipes
// feed them (raw: counts 0..16 for digits, bytes 0..255 for MNIST and
// Fashion-MNIST), its geometry and its label.
type explainImage struct {
	pixels  []float64
	h, w, c int
	label   int
}

// explainCmd explains a saved image classifier's prediction for one test image
// as a heat map over the image (PNG).
func explainCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "an image classifier saved by demo run -save (digits, vgg-digits, mnist, ...) (required)")
	data := fs.String("data", "digits", "the data set whose test image to explain: digits, mnist or fashion-mnist")
	index := fs.Int("index", 0, "which image of the test split (0-based)")
	method := fs.String("method", "saliency", "saliency (|gradient|), smoothgrad, ig (integrated gradients from a black image), occlusion or gradcam (a convolutional model)")
	layer := fs.String("layer", "", "gradcam: the layer whose feature maps to weigh (default: the last layer of rank-4 output)")
	out := fs.String("out", "", "the PNG file to write: the heat map over the image (required)")
	asJSON := fs.Bool("json", false, "print one JSON line: method, index, predicted, label, completeness_error (ig), layer (gradcam), out")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: demo explain -model FILE -out F.png [-data digits|mnist|fashion-mnist] [-index N] [-method saliency|smoothgrad|ig|occlusion|gradcam] [-layer NAME] [-json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	known := false
	for _, m := range explainMethods {
		known = known || m == *method
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "demo explain: unexpected arguments %q\n", fs.Args())
		return exitUsage
	case *model == "":
		fmt.Fprintln(stderr, "demo explain: -model is required")
		return exitUsage
	case *out == "":
		fmt.Fprintln(stderr, "demo explain: -out is required")
		return exitUsage
	case !known:
		fmt.Fprintf(stderr, "demo explain: unknown -method %q (valid: saliency, smoothgrad, ig, occlusion, gradcam)\n", *method)
		return exitUsage
	case *layer != "" && *method != "gradcam":
		fmt.Fprintf(stderr, "demo explain: -layer is for -method gradcam, not %s\n", *method)
		return exitUsage
	case *data != "digits" && *data != "mnist" && *data != "fashion-mnist":
		fmt.Fprintf(stderr, "demo explain: unknown -data %q (valid: digits, mnist, fashion-mnist)\n", *data)
		return exitUsage
	case *index < 0:
		fmt.Fprintf(stderr, "demo explain: -index %d must not be negative\n", *index)
		return exitUsage
	}
	res, err := runExplain(ctx, *model, *data, *index, *method, *layer, *out)
	if err != nil {
		fmt.Fprintf(stderr, "demo explain: %s\n", errorText(ctx, err))
		return exitFailure
	}
	if *asJSON {
		b, err := json.Marshal(res)
		if err != nil {
			fmt.Fprintf(stderr, "demo explain: %v\n", err)
			return exitFailure
		}
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	fmt.Fprintf(stdout, "%s of test image %d (label %d, predicted %d) written to %s", res.Method, res.Index, res.Label, res.Predicted, res.Out)
	if res.Layer != "" {
		fmt.Fprintf(stdout, "; layer %s", res.Layer)
	}
	if res.CompletenessError != nil {
		fmt.Fprintf(stdout, "; completeness error %.4f", *res.CompletenessError)
	}
	fmt.Fprintln(stdout)
	return exitOK
}

// runExplain loads the model and the image, explains the predicted class and
// writes the heat map to out. layer is gradcam's (empty: its default).
func runExplain(ctx context.Context, path, data string, index int, method, layer, out string) (*explainResult, error) {
	m, err := layers.Load(path)
	if err != nil {
		return nil, err
	}
	ins := m.Inputs()
	if len(ins) != 1 || len(m.Outputs()) != 1 {
		return nil, errors.Errorf("%s has %d inputs and %d outputs: demo explain takes an image classifier of one input and one output", path, len(ins), len(m.Outputs()))
	}
	img, err := loadExplainImage(data, index)
	if err != nil {
		return nil, err
	}
	if want := product(ins[0].Shape); want != len(img.pixels) {
		return nil, errors.Errorf("the model takes %d values per example (shape %v), a %s image has %d (%dx%dx%d)", want, ins[0].Shape, data, len(img.pixels), img.h, img.w, img.c)
	}
	x := tensor.New(tensor.WithShape(append([]int{1}, ins[0].Shape...)...), tensor.WithBacking(append([]float64(nil), img.pixels...)))
	var sc datasets.StandardScaler
	ok, err := m.Attachment(scalerAttachment, &sc)
	if err != nil {
		return nil, err
	}
	if ok { // the model takes scaled rows: explain those
		flat := tensor.New(tensor.WithShape(1, len(img.pixels)), tensor.WithBacking(append([]float64(nil), img.pixels...)))
		scaled, err := sc.Transform(flat)
		if err != nil {
			return nil, errors.Wrapf(err, "the model's %q attachment", scalerAttachment)
		}
		x = tensor.New(tensor.WithShape(x.Shape().Clone()...), tensor.WithBacking(tensorvals.Floats(scaled)))
	}
	tr, err := trainers.New(m)
	if err != nil {
		return nil, err
	}
	pred, err := explain.PredictedClasses(tr, x)
	if err != nil {
		return nil, err
	}
	res := &explainResult{Method: method, Index: index, Predicted: pred[0], Label: img.label, Out: out}
	var attr *tensor.Dense
	switch method {
	case "saliency":
		attr, err = explain.Saliency(tr, x)
	case "smoothgrad":
		attr, err = explain.SmoothGrad(tr, x)
	case "ig":
		var r *explain.IGResult
		if r, err = explain.IntegratedGradients(tr, x); err == nil {
			attr = r.Attributions
			e := r.CompletenessError[0]
			res.CompletenessError = &e
		}
	case "occlusion":
		patch := max(1, min(img.h, img.w)/8) // 1 on 8x8 digits, 3 on 28x28 images
		attr, err = explain.Occlusion(tr, x, explain.WithImageShape(img.h, img.w, img.c), explain.WithPatch(patch))
	case "gradcam":
		var r *explain.GradCAMResult
		if r, err = explain.GradCAM(tr, x, explain.WithImageShape(img.h, img.w, img.c), explain.WithLayer(layer)); err == nil {
			res.Layer = r.Layer
			attr = perChannel(tensorvals.Floats(r.Heatmaps), img.c)
		}
	}
	if err != nil {
		return nil, err
	}
	scale := max(1, 224/max(img.h, img.w))
	pic, err := explain.Overlay(img.pixels, tensorvals.Floats(attr), img.h, img.w, img.c, scale)
	if err != nil {
		return nil, err
	}
	if err := explain.WritePNG(out, pic); err != nil {
		return nil, err
	}
	return res, nil
}

// perChannel spreads a map of one value per pixel over c channels (each pixel's
// value split evenly), as a tensor of (H·W·C) values in H, W, C order.
func perChannel(heat []float64, c int) *tensor.Dense {
	out := make([]float64, len(heat)*c)
	for p, v := range heat {
		for q := 0; q < c; q++ {
			out[p*c+q] = v / float64(c)
		}
	}
	return tensor.New(tensor.WithShape(len(out)), tensor.WithBacking(out))
}

// loadExplainImage returns test image index of the data set (see
// loadTestImages for the units).
func loadExplainImage(data string, index int) (*explainImage, error) {
	im, err := loadTestImages(data, index+1)
	if err != nil {
		return nil, err
	}
	if index >= im.total {
		return nil, errors.Errorf("-index %d: the %s test split has %d images (0..%d)", index, data, im.total, im.total-1)
	}
	per := im.h * im.w * im.c
	return &explainImage{pixels: im.pixels[index*per : (index+1)*per], h: im.h, w: im.w, c: im.c, label: im.labels[index]}, nil
}
