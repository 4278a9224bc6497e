package trainers

import (
	"math"
	"runtime"
	"sync"

	"github.com/pkg/errors"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gorgonia.org/tensor"
)

// dpWork holds the buffers of the per-example computations of one run.
type dpWork struct {
	a, g   [][]float64 // per layer: its input and its scaled output gradient
	cols   [][]float64 // per worker: one example's patches (Conv2D)
	per    [][]float64 // per Conv2D layer: every example's kernel gradient, then its bias gradient
	normSq []float64   // per example: the squared gradient norm so far
	gc     []float64   // c ⊙ G of a Dense layer
}

// valueOf copies the first n values of d into buf (grown as needed) as float64,
// materializing a view first.
func valueOf(d *tensor.Dense, buf []float64) ([]float64, error) {
	if d == nil {
		return nil, errors.New("a layer value has no tensor")
	}
	if d.IsMaterializable() {
		m, ok := d.Materialize().(*tensor.Dense)
		if !ok {
			return nil, errors.New("a layer value cannot be materialized")
		}
		d = m
	}
	n := d.Shape().TotalSize()
	if cap(buf) < n {
		buf = make([]float64, n)
	}
	buf = buf[:n]
	switch v := d.Data().(type) {
	case []float32:
		for i := range buf {
			buf[i] = float64(v[i])
		}
	case []float64:
		copy(buf, v[:n])
	default:
		return nil, errors.Errorf("a layer value of dtype %v", d.Dtype())
	}
	return buf, nil
}

// clipInto adds the clipped gradients of the first rows examples of dp's last
// run to sum (one slice per dp.params, in their row-major order): Σ_i c_i·∇L_i
// with c_i = min(1, clip/||∇L_i||), ∇L_i = B·(the example's share of the batch
// objective's gradient), B the program's batch. norms, when not nil, receives
// ||∇L_i|| for each of the rows examples.
func (dp *dpProgram) clipInto(w *dpWork, sum [][]float64, rows int, clip float64, norms []float64) error {
	batch := dp.xs[0].Shape()[0]
	if len(w.a) != len(dp.layers) {
		w.a, w.g, w.per = make([][]float64, len(dp.layers)), make([][]float64, len(dp.layers)), make([][]float64, len(dp.layers))
	}
	if cap(w.normSq) < rows {
		w.normSq = make([]float64, rows)
	}
	w.normSq = w.normSq[:rows]
	for i := range w.normSq {
		w.normSq[i] = 0
	}
	var err error
	for li := range dp.layers {
		l := &dp.layers[li]
		if w.a[li], err = valueOf(dp.exec.Dense(l.in), w.a[li]); err != nil {
			return errors.Wrapf(err, "layer %q: input", l.name)
		}
		if w.g[li], err = valueOf(dp.exec.Dense(l.grad), w.g[li]); err != nil {
			return errors.Wrapf(err, "layer %q: output gradient", l.name)
		}
		for j := range w.g[li] {
			w.g[li][j] *= float64(batch)
		}
		if l.conv {
			err = dp.convNorms(w, li, rows)
		} else {
			dp.denseNorms(w, li, rows)
		}
		if err != nil {
			return errors.Wrapf(err, "layer %q", l.name)
		}
	}
	c := make([]float64, rows)
	for i, s := range w.normSq {
		n := math.Sqrt(s)
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return errors.Errorf("example %d of the batch has a gradient norm of %g", i, n)
		}
		c[i] = 1
		if n > clip {
			c[i] = clip / n
		}
		if norms != nil {
			norms[i] = n
		}
	}
	for li := range dp.layers {
		l := &dp.layers[li]
		if l.conv {
			dp.convSum(w, li, rows, c, sum)
		} else {
			dp.denseSum(w, li, rows, c, sum)
		}
	}
	return nil
}

