package graph

import (
	"fmt"
	"math/rand"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dropout zeroes each element of x with probability rate and scales the others by
// 1/(1-rate), in Train mode; in Infer mode (or at rate 0) it returns x unchanged.
// The mask is a feed of the graph, drawn from the seeded source given to FillFeeds
// before each run; its gradient is the same mask. rate must be in [0, 1).
func (g *Graph) Dropout(x *G.Node, rate float64) (*G.Node, error) {
	if rate < 0 || rate >= 1 {
		return nil, errors.Errorf("dropout: rate %g must be in [0, 1)", rate)
	}
	if g.mode == Infer || rate == 0 {
		return x, nil
	}
	keep := 1 - rate
	scale := 1 / keep
	mask, err := g.AddFeed(fmt.Sprintf("dropout_mask_%d", len(g.feeds)), x.Shape().Clone(), func(rng *rand.Rand, dst *tensor.Dense) {
		switch d := dst.Data().(type) {
		case []float32:
			for i := range d {
				d[i] = 0
				if rng.Float64() < keep {
					d[i] = float32(scale)
				}
			}
		case []float64:
			for i := range d {
				d[i] = 0
				if rng.Float64() < keep {
					d[i] = scale
				}
			}
		}
	})
	if err != nil {
		return nil, errors.Wrap(err, "dropout")
	}
	out, err := G.HadamardProd(x, mask)
	return out, errors.Wrap(err, "dropout")
}
