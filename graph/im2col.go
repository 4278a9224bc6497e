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

// im2col writes the patches of images [n0, n1) of x (NHWC, geometry g) as the
// rows of cols, an m×k matrix with m = (n1-n0)·pix and k = kh·kw·c: row
// (image-n0)·pix + oy·ow + ox, column (ky·kw+kx)·c+ci holds x[image,
// oy·sh-pt+ky·dh, ox·sw-pl+kx·dw, ci], and 0 where that position is padding.
// The column order matches a kernel of shape (kh, kw, c, f) read as a (k, f)
// matrix, so cols·kernel is the convolution's output in NHWC order. In NHWC
// the c channels of one tap, and without dilation the kw·c values of one
// kernel row, are contiguous in x: each is one copy.
func im2col[T float](x []T, g convGeom, n0, n1 int, cols []T) {
	k, run := g.k(), g.kw*g.c
	j := 0
	for img := n0; img < n1; img++ {
		for oy := 0; oy < g.oh; oy++ {
			for ox := 0; ox < g.ow; ox++ {
				dst := cols[j*k : (j+1)*k]
				j++
				ix0 := ox*g.sw - g.pl
				whole := g.dw == 1 && ix0 >= 0 && ix0+g.kw <= g.w
				for ky := 0; ky < g.kh; ky++ {
					seg := dst[ky*run : (ky+1)*run]
					iy := oy*g.sh - g.pt + ky*g.dh
					if iy < 0 || iy >= g.h {
						clear(seg)
						continue
					}
					rowStart := (img*g.h + iy) * g.w
					if whole {
						copy(seg, x[(rowStart+ix0)*g.c:(rowStart+ix0+g.kw)*g.c])
						continue
					}
					for kx := 0; kx < g.kw; kx++ {
						part := seg[kx*g.c : (kx+1)*g.c]
						if ix := ix0 + kx*g.dw; ix >= 0 && ix < g.w {
							copy(part, x[(rowStart+ix)*g.c:(rowStart+ix+1)*g.c])
						} else {
							clear(part)
						}
					}
				}
			}
		}
	}
}

// col2im is the adjoint of im2col: it adds every row of cols (m×k) back to the
// input positions it was read from, into dx for images [n0, n1). dx must be
// zeroed by the caller for those images.
func col2im[T float](cols []T, g convGeom, n0, n1 int, dx []T) {
	k, run := g.k(), g.kw*g.c
	j := 0
	for img := n0; img < n1; img++ {
		for oy := 0; oy < g.oh; oy++ {
			for ox := 0; ox < g.ow; ox++ {
				src := cols[j*k : (j+1)*k]
				j++
				ix0 := ox*g.sw - g.pl
				whole := g.dw == 1 && ix0 >= 0 && ix0+g.kw <= g.w
				for ky := 0; ky < g.kh; ky++ {
					iy := oy*g.sh - g.pt + ky*g.dh
					if iy < 0 || iy >= g.h {
						continue
					}
					seg := src[ky*run : (ky+1)*run]
					rowStart := (img*g.h + iy) * g.w
					if whole {
						addTo(dx[(rowStart+ix0)*g.c:(rowStart+ix0+g.kw)*g.c], seg)
						continue
					}
					for kx := 0; kx < g.kw; kx++ {
						if ix := ix0 + kx*g.dw; ix >= 0 && ix < g.w {
							addTo(dx[(rowStart+ix)*g.c:(rowStart+ix+1)*g.c], seg[kx*g.c:(kx+1)*g.c])
						}
					}
				}
			}
		}
	}
}

// addTo adds src to dst element by element; len(dst) == len(src).
func addTo[T float](dst, src []T) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] += v
	}
}
