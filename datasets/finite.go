package datasets

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// finiteChunk is the number of examples CheckFinite gathers at a time.
const finiteChunk = 1024

// CheckFinite scans every feature and target value of ds, gathering
// finiteChunk (1024) examples at a time into float64, and returns an error
// for the first NaN or ±Inf it meets. Within a chunk x is scanned before y.
// The error names "x" or "y", the example index and the flat position of the
// value inside that example (row-major over XShape or YShape). Errors from
// Gather are returned wrapped. It returns nil when all values are finite.
func CheckFinite(ds Dataset) error {
	if ds == nil {
		return errors.New("datasets.CheckFinite: nil data set")
	}
	n := ds.Len()
	xSize, ySize := prod(ds.XShape()), prod(ds.YShape())
	chunk := min(n, finiteChunk)
	if chunk <= 0 || xSize <= 0 || ySize <= 0 {
		return errors.Errorf("datasets.CheckFinite: empty data set (%d examples, x shape %v, y shape %v)",
			n, ds.XShape(), ds.YShape())
	}
	xBuf := make([]float64, chunk*xSize)
	yBuf := make([]float64, chunk*ySize)
	idx := make([]int, 0, chunk)
	for start := 0; start < n; start += chunk {
		m := min(chunk, n-start)
		idx = idx[:0]
		for i := start; i < start+m; i++ {
			idx = append(idx, i)
		}
		x := tensor.New(tensor.WithShape(m, xSize), tensor.WithBacking(xBuf[:m*xSize]))
		y := tensor.New(tensor.WithShape(m, ySize), tensor.WithBacking(yBuf[:m*ySize]))
		if err := ds.Gather(idx, x, y); err != nil {
			return errors.Wrapf(err, "datasets.CheckFinite: examples %d to %d", start, start+m-1)
		}
		if err := firstNonFinite("x", xBuf[:m*xSize], xSize, start); err != nil {
			return errors.Wrap(err, "datasets.CheckFinite")
		}
		if err := firstNonFinite("y", yBuf[:m*ySize], ySize, start); err != nil {
			return errors.Wrap(err, "datasets.CheckFinite")
		}
	}
	return nil
}

// firstNonFinite returns an error naming the first NaN or Inf in vals, which
// hold consecutive examples of size per starting at example first.
func firstNonFinite(name string, vals []float64, per, first int) error {
	for i, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.Errorf("%s of example %d has %v at flat position %d", name, first+i/per, v, i%per)
		}
	}
	return nil
}
