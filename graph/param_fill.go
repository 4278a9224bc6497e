package graph

import (
	"math/rand"
)

// fillChunk is how many values a chunked fill converts at a time.
const fillChunk = 1 << 14

// chunkable reports whether init draws each value on its own, in order, from rng
// (nothing depends on the length of dst nor on the position): filling a slice in
// consecutive chunks then gives the values of one call on the whole slice. The
// built-in initializers do; an Initializer of the user's is filled in one call.
func chunkable(init Initializer) bool {
	switch init.(type) {
	case VarianceScaling, *VarianceScaling, Constant, *Constant, RandomNormal, *RandomNormal, RandomUniform, *RandomUniform:
		return true
	}
	return false
}

// fillFloat32 fills dst through init, a chunk of float64 values at a time, so that a
// large float32 parameter (a table of millions of rows) never has a float64 copy
// of its own size. The values are those of init.Fill on a float64 slice of
// len(dst), rounded to float32.
func fillFloat32(init Initializer, rng *rand.Rand, fanIn, fanOut int, dst []float32) error {
	buf := make([]float64, min(fillChunk, len(dst)))
	for off := 0; off < len(dst); off += len(buf) {
		b := buf[:min(len(buf), len(dst)-off)]
		if err := init.Fill(rng, fanIn, fanOut, b); err != nil {
			return err
		}
		for i, v := range b {
			dst[off+i] = float32(v)
		}
	}
	return nil
}
