package graph

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// FNV-1a, 64 bits (the same function as hash/fnv's New64a).
const (
	fnvOffset64 uint64 = 14695981039346656037
	fnvPrime64  uint64 = 1099511628211
)

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime64
	}
	return h
}

func fnvBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime64
	}
	return h
}

// fnvUint64 feeds v to the hash as 8 little-endian bytes.
func fnvUint64(h uint64, v uint64) uint64 {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return fnvBytes(h, b[:])
}

// saltedHash is FNV-1a 64 of v's bytes, preceded by the salt's 8 little-endian
// bytes when salt is not 0.
func saltedHash(v string, salt uint64) uint64 {
	h := fnvOffset64
	if salt != 0 {
		h = fnvUint64(h, salt)
	}
	return fnvString(h, v)
}

// HashBin returns the bin of the value v among bins (bins >= 1; 0 for bins < 1):
// FNV-1a (64 bits) of v's bytes modulo bins, the bytes preceded by the salt as 8
// little-endian bytes when salt is not 0. An integer is hashed by its decimal text
// ("-12"). With salt 0 it equals OOVBucket(v, bins). The bins are the same on every
// machine and run; Keras' Hashing uses FarmHash (or SipHash with a salt), so its
// bin numbers differ.
func HashBin(v string, bins int, salt uint64) int64 {
	if bins < 1 {
		return 0
	}
	return int64(saltedHash(v, salt) % uint64(bins))
}

// HashSpec describes a hashing of values into bins (Keras' Hashing layer).
// Without a mask a value v gets HashBin(v, Bins, Salt), in [0, Bins). With Masked
// the value MaskValue gets bin 0 and any other value 1+HashBin(v, Bins-1, Salt), in
// [1, Bins) (Keras' mask_value). An integer is compared and hashed by its decimal
// text.
type HashSpec struct {
	// Bins is the number of bins: at least 1, at least 2 with Masked.
	Bins int
	// Salt is mixed into the hash (default 0: no salt).
	Salt uint64
	// Masked turns the mask on: MaskValue gets bin 0.
	Masked    bool
	MaskValue string
}

// Check returns an error unless the spec can hash: Bins >= 1 (>= 2 when Masked).
func (s HashSpec) Check() error {
	switch {
	case s.Bins < 1:
		return errors.Errorf("hash: %d bins (want at least 1)", s.Bins)
	case s.Masked && s.Bins < 2:
		return errors.Errorf("hash: %d bins with a mask value (want at least 2: bin 0 is the mask's)", s.Bins)
	}
	return nil
}

// Bin returns the bin of v (0 for a spec that fails Check).
func (s HashSpec) Bin(v string) int64 {
	if s.Check() != nil {
		return 0
	}
	if s.Masked {
		if v == s.MaskValue {
			return 0
		}
		return 1 + HashBin(v, s.Bins-1, s.Salt)
	}
	return HashBin(v, s.Bins, s.Salt)
}

// hashOp maps a String or integer tensor (B, ...) to Int64 bins of the same shape.
type hashOp struct {
	opBase
	noDiff
	spec HashSpec
	dims int
	in   tensor.Dtype
}

// Hash returns the Int64 bins of the values of x (a String, Int32, Int64 or Int
// tensor of shape (B, ...)) under spec: the result has x's shape, every value in
// [0, spec.Bins). Integers are hashed by their decimal text, as Lookup reads them.
// It is not differentiable.
func Hash(x *G.Node, spec HashSpec) (n *G.Node, err error) {
	defer recoverOp(&err, "hash")
	if x == nil {
		return nil, errors.New("hash: nil input")
	}
	if err := spec.Check(); err != nil {
		return nil, err
	}
	dt := x.Dtype()
	if dt != tensor.String && checkInt("hash", dt) != nil {
		return nil, errors.Errorf("hash: input dtype %v is not supported (want string, int32, int64 or int)", dt)
	}
	s := x.Shape()
	if s.Dims() < 1 {
		return nil, errors.Errorf("hash: input shape %v must have a batch axis", s)
	}
	name := fmt.Sprintf("hash(%d,%d,%v,%d)", spec.Bins, spec.Salt, dt, s.Dims())
	if spec.Masked {
		name = fmt.Sprintf("hash(%d,%d,mask=%q,%v,%d)", spec.Bins, spec.Salt, spec.MaskValue, dt, s.Dims())
	}
	op := hashOp{opBase{name: name, arity: 1}, noDiff{}, spec, s.Dims(), dt}
	n, err = G.ApplyOp(op, x)
	return n, errors.Wrap(err, "hash")
}

func (o hashOp) Type() hm.Type {
	return hm.NewFnType(G.TensorType{Dims: o.dims, Of: o.in}, G.TensorType{Dims: o.dims, Of: tensor.Int64})
}
func (o hashOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return o.firstShape(in...) }
func (o hashOp) Do(in ...G.Value) (G.Value, error)                 { return o.UsePreallocDo(nil, in...) }

func (o hashOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	args, err := denseArgs(o.name, 1, in)
	if err != nil {
		return nil, err
	}
	x := args[0]
	text, err := valueText(o.name, x)
	if err != nil {
		return nil, err
	}
	out := outputLike(prealloc, tensor.Int64, x.Shape())
	if x.Shape().TotalSize() == 0 { // tensor's Data panics on an empty tensor
		return out, nil
	}
	bins := out.Data().([]int64)
	for i := range bins {
		bins[i] = o.spec.Bin(text(i))
	}
	return out, nil
}

// valueText returns a function giving the text of x's i-th value: a string as it
// is, an integer in decimal (as Lookup reads it).
func valueText(name string, x *tensor.Dense) (func(i int) string, error) {
	n := x.Shape().TotalSize()
	if n == 0 { // tensor's Data panics on an empty tensor
		switch x.Dtype() {
		case tensor.String, tensor.Int64, tensor.Int32, tensor.Int:
			return func(int) string { return "" }, nil
		}
		return nil, errors.Errorf("%s: input dtype %v (want string, int32, int64 or int)", name, x.Dtype())
	}
	short := func() error { return errors.Errorf("%s: input of shape %v holds too few values", name, x.Shape()) }
	switch v := x.Data().(type) {
	case []string:
		if len(v) < n {
			return nil, short()
		}
		return func(i int) string { return v[i] }, nil
	case []int64:
		if len(v) < n {
			return nil, short()
		}
		return func(i int) string { return strconv.FormatInt(v[i], 10) }, nil
	case []int32:
		if len(v) < n {
			return nil, short()
		}
		return func(i int) string { return strconv.FormatInt(int64(v[i]), 10) }, nil
	case []int:
		if len(v) < n {
			return nil, short()
		}
		return func(i int) string { return strconv.Itoa(v[i]) }, nil
	}
	return nil, errors.Errorf("%s: input dtype %v (want string, int32, int64 or int)", name, x.Dtype())
}
