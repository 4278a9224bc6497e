package datasets

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// datasetMulti presents a Dataset as a Multi of one unnamed input (its x)
// and one unnamed target (its y).
type datasetMulti struct {
	ds       Dataset
	xdt, ydt tensor.Dtype // reported storage dtypes
}

// AsMulti returns ds as a Multi of one unnamed input, of shape XShape, and
// one unnamed target, of shape YShape; GatherMulti(idx, [x], [y]) is
// ds.Gather(idx, x, y) with destinations Float32 or Float64. The specs
// report the storage dtypes of a *Tensor (or of a Subset or split of one)
// and Float64 for other data sets. If ds already implements Multi it is
// returned as is, and a data set made by AsDataset gives back its Multi.
// AsMulti(nil) is nil.
//
// The result implements TensorGatherer: over a *Tensor, or a view of one,
// gathering only the target does not read the features.
func AsMulti(ds Dataset) Multi {
	switch d := ds.(type) {
	case nil:
		return nil
	case Multi:
		return d
	case *multiDataset:
		return d.m
	}
	xdt, ydt := tensor.Float64, tensor.Float64
	if t, _ := tensorView(ds); t != nil {
		xdt, ydt = t.x.Dtype(), t.y.Dtype()
	}
	return &datasetMulti{ds: ds, xdt: xdt, ydt: ydt}
}

// tensorView returns the *Tensor behind ds and the positions in it of the
// examples of ds (nil when ds is the *Tensor itself), or nil when ds is not
// a *Tensor or a subset of one.
func tensorView(ds Dataset) (*Tensor, []int) {
	switch d := ds.(type) {
	case *Tensor:
		return d, nil
	case *subset:
		if t, ok := d.parent.(*Tensor); ok {
			return t, d.idx
		}
	}
	return nil, nil
}

// Len returns the number of examples of the data set.
func (a *datasetMulti) Len() int { return a.ds.Len() }

// Inputs returns the spec of the one unnamed input: XShape.
func (a *datasetMulti) Inputs() []Spec {
	return []Spec{{Shape: a.ds.XShape(), DType: a.xdt}}
}

// Targets returns the spec of the one unnamed target: YShape.
func (a *datasetMulti) Targets() []Spec {
	return []Spec{{Shape: a.ds.YShape(), DType: a.ydt}}
}

// GatherMulti implements Multi through the data set's Gather.
func (a *datasetMulti) GatherMulti(idx []int, xs, ys []*tensor.Dense) error {
	if err := checkIndices(idx, a.ds.Len()); err != nil {
		return errors.Wrap(err, "datasets: AsMulti GatherMulti")
	}
	if err := checkDestCount(xs, ys, 1, 1); err != nil {
		return errors.Wrap(err, "datasets: AsMulti GatherMulti")
	}
	if _, err := destColumn("input 0", xs[0], a.xdt, len(idx)*prod(a.ds.XShape())); err != nil {
		return errors.Wrap(err, "datasets: AsMulti GatherMulti")
	}
	if _, err := destColumn("target 0", ys[0], a.ydt, len(idx)*prod(a.ds.YShape())); err != nil {
		return errors.Wrap(err, "datasets: AsMulti GatherMulti")
	}
	return errors.Wrap(a.ds.Gather(idx, xs[0], ys[0]), "datasets: AsMulti GatherMulti")
}

// GatherInput implements TensorGatherer (i must be 0).
func (a *datasetMulti) GatherInput(idx []int, i int, dst *tensor.Dense) error {
	return errors.Wrap(a.gatherOne(idx, false, i, dst), "datasets: AsMulti GatherInput")
}

// GatherTarget implements TensorGatherer (j must be 0).
func (a *datasetMulti) GatherTarget(idx []int, j int, dst *tensor.Dense) error {
	return errors.Wrap(a.gatherOne(idx, true, j, dst), "datasets: AsMulti GatherTarget")
}

