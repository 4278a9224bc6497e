package trainers

import (
	"math"
	"sync"
)

// nonFiniteBlock is the number of values firstNonFinite32 screens between
// two tests of its flag.
const nonFiniteBlock = 256

// firstNonFinite32 returns the index of the first NaN or ±Inf in d, or -1 when
// every value is finite. Predict and Fit check every input with it, so it
// screens blocks of values without a branch per value and splits a large d
// over the cores (forChunks).
//
// NaN and ±Inf are the values whose exponent bits are all set: with e the
// exponent bits of a value (bits & 0x7f800000), e + 0x00800000 reaches bit 31
// exactly when e is all ones, and no other bit pattern carries there. A block
// whose sum of those flags has bit 31 set is searched value by value.
func firstNonFinite32(d []float32) int {
	var mu sync.Mutex
	first := -1
	forChunks(len(d), func(lo, hi int) {
		for b := lo; b < hi; b += nonFiniteBlock {
			blk := d[b:min(b+nonFiniteBlock, hi)]
			if nonFiniteFlags(blk)&0x80000000 == 0 {
				continue
			}
			for j, v := range blk {
				if math.Float32bits(v)&0x7f800000 == 0x7f800000 {
					mu.Lock()
					if first < 0 || b+j < first {
						first = b + j
					}
					mu.Unlock()
					return
				}
			}
		}
	})
	return first
}

// nonFiniteFlags ORs e + 0x00800000 over the values of blk, e being each value's
// exponent bits: bit 31 of the result is set when blk holds a NaN or ±Inf. Four
// accumulators, so that the ORs do not wait for each other.
func nonFiniteFlags(blk []float32) uint32 {
	var f0, f1, f2, f3 uint32
	i := 0
	for ; i+4 <= len(blk); i += 4 {
		q := blk[i : i+4 : i+4]
		f0 |= math.Float32bits(q[0])&0x7f800000 + 0x00800000
		f1 |= math.Float32bits(q[1])&0x7f800000 + 0x00800000
		f2 |= math.Float32bits(q[2])&0x7f800000 + 0x00800000
		f3 |= math.Float32bits(q[3])&0x7f800000 + 0x00800000
	}
	for ; i < len(blk); i++ {
		f0 |= math.Float32bits(blk[i])&0x7f800000 + 0x00800000
	}
	return f0 | f1 | f2 | f3
}
