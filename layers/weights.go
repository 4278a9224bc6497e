package layers

import (
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
)

// WeightOption sets an optional property of a weight made by AddWeight.
type WeightOption interface{ applyWeight(*weightConfig) }

type weightOptionFunc func(*weightConfig)

func (f weightOptionFunc) applyWeight(c *weightConfig) { f(c) }

type weightConfig struct {
	reg           graph.Regularizer
	frozen        bool
	fanIn, fanOut int
	fansGiven     bool
}

// WeightRegularizer adds r's penalty on the weight to the training loss (default
// none). The trainer collects the penalties of every weight a program uses.
func WeightRegularizer(r graph.Regularizer) WeightOption {
	return weightOptionFunc(func(c *weightConfig) { c.reg = r })
}

// NonTrainable marks a statistic that the optimizer must not touch (default:
// trainable), such as batch normalization's moving mean.
func NonTrainable() WeightOption {
	return weightOptionFunc(func(c *weightConfig) { c.frozen = true })
}

// WeightFans sets the fans the initializer sees (default: computed from the shape
// as Keras does: (in, out) for a matrix, (kh·kw·in, kh·kw·out) for a
// (kh, kw, in, out) kernel, (n, n) for a vector).
func WeightFans(in, out int) WeightOption {
	return weightOptionFunc(func(c *weightConfig) { c.fanIn, c.fanOut, c.fansGiven = in, out, true })
}

// AddWeight makes a weight of owner: a tensor of the context's dtype and the given
// shape, filled by init from the context's seeded source, named
// "<scope><layer>/<name>" ("dense/kernel", "tower/dense/kernel" inside a model
// applied as a layer). Options: WeightRegularizer (default none), NonTrainable
// (default trainable), WeightFans (default from the shape). The weight is listed by
// owner's Params; making a weight of the same name again replaces it. It is the one
// way the layers of this package make weights.
func (c BuildContext) AddWeight(owner Layer, name string, shape []int, init graph.Initializer, opts ...WeightOption) (*graph.Param, error) {
	if owner == nil {
		return nil, errors.Errorf("add weight %q: no owner layer", name)
	}
	var wc weightConfig
	for _, o := range opts {
		if o != nil {
			o.applyWeight(&wc)
		}
	}
	if !wc.fansGiven {
		wc.fanIn, wc.fanOut = fans(shape)
	}
	full := c.scope + owner.Name() + "/" + name
	if c.RNG == nil {
		return nil, errors.Errorf("add weight %s: the build context has no random source", full)
	}
	if err := c.checkFileWeight(owner, full, shape); err != nil { // a model being loaded: before allocating
		return nil, err
	}
	p, err := graph.NewParam(full, c.DType, shape, init, wc.fanIn, wc.fanOut, c.RNG)
	if err != nil {
		return nil, err
	}
	p.Trainable = !wc.frozen
	p.Scope = c.scope
	p.Regularizer = wc.reg
	b := owner.LayerBase()
	for i, w := range b.weights {
		if w.Name == full {
			b.weights[i] = p
			return p, nil
		}
	}
	b.weights = append(b.weights, p)
	return p, nil
}

// fans computes an initializer's fans from a weight shape, as Keras' compute_fans.
func fans(shape []int) (in, out int) {
	switch len(shape) {
	case 0:
		return 1, 1
	case 1:
		return shape[0], shape[0]
	case 2:
		return shape[0], shape[1]
	}
	rf := 1
	for _, d := range shape[:len(shape)-2] {
		rf *= d
	}
	return shape[len(shape)-2] * rf, shape[len(shape)-1] * rf
}

// WeightPaths names every weight of m by where it sits in m, whatever the order the
// models were built in: "<layer>/<weight>" for m's own layers ("dense/kernel",
// "residual/conv2d/kernel"), "<model>/<layer>/<weight>" inside a model applied as a
// layer, and so on down. Model files and saved optimizer state use these names. Two
// weights of one path are an error naming it.
func WeightPaths(m Model) (map[*graph.Param]string, error) {
	paths := map[*graph.Param]string{}
	owner := map[string]*graph.Param{}
	var walk func(m Model, prefix string, depth int) error
	walk = func(m Model, prefix string, depth int) error {
		if depth > maxNesting {
			return errors.Errorf("models nested more than %d deep", maxNesting)
		}
		for _, l := range m.Layers() {
			if inner, ok := l.(Model); ok {
				if err := walk(inner, prefix+l.Name()+"/", depth+1); err != nil {
					return err
				}
				continue
			}
			for _, p := range l.Params() {
				if _, done := paths[p]; done {
					continue
				}
				path := prefix + strings.TrimPrefix(p.Name, p.Scope)
				if q, ok := owner[path]; ok && q != p {
					return errors.Errorf("two weights are named %q: rename one of the layers (WithName) or models (ModelName)", path)
				}
				owner[path] = p
				paths[p] = path
			}
		}
		return nil
	}
	if err := walk(m, "", 0); err != nil {
		return nil, err
	}
	for _, p := range m.Params() {
		if _, ok := paths[p]; !ok {
			return nil, errors.Errorf("weight %q is not reached from the model's layers", p.Name)
		}
	}
	return paths, nil
}
