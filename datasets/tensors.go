package datasets

import (
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Tensors is an in-memory Multi backed by *tensor.Dense, one per input and
// per target, whose first dimension indexes examples. Storage dtypes are
// Float32, Float64, Int32, Int64, Int or String, independently per tensor.
// A String tensor (raw text, such as the Strings of a CSVData read with
// CSVRawStrings, for a StringLookup layer inside the model) is gathered into
// String destinations only.
//
// A Tensors is immutable through its own methods, and GatherMulti is safe
// for concurrent use; mutating the tensors returned by Input and Target
// changes the data set.
type Tensors struct {
	inputs, targets []part
	n               int
}

// part is one tensor of a Tensors.
type part struct {
	d     *tensor.Dense
	spec  Spec
	col   column
	size  int    // prod(spec.Shape)
	label string // `input "user_id"`, `target 0`: for errors
}

// NewTensors returns a Tensors over inputs (at least one) and targets
// (possibly none). Every tensor must be a non-nil, non-empty *tensor.Dense
// of rank >= 1 and dtype Float32, Float64, Int32, Int64, Int or String
// ([]string backing), and all must have the same first dimension (the
// number of examples, at least 1).
// The per-example shapes are the remaining dimensions; a rank-1 tensor of
// shape (n) has per-example shape [1].
//
// inputNames and targetNames may each be nil (the tensors are unnamed and
// matched by position) or hold one non-empty name per tensor, unique among
// the inputs (respectively the targets). Errors name the tensor
// (`input "user_id"`, `target 1`) and its shape.
//
// The tensors are shared, not copied, unless they are views or transposed:
// those are materialized into new contiguous tensors first.
func NewTensors(inputNames []string, inputs []*tensor.Dense, targetNames []string, targets []*tensor.Dense) (*Tensors, error) {
	if len(inputs) == 0 {
		return nil, errors.New("datasets.NewTensors: no inputs")
	}
	ins, err := newParts("input", inputNames, inputs)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.NewTensors")
	}
	outs, err := newParts("target", targetNames, targets)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.NewTensors")
	}
	first := ins[0]
	n := first.d.Shape()[0]
	for _, p := range append(ins[1:len(ins):len(ins)], outs...) {
		if got := p.d.Shape()[0]; got != n {
			return nil, errors.Errorf("datasets.NewTensors: %s has %d examples (shape %v), %s has %d (shape %v)",
				p.label, got, p.d.Shape(), first.label, n, first.d.Shape())
		}
	}
	return &Tensors{inputs: ins, targets: outs, n: n}, nil
}

// NewNamedTensors is NewTensors with the names taken from the maps' keys,
// in sorted order: Inputs()[0] is the input whose name sorts first. inputs
// must hold at least one tensor; targets may be nil or empty. An empty name
// is an error.
func NewNamedTensors(inputs, targets map[string]*tensor.Dense) (*Tensors, error) {
	inNames, ins := sortedTensors(inputs)
	outNames, outs := sortedTensors(targets)
	t, err := NewTensors(inNames, ins, outNames, outs)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.NewNamedTensors")
	}
	return t, nil
}

// sortedTensors returns the names of m in sorted order and the tensors in
// the same order; nil names for an empty m.
func sortedTensors(m map[string]*tensor.Dense) ([]string, []*tensor.Dense) {
	if len(m) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	ds := make([]*tensor.Dense, len(names))
	for i, name := range names {
		ds[i] = m[name]
	}
	return names, ds
}

// newParts validates the tensors of one kind ("input" or "target") and
// their names.
func newParts(kind string, names []string, ds []*tensor.Dense) ([]part, error) {
	if names != nil && len(names) != len(ds) {
		return nil, errors.Errorf("%d %s names for %d %ss", len(names), kind, len(ds), kind)
	}
	seen := make(map[string]int, len(names))
	parts := make([]part, len(ds))
	for i, d := range ds {
		name := ""
		if names != nil {
			name = names[i]
			if name == "" {
				return nil, errors.Errorf("%s %d has an empty name", kind, i)
			}
			if j, dup := seen[name]; dup {
				return nil, errors.Errorf("%ss %d and %d are both named %q", kind, j, i, name)
			}
			seen[name] = i
		}
		label := tensorLabel(kind, i, name)
		d, per, err := checkMultiSource(label, d)
		if err != nil {
			return nil, err
		}
		parts[i] = part{
			d:     d,
			spec:  Spec{Name: name, Shape: per, DType: d.Dtype()},
			col:   denseColumn(d),
			size:  prod(per),
			label: label,
		}
	}
	return parts, nil
}