// dims of a tapped layer: the input width k and output width f per position,
// and the number of positions p (1 for Dense).
func (dp *dpProgram) dims(li int) (k, f, p int) {
	l := &dp.layers[li]
	ks := dp.params[l.kernel].Value.Shape()
	f = ks[len(ks)-1]
	k = ks.TotalSize() / f
	gs := l.grad.Shape()
	p = gs.TotalSize() / gs[0] / f
	return k, f, p
}

// denseNorms adds ||a_i||²·||g_i||² (+ ||g_i||² for the bias) to each example's
// squared norm: the kernel gradient a_i g_iᵀ is an outer product.
func (dp *dpProgram) denseNorms(w *dpWork, li, rows int) {
	k, f, _ := dp.dims(li)
	a, g := w.a[li], w.g[li]
	for i := 0; i < rows; i++ {
		an, gn := sumSq(a[i*k:(i+1)*k]), sumSq(g[i*f:(i+1)*f])
		w.normSq[i] += an * gn
		if dp.layers[li].bias >= 0 {
			w.normSq[i] += gn
		}
	}
}

// denseSum adds Aᵀ(c ⊙ G) to the kernel's sum and Σ c_i g_i to the bias's.
func (dp *dpProgram) denseSum(w *dpWork, li, rows int, c []float64, sum [][]float64) {
	l := &dp.layers[li]
	k, f, _ := dp.dims(li)
	if cap(w.gc) < rows*f {
		w.gc = make([]float64, rows*f)
	}
	gc := w.gc[:rows*f]
	for i := 0; i < rows; i++ {
		for j := 0; j < f; j++ {
			gc[i*f+j] = c[i] * w.g[li][i*f+j]
		}
	}
	A := blas64.General{Rows: rows, Cols: k, Stride: k, Data: w.a[li][:rows*k]}
	Gm := blas64.General{Rows: rows, Cols: f, Stride: f, Data: gc}
	W := blas64.General{Rows: k, Cols: f, Stride: f, Data: sum[l.kernel]}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, A, Gm, 1, W)
	if l.bias >= 0 {
		b := sum[l.bias]
		for i := 0; i < rows; i++ {
			for j := 0; j < f; j++ {
				b[j] += gc[i*f+j]
			}
		}
	}
}

// convNorms computes each example's kernel gradient G_iᵀ·patches (F×K, the
// transpose of the kernel's (kh·kw·C, F) layout) and bias gradient Σ_p G_i[p] into w.per, and
// adds their squared norms; the examples are shared among up to GOMAXPROCS
// (at most 4) goroutines.
func (dp *dpProgram) convNorms(w *dpWork, li, rows int) error {
	l := &dp.layers[li]
	k, f, p := dp.dims(li)
	geo, err := dpGeometry(l, dp.exec.Dense(l.in).Shape(), l.grad.Shape())
	if err != nil {
		return err
	}
	stride := k*f + f
	if cap(w.per[li]) < rows*stride {
		w.per[li] = make([]float64, rows*stride)
	}
	per := w.per[li][:rows*stride]
	workers := min(runtime.GOMAXPROCS(0), 4, rows)
	for len(w.cols) < workers {
		w.cols = append(w.cols, nil)
	}
	in := geo.h * geo.w * geo.c
	var wg sync.WaitGroup
	for wk := 0; wk < workers; wk++ {
		if cap(w.cols[wk]) < p*k {
			w.cols[wk] = make([]float64, p*k)
		}
		cols := w.cols[wk][:p*k]
		wg.Add(1)
		go func(first int) {
			defer wg.Done()
			for i := first; i < rows; i += workers {
				geo.im2col(w.a[li][i*in:(i+1)*in], cols)
				gi := w.g[li][i*p*f : (i+1)*p*f]
				out := per[i*stride : i*stride+k*f]
				// Gᵀ·patches (F×K): long inner rows of K, faster than
				// patchesᵀ·G's rows of F.
				blas64.Gemm(blas.Trans, blas.NoTrans, 1,
					blas64.General{Rows: p, Cols: f, Stride: f, Data: gi},
					blas64.General{Rows: p, Cols: k, Stride: k, Data: cols},
					0, blas64.General{Rows: f, Cols: k, Stride: k, Data: out})
				bias := per[i*stride+k*f : (i+1)*stride]
				for j := range bias {
					bias[j] = 0
				}
				for q := 0; q < p; q++ {
					for j := 0; j < f; j++ {
						bias[j] += gi[q*f+j]
					}
				}
				sq := sumSq(out)
				if l.bias >= 0 {
					sq += sumSq(bias)
				}
				w.normSq[i] += sq
			}
		}(wk)
	}
	wg.Wait()
	return nil
}

