package sgemm

import (
	"math/rand/v2"
	"testing"
)

// TestPack checks packA and packB against a direct definition for all
// transpose settings, depths around the 4-step of the assembly, full and
// edge micro-panels and offset blocks.
func TestPack(t *testing.T) { forEachKernel(t, testPack) }

func testPack(t *testing.T) {
	if kern == nil {
		t.Skip("packing uses assembly that only exists with the kernel")
	}
	rnd := rand.New(rand.NewPCG(11, 12))
	const rows, cols, ld = 40, 300, 307
	src := randSlice(rnd, rows*ld+cols*ld)
	nr := kern.nr
	for _, trans := range []bool{false, true} {
		for _, kc := range []int{1, 3, 4, 5, 8, 17, 256} {
			for _, size := range []int{1, 5, 6, 7, 16, 17, 33} {
				i0, p0 := 3, 2
				dst := make([]float32, max(roundUp(size, nr), roundUp(size, mr))*kc)
				for i := range dst {
					dst[i] = -9
				}
				packA(dst, trans, src, ld, i0, p0, size, kc)
				for ir := 0; ir < roundUp(size, mr); ir += mr {
					for p := 0; p < kc; p++ {
						for r := 0; r < mr; r++ {
							want := float32(0)
							if i := ir + r; i < size {
								if trans {
									want = src[(p0+p)*ld+i0+i]
								} else {
									want = src[(i0+i)*ld+p0+p]
								}
							}
							if got := dst[ir*kc+p*mr+r]; got != want {
								t.Fatalf("packA trans=%v kc=%d mc=%d: [%d,%d,%d] = %v, want %v", trans, kc, size, ir, p, r, got, want)
							}
						}
					}
				}
				packB(kern, dst, trans, src, ld, p0, i0, kc, size)
				for jr := 0; jr < roundUp(size, nr); jr += nr {
					for p := 0; p < kc; p++ {
						for c := 0; c < nr; c++ {
							want := float32(0)
							if j := jr + c; j < size {
								if trans {
									want = src[(i0+j)*ld+p0+p]
								} else {
									want = src[(p0+p)*ld+i0+j]
								}
							}
							if got := dst[jr*kc+p*nr+c]; got != want {
								t.Fatalf("packB nr=%d trans=%v kc=%d nc=%d: [%d,%d,%d] = %v, want %v", nr, trans, kc, size, jr, p, c, got, want)
							}
						}
					}
				}
			}
		}
	}
}
