package graph

import (
	"fmt"
	"math/rand"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Graph is the context one program is built in: a Gorgonia expression graph, the
// Mode, the dtype and the batch size, the parameters bound to it, the random feeds
// (dropout masks) to fill before every run, the logits behind softmax and sigmoid
// outputs (so that losses can use the stable logits form), and the regularization
// penalties to add to the loss. A Graph is not safe for concurrent use.
type Graph struct {
	g         *G.ExprGraph
	mode      Mode
	dtype     tensor.Dtype
	batch     int
	params    map[*Param]*G.Node
	order     []*Param // params in the order they were bound
	names     map[string]bool
	feeds     []feed
	logits    map[*G.Node]logits
	masks     map[*G.Node]*G.Node
	penalties []*G.Node
}

// feed is a tensor refilled from the seeded source before each run.
type feed struct {
	value *tensor.Dense
	fill  func(rng *rand.Rand, dst *tensor.Dense)
}

type logits struct {
	node       *G.Node
	activation string
}

// New returns an empty Graph. dtype is Float32 or Float64; batch is the number of
// rows every input of this program has.
func New(mode Mode, dtype tensor.Dtype, batch int) (*Graph, error) {
	if err := checkFloat("graph", dtype); err != nil {
		return nil, err
	}
	if batch <= 0 {
		return nil, errors.Errorf("graph: batch size %d must be positive", batch)
	}
	return &Graph{
		g: G.NewGraph(), mode: mode, dtype: dtype, batch: batch,
		params: map[*Param]*G.Node{}, names: map[string]bool{}, logits: map[*G.Node]logits{}, masks: map[*G.Node]*G.Node{},
	}, nil
}

// ExprGraph is the underlying Gorgonia graph.
func (g *Graph) ExprGraph() *G.ExprGraph { return g.g }

// Mode is Train or Infer.
func (g *Graph) Mode() Mode { return g.mode }

// DType is the graph's float type.
func (g *Graph) DType() tensor.Dtype { return g.dtype }

// Batch is the number of rows of every input.
func (g *Graph) Batch() int { return g.batch }

// Input adds an input node named name of shape (Batch, shape...) bound to a new
// tensor, and returns both: write data into the tensor before each run.
func (g *Graph) Input(name string, shape ...int) (*G.Node, *tensor.Dense, error) {
	full := append([]int{g.batch}, shape...)
	t := tensor.New(tensor.Of(g.dtype), tensor.WithShape(full...))
	n, err := g.bind(name, t)
	return n, t, err
}

// Param returns the node bound to p's tensor, adding it on first use.
func (g *Graph) Param(p *Param) (*G.Node, error) {
	if n, ok := g.params[p]; ok {
		return n, nil
	}
	if p.Value.Dtype() != g.dtype {
		return nil, errors.Errorf("param %s is %v, the graph is %v", p.Name, p.Value.Dtype(), g.dtype)
	}
	name := p.Name
	for k := 1; g.names[name]; k++ { // names only label nodes: keep them unique
		name = fmt.Sprintf("%s#%d", p.Name, k)
	}
	n, err := g.bind(name, p.Value)
	if err != nil {
		return nil, err
	}
	g.params[p] = n
	g.order = append(g.order, p)
	return n, nil
}

// BoundParams lists the parameters bound to the graph, in the order they were first
// used.
func (g *Graph) BoundParams() []*Param { return append([]*Param(nil), g.order...) }

// WeightPenalties builds the regularization penalty of every bound parameter that has
// a Regularizer, in binding order (so the same model gives the same sum).
func (g *Graph) WeightPenalties() ([]*G.Node, error) {
	var out []*G.Node
	for _, p := range g.order {
		if p.Regularizer.IsZero() {
			continue
		}
		pen, err := p.Regularizer.Penalty(g.params[p])
		if err != nil {
			return nil, errors.Wrapf(err, "param %s", p.Name)
		}
		out = append(out, pen)
	}
	return out, nil
}

// InputOf adds an input node of dtype dt (a float type or an integer type such as
// tensor.Int64 for ids) named name, of shape (Batch, shape...), bound to a new
// tensor, and returns both.
func (g *Graph) InputOf(name string, dt tensor.Dtype, shape ...int) (*G.Node, *tensor.Dense, error) {
	full := append([]int{g.batch}, shape...)
	t := tensor.New(tensor.Of(dt), tensor.WithShape(full...))
	n, err := g.bind(name, t)
	return n, t, err
}

// SetMask records a mask for out: a float tensor of out's leading shape, 1 where a
// step is real and 0 where it is padding (Keras' mask_zero). Layers that handle
// masks read it with Mask.
func (g *Graph) SetMask(out, mask *G.Node) { g.masks[out] = mask }

// Mask returns the mask recorded for out, if any.
func (g *Graph) Mask(out *G.Node) (*G.Node, bool) {
	m, ok := g.masks[out]
	return m, ok
}

// ParamNode returns the node of p if p was bound to this graph.
func (g *Graph) ParamNode(p *Param) (*G.Node, bool) {
	n, ok := g.params[p]
	return n, ok
}

func (g *Graph) bind(name string, t *tensor.Dense) (*G.Node, error) {
	if g.names[name] {
		return nil, errors.Errorf("graph: two nodes named %q", name)
	}
	g.names[name] = true
	opts := []G.NodeConsOpt{G.WithName(name), G.WithValue(t)}
	if t.Dims() == 0 {
		return G.NewScalar(g.g, t.Dtype(), opts...), nil
	}
	return G.NewTensor(g.g, t.Dtype(), t.Dims(), append(opts, G.WithShape(t.Shape().Clone()...))...), nil
}

// AddFeed adds an input node of the given full shape whose tensor is refilled by
// fill before every run (see FillFeeds). Dropout uses it for its mask.
func (g *Graph) AddFeed(name string, shape []int, fill func(rng *rand.Rand, dst *tensor.Dense)) (*G.Node, error) {
	t := tensor.New(tensor.Of(g.dtype), tensor.WithShape(shape...))
	n, err := g.bind(name, t)
	if err != nil {
		return nil, err
	}
	g.feeds = append(g.feeds, feed{t, fill})
	return n, nil
}

// FillFeeds refills every feed from rng, in the order they were added, so the
// same seed gives the same masks.
func (g *Graph) FillFeeds(rng *rand.Rand) {
	for _, f := range g.feeds {
		f.fill(rng, f.value)
	}
}

// HasFeeds reports whether the graph has random feeds.
func (g *Graph) HasFeeds() bool { return len(g.feeds) > 0 }

// SetLogits records that out = activation(pre), so a loss can use pre directly.
func (g *Graph) SetLogits(out, pre *G.Node, activation string) {
	g.logits[out] = logits{pre, activation}
}

// Logits returns the pre-activation node and the activation name recorded for out.
func (g *Graph) Logits(out *G.Node) (*G.Node, string, bool) {
	l, ok := g.logits[out]
	return l.node, l.activation, ok
}

// AddPenalty records a scalar regularization term to be added to the loss.
func (g *Graph) AddPenalty(p *G.Node) { g.penalties = append(g.penalties, p) }

// Penalties returns the recorded regularization terms.
func (g *Graph) Penalties() []*G.Node { return g.penalties }

// Scalar returns a constant scalar of the graph's dtype.
func (g *Graph) Scalar(v float64) *G.Node { return scalarOf(g.dtype, v) }

func scalarOf(dt tensor.Dtype, v float64) *G.Node {
	if dt == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}