// convSum adds Σ c_i (kernel, bias gradient of example i) to the sums.
func (dp *dpProgram) convSum(w *dpWork, li, rows int, c []float64, sum [][]float64) {
	l := &dp.layers[li]
	k, f, _ := dp.dims(li)
	stride := k*f + f
	for i := 0; i < rows; i++ {
		row := w.per[li][i*stride : (i+1)*stride]
		kern := sum[l.kernel]
		for fi := 0; fi < f; fi++ { // row holds the kernel gradient as (F, K)
			for ki, v := range row[fi*k : (fi+1)*k] {
				kern[ki*f+fi] += c[i] * v
			}
		}
		if l.bias >= 0 {
			axpy(c[i], row[k*f:], sum[l.bias])
		}
	}
}

func sumSq(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for i, v := range x {
		y[i] += a * v
	}
}

// convGeo is a Conv2D's geometry for one example: input (h, w, c), output
// (oh, ow), kernel (kh, kw), strides, dilation and the top and left padding.
type convGeo struct {
	h, w, c, oh, ow, kh, kw, sy, sx, dy, dx, top, left int
}

// dpGeometry reads a tapped Conv2D's geometry from its input (B, H, W, C) and
// output gradient (B, OH, OW, F) shapes. "same" padding puts the odd row or
// column at the bottom or right, as Keras does.
func dpGeometry(l *dpLayer, in, out tensor.Shape) (convGeo, error) {
	if len(in) != 4 || len(out) != 4 {
		return convGeo{}, errors.Errorf("convolution input %v or output %v is not (batch, height, width, channels)", in, out)
	}
	g := convGeo{h: in[1], w: in[2], c: in[3], oh: out[1], ow: out[2], kh: l.kh, kw: l.kw,
		sy: l.spec.Strides[0], sx: l.spec.Strides[1], dy: l.spec.Dilation[0], dx: l.spec.Dilation[1]}
	if l.spec.Padding == "same" {
		g.top = max((g.oh-1)*g.sy+(g.kh-1)*g.dy+1-g.h, 0) / 2
		g.left = max((g.ow-1)*g.sx+(g.kw-1)*g.dx+1-g.w, 0) / 2
	}
	return g, nil
}

// im2col writes the patches of one example x (h, w, c) into cols (oh·ow rows
// of kh·kw·c, in the kernel's (kh, kw, c) order), zeros outside the image.
func (g convGeo) im2col(x, cols []float64) {
	k := g.kh * g.kw * g.c
	for oy := 0; oy < g.oh; oy++ {
		for ox := 0; ox < g.ow; ox++ {
			row := cols[(oy*g.ow+ox)*k : (oy*g.ow+ox+1)*k]
			for ky := 0; ky < g.kh; ky++ {
				iy := oy*g.sy - g.top + ky*g.dy
				for kx := 0; kx < g.kw; kx++ {
					ix := ox*g.sx - g.left + kx*g.dx
					dst := row[(ky*g.kw+kx)*g.c : (ky*g.kw+kx+1)*g.c]
					if iy < 0 || iy >= g.h || ix < 0 || ix >= g.w {
						for j := range dst {
							dst[j] = 0
						}
						continue
					}
					copy(dst, x[(iy*g.w+ix)*g.c:(iy*g.w+ix+1)*g.c])
				}
			}
		}
	}
}
