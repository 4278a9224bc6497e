package explain

import (
	"math"

	"github.com/gokeras/gokeras/internal/tensorvals"

	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// GradCAMResult is what GradCAM returns.
type GradCAMResult struct {
	// Layer is the name of the layer whose feature maps were weighed.
	Layer string
	// Classes is the class explained for each row.
	Classes []int
	// Coarse is, per row, the ReLU of the weighted sum of the layer's feature
	// maps, at the layer's resolution: float64 (N, H', W').
	Coarse *tensor.Dense
	// Heatmaps is Coarse upsampled bilinearly to the input's height and width and
	// divided by its row's maximum (so in [0, 1]; a row whose map is all zero stays
	// zero): float64 (N, H, W).
	Heatmaps *tensor.Dense
}

// GradCAM returns the Grad-CAM map of each row of x (Selvaraju et al. 2017), as
// Keras' Grad-CAM tutorial computes it: with A (N, H', W', C) the output of a
// convolutional layer and g = d score / dA, each channel k is weighed by
// α_k = mean over H'×W' of g[..., k], and the map is ReLU(Σ_k α_k A[..., k]),
// upsampled bilinearly (half-pixel centers) to the input's H×W and scaled to a
// maximum of 1. The layer is WithLayer's (default: the last layer of the model's
// Layers whose output has rank 4, (N, H', W', C): the last convolutional feature
// map). x is (N, H, W, C) or (N, H, W), or flat with WithImageShape. The class is
// the predicted one unless WithClass, its score the logit unless WithProbability.
// Options: WithLayer, WithClass, WithProbability, WithImageShape, WithBatchSize.
func GradCAM(t *trainers.Trainer, x *tensor.Dense, opts ...Option) (*GradCAMResult, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if _, err := prepare(t, x); err != nil {
		return nil, errors.Wrap(err, "grad-cam")
	}
	n, _ := rows(x)
	h, w, _, err := imageGeometry(x.Shape()[1:], c.image)
	if err != nil {
		return nil, errors.Wrap(err, "grad-cam")
	}
	classes, err := c.targetClasses(t, x)
	if err != nil {
		return nil, errors.Wrap(err, "grad-cam")
	}
	lg, err := t.LayerGradients(x, c.layer, c.target(classes...), trainers.BatchSize(c.batch))
	if err != nil {
		return nil, errors.Wrap(err, "grad-cam")
	}
	s := lg.Activations.Shape()
	if len(s) != 4 {
		return nil, errors.Errorf("grad-cam: layer %q gives feature maps of shape %v: want (N, H, W, C)", lg.Layer, s)
	}
	hh, ww, ch := s[1], s[2], s[3]
	as, gs := tensorvals.Floats(lg.Activations), tensorvals.Floats(lg.Gradients)
	coarse := make([]float64, n*hh*ww)
	heat := make([]float64, n*h*w)
	for r := 0; r < n; r++ {
		a, g := as[r*hh*ww*ch:(r+1)*hh*ww*ch], gs[r*hh*ww*ch:(r+1)*hh*ww*ch]
		alpha := make([]float64, ch)
		for p := 0; p < hh*ww; p++ {
			for k := 0; k < ch; k++ {
				alpha[k] += g[p*ch+k] / float64(hh*ww)
			}
		}
		cm := coarse[r*hh*ww : (r+1)*hh*ww]
		for p := range cm {
			v := 0.0
			for k := 0; k < ch; k++ {
				v += alpha[k] * a[p*ch+k]
			}
			cm[p] = math.Max(v, 0)
		}
		up := heat[r*h*w : (r+1)*h*w]
		bilinear(cm, hh, ww, up, h, w)
		if _, hi := minMax(up); hi > 0 {
			for i := range up {
				up[i] /= hi
			}
		}
	}
	return &GradCAMResult{
		Layer:    lg.Layer,
		Classes:  classes,
		Coarse:   tensor.New(tensor.WithShape(n, hh, ww), tensor.WithBacking(coarse)),
		Heatmaps: tensor.New(tensor.WithShape(n, h, w), tensor.WithBacking(heat)),
	}, nil
}

// bilinear resizes src (sh, sw) into dst (dh, dw) by bilinear interpolation with
// half-pixel centers (as tf.image.resize), clamping at the edges.
func bilinear(src []float64, sh, sw int, dst []float64, dh, dw int) {
	coord := func(d, sn, dn int) (i0, i1 int, f float64) {
		p := (float64(d)+0.5)*float64(sn)/float64(dn) - 0.5
		p = math.Max(0, math.Min(p, float64(sn-1)))
		i0 = int(math.Floor(p))
		i1 = min(i0+1, sn-1)
		return i0, i1, p - float64(i0)
	}
	for y := 0; y < dh; y++ {
		y0, y1, fy := coord(y, sh, dh)
		for x := 0; x < dw; x++ {
			x0, x1, fx := coord(x, sw, dw)
			top := src[y0*sw+x0]*(1-fx) + src[y0*sw+x1]*fx
			bot := src[y1*sw+x0]*(1-fx) + src[y1*sw+x1]*fx
			dst[y*dw+x] = top*(1-fy) + bot*fy
		}
	}
}
