package graph

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"math/bits"
	"sort"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CheckBoundaries returns an error unless boundaries are bucket boundaries: at
// least one, every one finite, strictly increasing.
func CheckBoundaries(boundaries []float64) error {
	if len(boundaries) == 0 {
		return errors.New("no bin boundaries (want at least one)")
	}
	for i, b := range boundaries {
		if math.IsNaN(b) || math.IsInf(b, 0) {
			return errors.Errorf("bin boundary %d is %v (want finite values)", i, b)
		}
		if i > 0 && !(boundaries[i-1] < b) {
			return errors.Errorf("bin boundaries are not strictly increasing: boundary %d is %v, boundary %d is %v", i-1, boundaries[i-1], i, b)
		}
	}
	return nil
}

// Bucket returns the bucket of x among boundaries (strictly increasing): the
// number of boundaries <= x, so bucket i holds boundaries[i-1] <= x <
// boundaries[i] (Keras' Discretization, numpy.digitize with right=False); -Inf
// gets 0 and +Inf len(boundaries). NaN has no bucket: it gets -1.
func Bucket(x float64, boundaries []float64) int64 {
	if math.IsNaN(x) {
		return -1
	}
	return int64(sort.Search(len(boundaries), func(i int) bool { return boundaries[i] > x }))
}

// DiscretizeError is the error of a Discretize run that meets a NaN, which has no
// bucket. It survives wrapping: find it with errors.As.
type DiscretizeError struct {
	// Row is the example within the batch, Pos the flat position within it.
	Row, Pos int
}

// Error says where the NaN is.
func (e *DiscretizeError) Error() string {
	return fmt.Sprintf("discretize: the value at example %d position %d is NaN, which has no bucket", e.Row, e.Pos)
}

// discretizeOp maps a float or integer tensor (B, ...) to Int64 bucket ids of the
// same shape.
type discretizeOp struct {
	opBase
	noDiff
	bounds []float64
	b32    []float32 // bounds rounded to float32, for float32 inputs
	dims   int
	in     tensor.Dtype
}

// Discretize returns the Int64 bucket ids, in [0, len(boundaries)], of the values
// of x (a Float32, Float64, Int32, Int64 or Int tensor of shape (B, ...)): the
// result has x's shape, and value v gets Bucket(v, boundaries). boundaries must
// pass CheckBoundaries. A float32 input is compared with the boundaries rounded to
// float32 (so that the value 0.7 typed into a float32 tensor lies in the bucket
// that the boundary 0.7 opens); integers are compared as float64. A NaN fails the
// run with a *DiscretizeError naming the example. It is not differentiable.
func Discretize(x *G.Node, boundaries []float64) (n *G.Node, err error) {
	defer recoverOp(&err, "discretize")
	if x == nil {
		return nil, errors.New("discretize: nil input")
	}
	if err := CheckBoundaries(boundaries); err != nil {
		return nil, errors.Wrap(err, "discretize")
	}
	dt := x.Dtype()
	if checkFloat("discretize", dt) != nil && checkInt("discretize", dt) != nil {
		return nil, errors.Errorf("discretize: input dtype %v is not supported (want float32, float64, int32, int64 or int)", dt)
	}
	s := x.Shape()
	if s.Dims() < 1 {
		return nil, errors.Errorf("discretize: input shape %v must have a batch axis", s)
	}
	bounds := append([]float64(nil), boundaries...)
	b32 := make([]float32, len(bounds))
	for i, b := range bounds {
		b32[i] = float32(b)
	}
	name := fmt.Sprintf("discretize(%d boundaries in [%v, %v],%v,%d)", len(bounds), bounds[0], bounds[len(bounds)-1], dt, s.Dims())
	op := discretizeOp{opBase{name: name, arity: 1}, noDiff{}, bounds, b32, s.Dims(), dt}
	n, err = G.ApplyOp(op, x)
	return n, errors.Wrap(err, "discretize")
}

