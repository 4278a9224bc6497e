package graph

// maxCachedCols caps, in elements, the im2col matrices a convolution keeps for its
// kernel gradient (32 MiB in float32); larger layers recompute them.
const maxCachedCols = 8 << 20

// colsCache keeps the im2col matrices of a convolution's last forward run for its
// kernel gradient, which needs the same ones: sharing them saves one im2col per
// training step. The forward op and its kernel-gradient op hold the same pointer;
// in a run the forward always executes first (the gradient depends on its output).
type colsCache struct {
	c32 cachedCols[float32]
	c64 cachedCols[float64]
}

// cachedCols is the whole batch's im2col, chunk after chunk as planConv cuts it,
// valid for the geometry, plan and input memory it was computed from.
type cachedCols[T float] struct {
	data []T
	g    convGeom
	p    convPlan
	x    uintptr
	ok   bool
}

func cacheOf[T float](c *colsCache) *cachedCols[T] {
	if c == nil {
		return nil
	}
	if cc, ok := any(&c.c32).(*cachedCols[T]); ok {
		return cc
	}
	return any(&c.c64).(*cachedCols[T])
}

// begin invalidates the cache and returns the buffer a forward run fills, or nil
// when the batch's matrices would be too large to keep.
func (c *cachedCols[T]) begin(g convGeom) []T {
	if c == nil {
		return nil
	}
	c.ok = false
	n := g.k() * g.n * g.pix()
	if n > maxCachedCols {
		c.data = nil
		return nil
	}
	if cap(c.data) < n {
		c.data = make([]T, n)
	}
	c.data = c.data[:n]
	return c.data
}

// commit marks the buffer filled by a successful forward run of input x.
func (c *cachedCols[T]) commit(g convGeom, p convPlan, x uintptr) {
	if c != nil && c.data != nil {
		c.g, c.p, c.x, c.ok = g, p, x, true
	}
}

// lookup returns the matrices of input x for geometry g and plan p, or nil.
func (c *cachedCols[T]) lookup(g convGeom, p convPlan, x uintptr) []T {
	if c == nil || !c.ok || c.g != g || c.p != p || c.x != x {
		return nil
	}
	return c.data
}
