package datasets

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Spec describes one tensor of a Multi data set.
type Spec struct {
	// Name is the tensor's name, used to match it to a model input or
	// output; "" when unnamed (matched by position).
	Name string
	// Shape is the per-example shape, without the batch (example) axis,
	// e.g. [1] for one id per example or [28 28 1] for an image.
	Shape []int
	// DType is the storage dtype: tensor.Float32, Float64, Int32, Int64,
	// Int or String for the data sets of this package. A String tensor holds
	// raw text (one string per value) for a model that maps it to ids
	// itself (a StringLookup layer); it has no numeric values.
	DType tensor.Dtype
}

// Multi is a finite set of examples made of several input tensors and
// several target tensors (zero targets for data that is only predicted on),
// each with fixed per-example shapes. It is the data side of functional
// models with several named inputs and outputs, and of integer inputs that
// feed Embedding layers. A single Dataset becomes a Multi with AsMulti.
//
// The implementations in this package are safe for concurrent calls to
// GatherMulti as long as nobody mutates the underlying data.
type Multi interface {
	// Len returns the number of examples (at least 1 for the data sets of
	// this package).
	Len() int
	// Inputs returns the specs of the input tensors, in order (at least
	// one). The caller may modify the returned slice and shapes.
	Inputs() []Spec
	// Targets returns the specs of the target tensors, in order (possibly
	// none). The caller may modify the returned slice and shapes.
	Targets() []Spec
	// GatherMulti copies the examples at positions idx (in that order,
	// repeats allowed) into xs[i] for Inputs()[i] and ys[j] for
	// Targets()[j]. Each destination must be a contiguous *tensor.Dense of
	// total size len(idx)*prod(Shape); its shape is otherwise free. A float
	// source (Float32, Float64) may be gathered into Float32 or Float64, an
	// integer source (Int32, Int64, Int) into Int32, Int64, Int, Float32 or
	// Float64; values are converted. A String source may only be gathered
	// into a String destination, and a String destination only receives a
	// String source. An empty idx, an index out of range, wrong numbers of
	// destinations, a nil destination, a wrong size or dtype (a float source
	// into an integer destination, a String source into a number one or
	// the reverse) is an error naming the tensor (`input "user_id"`, or
	// `target 1` when unnamed).
	GatherMulti(idx []int, xs, ys []*tensor.Dense) error
}

// TensorGatherer is implemented by Multi data sets that can gather one of
// their tensors without reading the others. GatherInputMulti,
// GatherTargetMulti, CheckFiniteMulti, ScanInputMulti and ScanTargetMulti
// use it when present; every Multi of this package implements it. The
// rules for idx and dst are those of Multi.GatherMulti; i and j index
// Inputs() and Targets().
type TensorGatherer interface {
	// GatherInput copies the examples idx of input i into dst.
	GatherInput(idx []int, i int, dst *tensor.Dense) error
	// GatherTarget copies the examples idx of target j into dst.
	GatherTarget(idx []int, j int, dst *tensor.Dense) error
}

// GatherInputMulti copies the examples at positions idx of input i of m into
// dst, under the rules of Multi.GatherMulti. It reads only that input when m
// implements TensorGatherer; otherwise it gathers every tensor of m, into
// scratch tensors for the others (float64, or string for a String spec). A
// nil m or an i out of range is an error.
func GatherInputMulti(m Multi, idx []int, i int, dst *tensor.Dense) error {
	return errors.Wrap(gatherOne(m, idx, false, i, dst), "datasets.GatherInputMulti")
}

// GatherTargetMulti is GatherInputMulti for target j of m: it reads only
// that target when m implements TensorGatherer. This lets a check of the
// targets (class ids in range) skip the inputs.
func GatherTargetMulti(m Multi, idx []int, j int, dst *tensor.Dense) error {
	return errors.Wrap(gatherOne(m, idx, true, j, dst), "datasets.GatherTargetMulti")
}

// gatherOne gathers input (target false) or target (target true) k of m
// into dst.
func gatherOne(m Multi, idx []int, target bool, k int, dst *tensor.Dense) error {
	if m == nil {
		return errors.New("nil data set")
	}
	specs := m.Inputs()
	if target {
		specs = m.Targets()
	}
	if k < 0 || k >= len(specs) {
		return errors.Errorf("%s index %d out of range [0, %d)", kindName(target), k, len(specs))
	}
	if g, ok := m.(TensorGatherer); ok {
		if target {
			return g.GatherTarget(idx, k, dst)
		}
		return g.GatherInput(idx, k, dst)
	}
	xs := scratchFor(m.Inputs(), len(idx))
	ys := scratchFor(m.Targets(), len(idx))
	if target {
		ys[k] = dst
	} else {
		xs[k] = dst
	}
	return m.GatherMulti(idx, xs, ys)
}

// scratchFor returns one tensor of n examples per spec: String for a String
// spec, Float64 (which receives every numeric source dtype) otherwise.
func scratchFor(specs []Spec, n int) []*tensor.Dense {
	out := make([]*tensor.Dense, len(specs))
	for i, s := range specs {
		dt := tensor.Float64
		if s.DType == tensor.String {
			dt = tensor.String
		}
		out[i] = tensor.New(tensor.WithShape(max(n*prod(s.Shape), 1)), tensor.Of(dt))
	}
	return out
}

// kindName returns "target" or "input".
func kindName(target bool) string {
	if target {
		return "target"
	}
	return "input"
}

// tensorLabel names tensor i of a kind ("input" or "target") in errors:
// `input "user_id"` when named, `input 0` when not.
func tensorLabel(kind string, i int, name string) string {
	if name != "" {
		return fmt.Sprintf("%s %q", kind, name)
	}
	return fmt.Sprintf("%s %d", kind, i)
}

// checkDestCount returns an error unless there are as many input and target
// destinations as the data set has inputs and targets.
func checkDestCount(xs, ys []*tensor.Dense, nIn, nOut int) error {
	if len(xs) != nIn {
		return errors.Errorf("%d input destinations for %d inputs", len(xs), nIn)
	}
	if len(ys) != nOut {
		return errors.Errorf("%d target destinations for %d targets", len(ys), nOut)
	}
	return nil
}