// WriteHash writes the name and every boundary: two ops are one node only when
// their boundaries are the same.
func (o discretizeOp) WriteHash(h hash.Hash) {
	fmt.Fprint(h, o.name)
	for _, b := range o.bounds {
		fmt.Fprintf(h, ",%x", math.Float64bits(b))
	}
}

func (o discretizeOp) Hashcode() uint32 { h := fnv.New32a(); o.WriteHash(h); return h.Sum32() }

func (o discretizeOp) Type() hm.Type                                     { return idsType(o.dims, o.in) }
func (o discretizeOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o discretizeOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }

func (o discretizeOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	x, out, size, per, err := idsArgs(o.name, prealloc, in)
	if err != nil {
		return nil, err
	}
	if size == 0 { // tensor's Data panics on an empty tensor
		return out, nil
	}
	ids := out.Data().([]int64)
	nan := func(i int) error { return &DiscretizeError{Row: i / per, Pos: i % per} }
	switch v := x.Data().(type) {
	case []float32:
		if len(v) < size {
			break
		}
		b := o.b32
		for i, xv := range v[:size] {
			if xv != xv {
				return nil, nan(i)
			}
			ids[i] = int64(sort.Search(len(b), func(j int) bool { return b[j] > xv }))
		}
		return out, nil
	case []float64:
		if len(v) < size {
			break
		}
		for i, xv := range v[:size] {
			if ids[i] = Bucket(xv, o.bounds); ids[i] < 0 {
				return nil, nan(i)
			}
		}
		return out, nil
	case []int64:
		if len(v) < size {
			break
		}
		for i, xv := range v[:size] {
			ids[i] = Bucket(float64(xv), o.bounds)
		}
		return out, nil
	case []int32:
		if len(v) < size {
			break
		}
		for i, xv := range v[:size] {
			ids[i] = Bucket(float64(xv), o.bounds)
		}
		return out, nil
	case []int:
		if len(v) < size {
			break
		}
		for i, xv := range v[:size] {
			ids[i] = Bucket(float64(xv), o.bounds)
		}
		return out, nil
	default:
		return nil, errors.Errorf("%s: input dtype %v", o.name, x.Dtype())
	}
	return nil, errors.Errorf("%s: input of shape %v holds too few values", o.name, x.Shape())
}

// QuantileBoundaries returns the boundaries that cut values into bins buckets of
// about equal counts: for i = 1 .. bins-1 the value of rank floor(i·N/bins) (from
// 0) among the N sorted values, with repeats dropped, so that there may be fewer
// than bins-1 (as many as the values allow). The quantiles are exact (Keras'
// Discretization.adapt computes approximate ones, to within its epsilon), so
// boundaries may differ slightly from Keras'. values must be finite and not empty;
// bins must be at least 2. values is not changed.
func QuantileBoundaries(values []float64, bins int) ([]float64, error) {
	if len(values) == 0 {
		return nil, errors.New("quantile boundaries: no values")
	}
	if bins < 2 {
		return nil, errors.Errorf("quantile boundaries: %d bins (want at least 2)", bins)
	}
	sorted := append([]float64(nil), values...)
	for i, v := range sorted {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.Errorf("quantile boundaries: value %d is %v (want finite values)", i, v)
		}
		if v == 0 {
			sorted[i] = 0 // -0 sorts and prints as 0
		}
	}
	sort.Float64s(sorted)
	n := uint64(len(sorted))
	var out []float64
	add := func(b float64) {
		if len(out) == 0 || out[len(out)-1] < b {
			out = append(out, b)
		}
	}
	if uint64(bins) > n {
		// Ranks floor(i·N/bins) step by less than 1: every rank 0 .. N-1 is taken.
		for _, b := range sorted {
			add(b)
		}
		return out, nil
	}
	for i := 1; i < bins; i++ {
		hi, lo := bits.Mul64(uint64(i), n)
		k, _ := bits.Div64(hi, lo, uint64(bins)) // i < bins, so the quotient fits (hi < bins)
		add(sorted[k])
	}
	return out, nil
}
