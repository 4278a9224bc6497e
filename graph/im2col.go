package graph

// validRange is the range [lo, hi) of output positions o in [0, n) whose input
// position o·s + off lies inside [0, size).
func validRange(off, s, size, n int) (lo, hi int) {
	lo = 0
	if off < 0 {
		lo = (-off + s - 1) / s
	}
	hi = 0
	if size-1-off >= 0 {
		hi = (size-1-off)/s + 1
	}
	hi = min(hi, n)
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// im2colT writes the patches of images [n0, n1) of x (NHWC, geometry g) as the
// columns of cols, a k×m matrix with m = (n1-n0)·pix: row (ky·kw+kx)·c+ci, column
// (image-n0)·pix + oy·ow + ox holds x[image, oy·sh-pt+ky·dh, ox·sw-pl+kx·dw, ci],
// and 0 where that position is padding. The row order matches a kernel of shape
// (kh, kw, c, f) read as a (k, f) matrix.
func im2colT[T float](x []T, g convGeom, n0, n1 int, cols []T) {
	m := (n1 - n0) * g.pix()
	for ky := 0; ky < g.kh; ky++ {
		for kx := 0; kx < g.kw; kx++ {
			r0 := (ky*g.kw + kx) * g.c
			xoff := kx*g.dw - g.pl
			lo, hi := validRange(xoff, g.sw, g.w, g.ow)
			for img := n0; img < n1; img++ {
				for oy := 0; oy < g.oh; oy++ {
					iy := oy*g.sh - g.pt + ky*g.dh
					j0 := (img-n0)*g.pix() + oy*g.ow
					for ci := 0; ci < g.c; ci++ {
						row := cols[(r0+ci)*m+j0 : (r0+ci)*m+j0+g.ow]
						if iy < 0 || iy >= g.h {
							clear(row)
							continue
						}
						clear(row[:lo])
						clear(row[hi:])
						base := ((img*g.h+iy)*g.w+xoff)*g.c + ci
						if g.sw == 1 && g.c == 1 {
							copy(row[lo:hi], x[base+lo:base+hi])
							continue
						}
						step := g.sw * g.c
						for ox := lo; ox < hi; ox++ {
							row[ox] = x[base+ox*step]
						}
					}
				}
			}
		}
	}
}

// col2imT is the adjoint of im2colT: it adds every column of cols (k×m) back to
// the input positions it was read from, into dx for images [n0, n1). dx must be
// zeroed by the caller for those images.
func col2imT[T float](cols []T, g convGeom, n0, n1 int, dx []T) {
	m := (n1 - n0) * g.pix()
	for ky := 0; ky < g.kh; ky++ {
		for kx := 0; kx < g.kw; kx++ {
			r0 := (ky*g.kw + kx) * g.c
			xoff := kx*g.dw - g.pl
			lo, hi := validRange(xoff, g.sw, g.w, g.ow)
			for img := n0; img < n1; img++ {
				for oy := 0; oy < g.oh; oy++ {
					iy := oy*g.sh - g.pt + ky*g.dh
					if iy < 0 || iy >= g.h {
						continue
					}
					j0 := (img-n0)*g.pix() + oy*g.ow
					step := g.sw * g.c
					for ci := 0; ci < g.c; ci++ {
						row := cols[(r0+ci)*m+j0 : (r0+ci)*m+j0+g.ow]
						base := ((img*g.h+iy)*g.w+xoff)*g.c + ci
						for ox := lo; ox < hi; ox++ {
							dx[base+ox*step] += row[ox]
						}
					}
				}
			}
		}
	}
}
