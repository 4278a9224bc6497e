package trainers

import (
	"math"

	"gorgonia.org/tensor"
)

// clipEps is added to norms before dividing, as PyTorch's clip_grad_norm_ does.
const clipEps = 1e-6

// clipGrads applies the configured clipping to grads in place: by value, then per
// tensor by norm, then by the global norm.
func clipGrads(c optConfig, grads []*tensor.Dense) error {
	if c.clipValue > 0 {
		for _, g := range grads {
			switch d := g.Data().(type) {
			case []float32:
				clipValues(d, float32(c.clipValue))
			case []float64:
				clipValues(d, c.clipValue)
			}
		}
	}
	if c.clipNorm > 0 {
		for _, g := range grads {
			if n := math.Sqrt(sumSquares(g)); n > c.clipNorm {
				scale(g, c.clipNorm/(n+clipEps))
			}
		}
	}
	if c.globalClipNorm > 0 {
		var total float64
		for _, g := range grads {
			total += sumSquares(g)
		}
		if n := math.Sqrt(total); n > c.globalClipNorm {
			for _, g := range grads {
				scale(g, c.globalClipNorm/(n+clipEps))
			}
		}
	}
	return nil
}

func clipValues[T float](d []T, v T) {
	for i, x := range d {
		if x > v {
			d[i] = v
		} else if x < -v {
			d[i] = -v
		}
	}
}

func sumSquares(g *tensor.Dense) float64 {
	var s float64
	switch d := g.Data().(type) {
	case []float32:
		for _, x := range d {
			s += float64(x) * float64(x)
		}
	case []float64:
		for _, x := range d {
			s += x * x
		}
	}
	return s
}

func scale(g *tensor.Dense, f float64) {
	switch d := g.Data().(type) {
	case []float32:
		for i := range d {
			d[i] *= float32(f)
		}
	case []float64:
		for i := range d {
			d[i] *= f
		}
	}
}
