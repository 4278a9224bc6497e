package sgemm

// smallM is the number of rows of C below which gemmSerial skips packing:
// products with fewer rows than the micro-kernel's (a single row predicted,
// a token generated) are bound by reading B, and packing B first would read
// it twice and write it once.
const smallM = mr

// smallN is the width of the column blocks of the small-m path: one row of
// its accumulators (smallN floats, 4 KB) stays in the L1 cache, and each
// row of B it reads is one contiguous 4 KB run.
const smallN = 1024

// smallParThreshold is the value of n*k (the elements of B read) above
// which a small-m product is split over several goroutines by columns, one
// strip each. Measured on 2 cores (2026-11-30): the 1×3136×1024 product of the
// CNN's Dense layer took 183-193 µs on one goroutine and 316-360 µs split over
// two (waking the second costs more than the half it saves), and the CNN's
// single-row prediction went from 905-994 to 789-827 µs with it on one.
const smallParThreshold = 1 << 24

// gemmSmallM computes the m×n block of C starting at row i0, column j0 for
// m < smallM and B not transposed, without packing: each row of B is read
// once, contiguously, and combined into m rows of accumulators with fused
// multiply-adds. Every element of C is computed exactly as the packed path
// computes it (the same K-panels, the same fused products in the same order
// from a zero accumulator, the same scaling by alpha and combination with
// C), so a row's value does not depend on how many rows are multiplied with
// it.
func gemmSmallM(aTrans bool, i0, j0, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	buf := getBuffers()
	defer putBuffers(buf)
	kstep := (k + (k+kc-1)/kc - 1) / ((k + kc - 1) / kc)
	nb := min(n, smallN)
	if len(buf.acc) < m*nb {
		buf.acc = make([]float32, smallM*smallN)
	}
	// incA is the distance between consecutive elements of a row of op(A).
	incA, rowA := 1, lda
	if aTrans {
		incA, rowA = lda, 1
	}
	for jb := 0; jb < n; jb += smallN {
		w := min(smallN, n-jb)
		for pc := 0; pc < k; pc += kstep {
			kcb := min(kstep, k-pc)
			acc := buf.acc[:m*w]
			clear(acc)
			for p := pc; p < pc+kcb; p++ {
				brow := b[p*ldb+j0+jb : p*ldb+j0+jb+w]
				for i := 0; i < m; i++ {
					axpyFMA(w, a[(i0+i)*rowA+p*incA], &brow[0], &acc[i*w])
				}
			}
			// The first K-panel applies beta; later ones accumulate.
			bet, load := beta, true
			if pc > 0 {
				bet = 1
			} else if beta == 0 {
				load = false
			}
			for i := 0; i < m; i++ {
				ci := (i0+i)*ldc + j0 + jb
				crow := c[ci : ci+w]
				arow := acc[i*w : i*w+w]
				switch {
				case !load:
					for j, v := range arow {
						crow[j] = alpha * v
					}
				case bet == 1:
					// float32(...) rounds the product on its own, as the
					// kernel does, so that the compiler cannot fuse it
					// into the addition.
					for j, v := range arow {
						crow[j] += float32(alpha * v)
					}
				default:
					// C = beta*C + alpha*acc with the product by beta fused
					// into the sum, as in the kernel.
					for j, v := range arow {
						arow[j] = alpha * v
					}
					axpyFMA(w, bet, &crow[0], &arow[0])
					copy(crow, arow)
				}
			}
		}
	}
}
