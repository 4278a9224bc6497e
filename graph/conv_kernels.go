package graph

// convCols is about how many output positions one gemm of a convolution covers:
// images are processed in chunks of max(1, convCols/(oh·ow)) so that the im2col
// buffer (kh·kw·c × positions) stays small enough to be reused from cache.
const convCols = 1024

// convPlan splits a batch across workers and each worker's images into chunks.
type convPlan struct{ workers, chunk int }

func planConv(g convGeom) convPlan {
	w := numWorkers(g.n)
	return convPlan{w, max(1, min(convCols/max(1, g.pix()), (g.n+w-1)/w))}
}

// growConv reserves, before any worker starts, slot 0 of size shared and three
// slots per worker (1+3w, 2+3w, 3+3w) of the given sizes; the workers' get calls
// then only read s.
func growConv[T float](s *scratch[T], p convPlan, shared, a, b, c int) {
	s.get(0, shared)
	for w := 0; w < p.workers; w++ {
		s.get(1+3*w, a)
		s.get(2+3*w, b)
		s.get(3+3*w, c)
	}
}

// convForward computes out (n, oh, ow, f) = x (n, h, w, c) ⊛ kernel (kh, kw, c, f):
// per chunk of images, outᵀ (f × m) = kernelᵀ (f × k) · im2col(x)ᵀ (k × m). The
// im2col matrices go to cache (if not nil and not too large) for the kernel
// gradient; xID identifies x's memory.
func convForward[T float](x, kernel, out []T, g convGeom, s *scratch[T], cache *cachedCols[T], xID uintptr) error {
	gemm := gemmFor[T]()
	k, f, pix := g.k(), g.f, g.pix()
	p := planConv(g)
	keep, colsSize := cache.begin(g), k*p.chunk*pix
	if keep != nil {
		colsSize = 0
	}
	growConv(s, p, f*k, colsSize, f*p.chunk*pix, 0)
	wT := s.get(0, f*k)
	transpose(kernel, k, f, wT)
	err := parallelFor(g.n, func(w, lo, hi int) error {
		colsBuf, outBuf := s.get(1+3*w, colsSize), s.get(2+3*w, f*p.chunk*pix)
		for n0 := lo; n0 < hi; n0 += p.chunk {
			n1 := min(n0+p.chunk, hi)
			m := (n1 - n0) * pix
			outT := outBuf[:f*m]
			var cols []T
			if keep != nil {
				cols = keep[n0*pix*k : n1*pix*k]
			} else {
				cols = colsBuf[:k*m]
			}
			im2colT(x, g, n0, n1, cols)
			gemmTiled(gemm, false, f, m, k, wT, k, cols, m, 0, outT, m)
			transpose(outT, f, m, out[n0*pix*f:n1*pix*f])
		}
		return nil
	})
	if err == nil {
		cache.commit(g, p, xID)
	}
	return err
}

// convKernelGrad computes dk (kh, kw, c, f), the gradient of the kernel, from x and
// the output gradient dy (n, oh, ow, f): dkᵀ = Σ chunks dyᵀ (f × m) · im2col(x) (m ×
// k). Each worker sums its own images; the partial sums are added in worker order.
// The forward run's im2col matrices are taken from cache when it holds those of x.
func convKernelGrad[T float](x, dy, dk []T, g convGeom, s *scratch[T], cache *cachedCols[T], xID uintptr) error {
	gemm := gemmFor[T]()
	k, f, pix := g.k(), g.f, g.pix()
	p := planConv(g)
	kept, colsSize := cache.lookup(g, p, xID), k*p.chunk*pix
	if kept != nil {
		colsSize = 0
	}
	growConv(s, p, 0, colsSize, f*p.chunk*pix, f*k)
	err := parallelFor(g.n, func(w, lo, hi int) error {
		colsBuf, dyBuf, acc := s.get(1+3*w, colsSize), s.get(2+3*w, f*p.chunk*pix), s.get(3+3*w, f*k)
		clear(acc)
		for n0 := lo; n0 < hi; n0 += p.chunk {
			n1 := min(n0+p.chunk, hi)
			m := (n1 - n0) * pix
			dyT := dyBuf[:f*m]
			var cols []T
			if kept != nil {
				cols = kept[n0*pix*k : n1*pix*k]
			} else {
				cols = colsBuf[:k*m]
				im2colT(x, g, n0, n1, cols)
			}
			transpose(dy[n0*pix*f:n1*pix*f], m, f, dyT)
			gemmTiled(gemm, true, f, k, m, dyT, m, cols, m, 1, acc, k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	clear(dk)
	for w := 0; w < numWorkers(g.n); w++ {
		acc := s.get(3+3*w, f*k)
		for r := 0; r < k; r++ {
			for c := 0; c < f; c++ {
				dk[r*f+c] += acc[c*k+r]
			}
		}
	}
	return nil
}

// convInputGrad computes dx (n, h, w, c), the gradient of the input, from the
// kernel and dy (n, oh, ow, f): col2im of kernel (k × f) · dyᵀ (f × m) per chunk.
func convInputGrad[T float](kernel, dy, dx []T, g convGeom, s *scratch[T]) error {
	gemm := gemmFor[T]()
	k, f, pix, img := g.k(), g.f, g.pix(), g.h*g.w*g.c
	p := planConv(g)
	growConv(s, p, 0, k*p.chunk*pix, f*p.chunk*pix, 0)
	return parallelFor(g.n, func(w, lo, hi int) error {
		colsBuf, dyBuf := s.get(1+3*w, k*p.chunk*pix), s.get(2+3*w, f*p.chunk*pix)
		for n0 := lo; n0 < hi; n0 += p.chunk {
			n1 := min(n0+p.chunk, hi)
			m := (n1 - n0) * pix
			cols, dyT := colsBuf[:k*m], dyBuf[:f*m]
			transpose(dy[n0*pix*f:n1*pix*f], m, f, dyT)
			gemmTiled(gemm, false, k, m, f, kernel, f, dyT, m, 0, cols, m)
			clear(dx[n0*img : n1*img])
			col2imT(cols, g, n0, n1, dx)
		}
		return nil
	})
}
