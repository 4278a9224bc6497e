package sgemm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Register block (rows of the micro-kernel's tile) and cache block sizes. mc
// must be a multiple of mr and nc a multiple of every kernel's nr.
const (
	mr = 6
	kc = 256
	mc = 144
	nc = 4064
)

// parThreshold is the value of m*n*k above which Sgemm splits the work over
// several goroutines.
const parThreshold = 1 << 23

// chunksPerWorker is the number of strips per worker in a parallel call.
const chunksPerWorker = 2

// buffers holds the packing buffers of one goroutine.
type buffers struct {
	a []float32 // mc×kc packed block of A
	b []float32 // kc×nc packed panel of B

	acc []float32 // smallM×smallN accumulators of the small-m path

	// tile holds an edge tile of C. It lives here rather than on the stack
	// because the micro-kernel is called through a function value, which
	// escape analysis cannot see into.
	tile [mr * maxNR]float32
}

// freeBuffers recycles packing buffers between calls and goroutines. Unlike a
// sync.Pool it survives garbage collections, so a training step does not
// allocate its packing buffers again after each one; it keeps at most
// maxFreeBuffers sets (each at most (mc+nc)·kc floats, about 4.3 MB).
var freeBuffers = make(chan *buffers, maxFreeBuffers)

// maxFreeBuffers bounds the buffers kept between calls.
const maxFreeBuffers = 8

// getBuffers returns a recycled set of packing buffers or a new, empty one.
func getBuffers() *buffers {
	select {
	case b := <-freeBuffers:
		return b
	default:
		return new(buffers)
	}
}

// putBuffers returns buf for reuse, or drops it when enough are kept.
func putBuffers(buf *buffers) {
	select {
	case freeBuffers <- buf:
	default:
	}
}

// reserve grows the buffers to hold an m×k block of A and a k×n panel of B
// packed in micro-panels of nr columns (m, n, k already clipped to the cache
// block sizes).
func (buf *buffers) reserve(m, n, k, nr int) {
	if na := roundUp(m, mr) * k; len(buf.a) < na {
		buf.a = make([]float32, na)
	}
	if nb := k * roundUp(n, nr); len(buf.b) < nb {
		buf.b = make([]float32, nb)
	}
}

// roundUp rounds x up to a multiple of unit.
func roundUp(x, unit int) int { return (x + unit - 1) / unit * unit }

// gemm computes C = alpha*op(A)*op(B) + beta*C with the micro-kernel ks
// after the arguments have been checked; m, n, k > 0 and alpha != 0.
func gemm(ks *microKernel, aTrans, bTrans bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	workers := 1
	if m*n*k >= parThreshold || (m < smallM && !bTrans && n*k >= smallParThreshold) {
		workers = runtime.GOMAXPROCS(0)
	}
	// Split C into row or column strips whose widths are multiples of the
	// register block, so that each strip runs full micro-tiles. Each strip
	// packs its own operands.
	rowSplit := m >= n
	total, unit := n, ks.nr
	if rowSplit {
		total, unit = m, mr
	}
	units := (total + unit - 1) / unit
	// Use chunksPerWorker strips per worker, handed out dynamically, so
	// that a worker slowed down by other load does not delay the call.
	chunks := min(units, workers*chunksPerWorker)
	if m < smallM && !bTrans {
		// The small-m path streams B: one contiguous strip per worker.
		chunks = min(units, workers)
	}
	workers = min(workers, chunks)
	if workers <= 1 {
		gemmSerial(ks, aTrans, bTrans, 0, 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	var next atomic.Int64
	work := func() {
		for {
			ch := int(next.Add(1)) - 1
			if ch >= chunks {
				return
			}
			lo := min(total, units*ch/chunks*unit)
			hi := min(total, units*(ch+1)/chunks*unit)
			if rowSplit {
				gemmSerial(ks, aTrans, bTrans, lo, 0, hi-lo, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			} else {
				gemmSerial(ks, aTrans, bTrans, 0, lo, m, hi-lo, k, alpha, a, lda, b, ldb, beta, c, ldc)
			}
		}
	}
	// The caller's goroutine is one of the workers.
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// gemmSerial computes the m×n block of C starting at row i0, column j0 on
// the calling goroutine.
func gemmSerial(ks *microKernel, aTrans, bTrans bool, i0, j0, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m < smallM && !bTrans {
		gemmSmallM(aTrans, i0, j0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	buf := getBuffers()
	defer putBuffers(buf)
	// Split k into equal K-panels of at most kc so that no panel is tiny.
	kstep := (k + (k+kc-1)/kc - 1) / ((k + kc - 1) / kc)
	nr := ks.nr
	buf.reserve(min(m, mc), min(n, nc), kstep, nr)
	tile := &buf.tile

	for jc := 0; jc < n; jc += nc {
		ncb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kstep {
			kcb := min(kstep, k-pc)
			packB(ks, buf.b, bTrans, b, ldb, pc, j0+jc, kcb, ncb)
			// The first K-panel applies beta; later ones accumulate.
			bet, load := beta, 1
			if pc > 0 {
				bet = 1
			} else if beta == 0 {
				load = 0
			}
			for ic := 0; ic < m; ic += mc {
				mcb := min(mc, m-ic)
				packA(buf.a, aTrans, a, lda, i0+ic, pc, mcb, kcb)
				for jr := 0; jr < ncb; jr += nr {
					nrb := min(nr, ncb-jr)
					bp := &buf.b[jr*kcb]
					for ir := 0; ir < mcb; ir += mr {
						mrb := min(mr, mcb-ir)
						ap := &buf.a[ir*kcb]
						ci := (i0+ic+ir)*ldc + j0 + jc + jr
						if mrb == mr && nrb == nr {
							ks.run(kcb, ap, bp, &c[ci], ldc, alpha, bet, load)
							continue
						}
						// An edge tile goes through a full one, so that its
						// elements get the kernel's arithmetic (beta*C is
						// fused into the sum).
						if load != 0 {
							clear(tile[:mr*nr])
							for r := 0; r < mrb; r++ {
								copy(tile[r*nr:r*nr+nrb], c[ci+r*ldc:ci+r*ldc+nrb])
							}
						}
						ks.run(kcb, ap, bp, &tile[0], nr, alpha, bet, load)
						for r := 0; r < mrb; r++ {
							copy(c[ci+r*ldc:ci+r*ldc+nrb], tile[r*nr:r*nr+nrb])
						}
					}
				}
			}
		}
	}
}
