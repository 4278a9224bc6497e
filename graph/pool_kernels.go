package graph

import "github.com/pkg/errors"

// poolKind selects max or average pooling.
type poolKind int

const (
	poolMax poolKind = iota
	poolAvg
)

// window returns the input rows [ylo, yhi) and columns [xlo, xhi) that output
// position (oy, ox) pools over, padding excluded.
func (g convGeom) window(oy, ox int) (ylo, yhi, xlo, xhi int) {
	y0, x0 := oy*g.sh-g.pt, ox*g.sw-g.pl
	return max(y0, 0), min(y0+g.kh, g.h), max(x0, 0), min(x0+g.kw, g.w)
}

// poolForward computes out (n, oh, ow, c), the maximum or the mean of each window
// of x (n, h, w, c) over the positions inside the image, images split across workers.
func poolForward[T float](kind poolKind, x, out []T, g convGeom) error {
	c := g.c
	return parallelFor(g.n, func(_, lo, hi int) error {
		for img := lo; img < hi; img++ {
			for oy := 0; oy < g.oh; oy++ {
				for ox := 0; ox < g.ow; ox++ {
					ylo, yhi, xlo, xhi := g.window(oy, ox)
					count := (yhi - ylo) * (xhi - xlo)
					if count <= 0 {
						return errors.Errorf("pool2d: empty window at (%d, %d) for geometry %v", oy, ox, g)
					}
					o := out[((img*g.oh+oy)*g.ow+ox)*c:][:c]
					for i, v := range x[((img*g.h+ylo)*g.w+xlo)*c:][:c] {
						o[i] = v
					}
					for iy := ylo; iy < yhi; iy++ {
						for ix := xlo; ix < xhi; ix++ {
							if iy == ylo && ix == xlo {
								continue
							}
							src := x[((img*g.h+iy)*g.w+ix)*c:][:c]
							if kind == poolMax {
								for i, v := range src {
									o[i] = max(o[i], v) // branch-free: random data mispredicts a branch
								}
								continue
							}
							for i, v := range src {
								o[i] += v
							}
						}
					}
					if kind == poolAvg {
						inv := 1 / T(count)
						for i := range o {
							o[i] *= inv
						}
					}
				}
			}
		}
		return nil
	})
}

// poolBackward computes dx (n, h, w, c) from x and the output gradient dy: the
// maximum's gradient goes to the first maximal element of each window (in row
// order, as PyTorch and TensorFlow), the mean's is spread evenly over every element
// of the window inside the image.
func poolBackward[T float](kind poolKind, x, dy, dx []T, g convGeom) error {
	c, img := g.c, g.h*g.w*g.c
	return parallelFor(g.n, func(_, lo, hi int) error {
		arg, best := make([]int, c), make([]T, c)
		clear(dx[lo*img : hi*img])
		for n := lo; n < hi; n++ {
			for oy := 0; oy < g.oh; oy++ {
				for ox := 0; ox < g.ow; ox++ {
					ylo, yhi, xlo, xhi := g.window(oy, ox)
					at := ((n*g.oh+oy)*g.ow + ox) * c
					d := dy[at:][:c]
					if kind == poolAvg {
						inv := 1 / T((yhi-ylo)*(xhi-xlo))
						for iy := ylo; iy < yhi; iy++ {
							for ix := xlo; ix < xhi; ix++ {
								dst := dx[((n*g.h+iy)*g.w+ix)*c:][:c]
								for i, v := range d {
									dst[i] += v * inv
								}
							}
						}
						continue
					}
					// Track each channel's first maximum in row order; the
					// comparisons compile to conditional moves (random data
					// mispredicts a branch).
					first := true
					for iy := ylo; iy < yhi; iy++ {
						for ix := xlo; ix < xhi; ix++ {
							p := ((n*g.h+iy)*g.w + ix) * c
							src := x[p:][:c]
							if first {
								copy(best, src)
								for i := range arg {
									arg[i] = p + i
								}
								first = false
								continue
							}
							for i, v := range src {
								b, a := best[i], arg[i]
								if v > b {
									a = p + i
								}
								best[i], arg[i] = max(b, v), a
							}
						}
					}
					for i, a := range arg {
						if a >= 0 {
							dx[a] += d[i]
						}
					}
				}
			}
		}
		return nil
	})
}
