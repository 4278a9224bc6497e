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
// per chunk of images, out (m × f) = im2col(x) (m × k) · kernel (k × f), written
// in place in NHWC order. The im2col matrices go to cache (if not nil and not
// too large) for the kernel gradient; xID identifies x's memory.
func convForward[T float](x, kernel, out []T, g convGeom, s *scratch[T], cache *cachedCols[T], xID uintptr) error {
	k, f, pix := g.k(), g.f, g.pix()
	p := planConv(g)
	gemm := gemmFor[T](p.workers)
	keep, colsSize := cache.begin(g), k*p.chunk*pix
	if keep != nil {
		colsSize = 0
	}
	growConv(s, p, 0, colsSize, 0, 0)
	err := parallelFor(g.n, func(w, lo, hi int) error {
		colsBuf := s.get(1+3*w, colsSize)
		for n0 := lo; n0 < hi; n0 += p.chunk {
			n1 := min(n0+p.chunk, hi)
			m := (n1 - n0) * pix
			var cols []T
			if keep != nil {
				cols = keep[n0*pix*k : n1*pix*k]
			} else {
				cols = colsBuf[:m*k]
			}
			im2col(x, g, n0, n1, cols)
			gemmTiled(gemm, false, false, m, f, k, cols, k, kernel, f, 0, out[n0*pix*f:n1*pix*f], f)
		}
		return nil
	})
	if err == nil {
		cache.commit(g, p, xID)
	}
	return err
}

// convKernelGrad computes dk (kh, kw, c, f), the gradient of the kernel, from x and
// the output gradient dy (n, oh, ow, f): dk = Σ chunks im2col(x)ᵀ (k × m) · dy (m ×
// f). Each worker sums its own images; the partial sums are added in worker order.
// The forward run's im2col matrices are taken from cache when it holds those of x.
func convKernelGrad[T float](x, dy, dk []T, g convGeom, s *scratch[T], cache *cachedCols[T], xID uintptr) error {
	k, f, pix := g.k(), g.f, g.pix()
	p := planConv(g)
	gemm := gemmFor[T](p.workers)
	kept, colsSize := cache.lookup(g, p, xID), k*p.chunk*pix
	if kept != nil {
		colsSize = 0
	}
	growConv(s, p, 0, colsSize, 0, k*f)
	err := parallelFor(g.n, func(w, lo, hi int) error {
		colsBuf, acc := s.get(1+3*w, colsSize), s.get(3+3*w, k*f)
		clear(acc)
		for n0 := lo; n0 < hi; n0 += p.chunk {
			n1 := min(n0+p.chunk, hi)
			m := (n1 - n0) * pix
			var cols []T
			if kept != nil {
				cols = kept[n0*pix*k : n1*pix*k]
			} else {
				cols = colsBuf[:m*k]
				im2col(x, g, n0, n1, cols)
			}
			gemmTiled(gemm, true, false, k, f, m, cols, k, dy[n0*pix*f:n1*pix*f], f, 1, acc, f)
		}
		return nil
	})
	if err != nil {
		return err
	}
	copy(dk, s.get(3, k*f))
	for w := 1; w < numWorkers(g.n); w++ {
		addTo(dk, s.get(3+3*w, k*f))
	}
	return nil
}

// convInputGrad computes dx (n, h, w, c), the gradient of the input, from the
// kernel and dy (n, oh, ow, f): col2im of dy (m × f) · kernelᵀ (f × k) per chunk.
func convInputGrad[T float](kernel, dy, dx []T, g convGeom, s *scratch[T]) error {
	k, f, pix, img := g.k(), g.f, g.pix(), g.h*g.w*g.c
	p := planConv(g)
	gemm := gemmFor[T](p.workers)
	growConv(s, p, 0, k*p.chunk*pix, 0, 0)
	return parallelFor(g.n, func(w, lo, hi int) error {
		colsBuf := s.get(1+3*w, k*p.chunk*pix)
		for n0 := lo; n0 < hi; n0 += p.chunk {
			n1 := min(n0+p.chunk, hi)
			m := (n1 - n0) * pix
			cols := colsBuf[:m*k]
			gemmTiled(gemm, false, true, m, k, f, dy[n0*pix*f:n1*pix*f], f, kernel, f, 0, cols, k)
			clear(dx[n0*img : n1*img])
			col2im(cols, g, n0, n1, dx)
		}
		return nil
	})
}
