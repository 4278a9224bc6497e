package sgemm

// packA packs the mc×kc block of op(A) starting at row i0, column p0 into
// dst as ceil(mc/mr) micro-panels. Micro-panel q holds rows q*mr..q*mr+mr-1
// stored column by column (kc groups of mr values); rows beyond mc are zero.
// op(A)[i][p] is a[i*lda+p], or a[p*lda+i] when trans is set.
func packA(dst []float32, trans bool, a []float32, lda, i0, p0, mc, kc int) {
	for ir := 0; ir < mc; ir += mr {
		rows := min(mr, mc-ir)
		d := dst[ir*kc : ir*kc+mr*kc]
		switch {
		case rows < mr:
			packAEdge(d, trans, a, lda, i0+ir, p0, rows, kc)
		case trans:
			// Row p of the stored matrix holds column p of op(A): each
			// group of mr values is contiguous in a.
			off := p0*lda + i0 + ir
			_ = a[off+(kc-1)*lda+mr-1]
			packA6T(kc, &a[off], lda, &d[0])
		default:
			base := (i0+ir)*lda + p0
			_ = a[base+(mr-1)*lda+kc-1]
			k4 := kc &^ 3
			if k4 > 0 {
				packA6N(k4, &a[base], lda, &d[0])
			}
			for p := k4; p < kc; p++ {
				for r := 0; r < mr; r++ {
					d[p*mr+r] = a[base+r*lda+p]
				}
			}
		}
	}
}

// packAEdge packs a micro-panel of rows < mr rows of op(A), zero padded.
func packAEdge(d []float32, trans bool, a []float32, lda, i0, p0, rows, kc int) {
	clear(d)
	for r := 0; r < rows; r++ {
		for p := 0; p < kc; p++ {
			if trans {
				d[p*mr+r] = a[(p0+p)*lda+i0+r]
			} else {
				d[p*mr+r] = a[(i0+r)*lda+p0+p]
			}
		}
	}
}

// packB packs the kc×nc block of op(B) starting at row p0, column j0 into
// dst as ceil(nc/nr) micro-panels of the micro-kernel ks (nr = ks.nr). Micro-panel q holds columns
// q*nr..q*nr+nr-1 stored row by row (kc groups of nr values); columns beyond
// nc are zero. op(B)[p][j] is b[p*ldb+j], or b[j*ldb+p] when trans is set.
func packB(ks *microKernel, dst []float32, trans bool, b []float32, ldb, p0, j0, kc, nc int) {
	nr := ks.nr
	for jr := 0; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		d := dst[jr*kc : jr*kc+nr*kc]
		switch {
		case cols < nr:
			packBEdge(d, trans, b, ldb, p0, j0+jr, cols, kc, nr)
		case !trans:
			off := p0*ldb + j0 + jr
			_ = b[off+(kc-1)*ldb+nr-1]
			ks.packN(kc, &b[off], ldb, &d[0])
		default:
			// Gather nr columns of op(B), each contiguous in b.
			base := (j0+jr)*ldb + p0
			_ = b[base+(nr-1)*ldb+kc-1]
			k4 := kc &^ 3
			if k4 > 0 {
				ks.packT(k4, &b[base], ldb, &d[0])
			}
			for p := k4; p < kc; p++ {
				for c := 0; c < nr; c++ {
					d[p*nr+c] = b[base+c*ldb+p]
				}
			}
		}
	}
}

// packBEdge packs a micro-panel of cols < nr columns of op(B), zero padded.
func packBEdge(d []float32, trans bool, b []float32, ldb, p0, j0, cols, kc, nr int) {
	clear(d)
	for p := 0; p < kc; p++ {
		for c := 0; c < cols; c++ {
			if trans {
				d[p*nr+c] = b[(j0+c)*ldb+p0+p]
			} else {
				d[p*nr+c] = b[(p0+p)*ldb+j0+c]
			}
		}
	}
}