// checkMultiSource validates one backing tensor of NewTensors (labelled
// label in errors), materializes it if needed and returns it with its
// per-example shape.
func checkMultiSource(label string, d *tensor.Dense) (*tensor.Dense, []int, error) {
	if d == nil {
		return nil, nil, errors.Errorf("%s is nil", label)
	}
	if !isMultiDtype(d.Dtype()) {
		return nil, nil, errors.Errorf("%s has dtype %v, want float32, float64, int32, int64, int or string", label, d.Dtype())
	}
	shape := d.Shape()
	if len(shape) < 1 {
		return nil, nil, errors.Errorf("%s is a scalar, want rank >= 1", label)
	}
	if shape.TotalSize() < 1 {
		return nil, nil, errors.Errorf("%s is empty (shape %v)", label, shape)
	}
	if d.RequiresIterator() || d.IsMaterializable() {
		m, ok := d.Materialize().(*tensor.Dense)
		if !ok {
			return nil, nil, errors.Errorf("%s could not be materialized", label)
		}
		d = m
	}
	per := cloneInts(shape[1:])
	if len(per) == 0 {
		per = []int{1}
	}
	return d, per, nil
}

// Len returns the number of examples (the first dimension of every tensor).
func (t *Tensors) Len() int { return t.n }

// Inputs returns a copy of the specs of the inputs, in order.
func (t *Tensors) Inputs() []Spec { return partSpecs(t.inputs) }

// Targets returns a copy of the specs of the targets, in order (empty when
// there are none).
func (t *Tensors) Targets() []Spec { return partSpecs(t.targets) }

// partSpecs returns deep copies of the specs of parts.
func partSpecs(parts []part) []Spec {
	specs := make([]Spec, len(parts))
	for i, p := range parts {
		specs[i] = Spec{Name: p.spec.Name, Shape: cloneInts(p.spec.Shape), DType: p.spec.DType}
	}
	return specs
}

// Input returns input tensor i, of shape (Len, Inputs()[i].Shape...) (or
// (Len) for a rank-1 source), shared with the Tensors, not copied; nil when
// i is out of range.
func (t *Tensors) Input(i int) *tensor.Dense {
	if i < 0 || i >= len(t.inputs) {
		return nil
	}
	return t.inputs[i].d
}

// Target returns target tensor j, shared with the Tensors, not copied; nil
// when j is out of range.
func (t *Tensors) Target(j int) *tensor.Dense {
	if j < 0 || j >= len(t.targets) {
		return nil
	}
	return t.targets[j].d
}

// GatherMulti implements Multi: it copies the examples at positions idx of
// every input and target into xs and ys, converting numbers to their
// dtypes; String tensors are copied into String destinations (the strings
// are shared, not cloned). Every destination is checked before any is
// written.
func (t *Tensors) GatherMulti(idx []int, xs, ys []*tensor.Dense) error {
	if err := checkIndices(idx, t.n); err != nil {
		return errors.Wrap(err, "datasets.Tensors.GatherMulti")
	}
	if err := checkDestCount(xs, ys, len(t.inputs), len(t.targets)); err != nil {
		return errors.Wrap(err, "datasets.Tensors.GatherMulti")
	}
	dx, err := partDests(t.inputs, xs, len(idx))
	if err != nil {
		return errors.Wrap(err, "datasets.Tensors.GatherMulti")
	}
	dy, err := partDests(t.targets, ys, len(idx))
	if err != nil {
		return errors.Wrap(err, "datasets.Tensors.GatherMulti")
	}
	for i, p := range t.inputs {
		if err := gatherColumn(p.label, dx[i], p.col, idx, p.size); err != nil {
			return errors.Wrap(err, "datasets.Tensors.GatherMulti")
		}
	}
	for j, p := range t.targets {
		if err := gatherColumn(p.label, dy[j], p.col, idx, p.size); err != nil {
			return errors.Wrap(err, "datasets.Tensors.GatherMulti")
		}
	}
	return nil
}

// GatherInput implements TensorGatherer: it copies the examples idx of
// input i into dst without reading the other tensors.
func (t *Tensors) GatherInput(idx []int, i int, dst *tensor.Dense) error {
	return errors.Wrap(t.gatherPart(t.inputs, "input", idx, i, dst), "datasets.Tensors.GatherInput")
}

// GatherTarget implements TensorGatherer: it copies the examples idx of
// target j into dst without reading the other tensors.
func (t *Tensors) GatherTarget(idx []int, j int, dst *tensor.Dense) error {
	return errors.Wrap(t.gatherPart(t.targets, "target", idx, j, dst), "datasets.Tensors.GatherTarget")
}

// gatherPart copies the examples idx of parts[k] into dst.
func (t *Tensors) gatherPart(parts []part, kind string, idx []int, k int, dst *tensor.Dense) error {
	if k < 0 || k >= len(parts) {
		return errors.Errorf("%s index %d out of range [0, %d)", kind, k, len(parts))
	}
	if err := checkIndices(idx, t.n); err != nil {
		return err
	}
	p := parts[k]
	d, err := destColumn(p.label, dst, p.spec.DType, len(idx)*p.size)
	if err != nil {
		return err
	}
	return gatherColumn(p.label, d, p.col, idx, p.size)
}

// partDests checks the destinations ds for parts, n examples each, and
// returns their storage.
func partDests(parts []part, ds []*tensor.Dense, n int) ([]column, error) {
	cols := make([]column, len(parts))
	for i, p := range parts {
		c, err := destColumn(p.label, ds[i], p.spec.DType, n*p.size)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	return cols, nil
}