// gatherOne gathers x (target false) or y into dst: straight from the
// storage of a *Tensor or a view of one, otherwise through Gather with a
// float64 scratch tensor for the other side.
func (a *datasetMulti) gatherOne(idx []int, target bool, k int, dst *tensor.Dense) error {
	if k != 0 {
		return errors.Errorf("%s index %d out of range [0, 1)", kindName(target), k)
	}
	if err := checkIndices(idx, a.ds.Len()); err != nil {
		return err
	}
	label, dt, shape, other := "input 0", a.xdt, a.ds.XShape(), a.ds.YShape()
	if target {
		label, dt, shape, other = "target 0", a.ydt, a.ds.YShape(), a.ds.XShape()
	}
	per := prod(shape)
	d, err := destColumn(label, dst, dt, len(idx)*per)
	if err != nil {
		return err
	}
	if t, pos := tensorView(a.ds); t != nil {
		if pos != nil {
			mapped := make([]int, len(idx))
			for n, i := range idx {
				mapped[n] = pos[i]
			}
			idx = mapped
		}
		src := floatsColumn(t.xs)
		if target {
			src = floatsColumn(t.ys)
		}
		return gatherColumn(label, d, src, idx, per)
	}
	scratch := tensor.New(tensor.WithShape(len(idx)*prod(other)), tensor.Of(tensor.Float64))
	if target {
		return a.ds.Gather(idx, scratch, dst)
	}
	return a.ds.Gather(idx, dst, scratch)
}

// multiDataset presents a Multi of one input and one target as a Dataset.
type multiDataset struct {
	m Multi
}

// AsDataset returns m, which must have exactly one input and one target, as
// a Dataset: XShape and YShape are their shapes, and Gather(idx, x, y) is
// m.GatherMulti(idx, [x], [y]) with Float32 or Float64 destinations (integer
// inputs or targets are converted). A data set made by AsMulti gives back
// the Dataset it wraps, and an m that already implements Dataset is
// returned as is. A nil m, other numbers of tensors and a String input or
// target (a Dataset holds numbers only) are errors.
func AsDataset(m Multi) (Dataset, error) {
	switch d := m.(type) {
	case nil:
		return nil, errors.New("datasets.AsDataset: nil data set")
	case *datasetMulti:
		return d.ds, nil
	case Dataset:
		return d, nil
	}
	ins, outs := m.Inputs(), m.Targets()
	if len(ins) != 1 || len(outs) != 1 {
		return nil, errors.Errorf("datasets.AsDataset: the data set has %d inputs and %d targets, want 1 and 1", len(ins), len(outs))
	}
	for _, t := range []struct {
		kind string
		s    Spec
	}{{"input", ins[0]}, {"target", outs[0]}} {
		if t.s.DType == tensor.String {
			return nil, errors.Errorf("datasets.AsDataset: %s holds strings, and a Dataset holds numbers only (use the Multi as it is)",
				tensorLabel(t.kind, 0, t.s.Name))
		}
	}
	return &multiDataset{m: m}, nil
}

// Len returns the number of examples of the Multi.
func (d *multiDataset) Len() int { return d.m.Len() }

// XShape returns the shape of the one input.
func (d *multiDataset) XShape() []int { return d.m.Inputs()[0].Shape }

// YShape returns the shape of the one target.
func (d *multiDataset) YShape() []int { return d.m.Targets()[0].Shape }

// Gather implements Dataset through GatherMulti, after checking that x and
// y are float destinations.
func (d *multiDataset) Gather(idx []int, x, y *tensor.Dense) error {
	if err := checkIndices(idx, d.m.Len()); err != nil {
		return errors.Wrap(err, "datasets: AsDataset Gather")
	}
	if _, err := destFloats("x", x, len(idx)*prod(d.XShape())); err != nil {
		return errors.Wrap(err, "datasets: AsDataset Gather")
	}
	if _, err := destFloats("y", y, len(idx)*prod(d.YShape())); err != nil {
		return errors.Wrap(err, "datasets: AsDataset Gather")
	}
	return errors.Wrap(d.m.GatherMulti(idx, []*tensor.Dense{x}, []*tensor.Dense{y}), "datasets: AsDataset Gather")
}
