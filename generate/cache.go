package generate

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// writeSlot copies src (1, H, 1, D) into slot of dst (1, H, Tc, D).
func writeSlot(dst, src *tensor.Dense, slot int) error {
	ds, ss := dst.Shape(), src.Shape()
	if len(ds) != 4 || len(ss) != 4 || ss[1] != ds[1] || ss[2] != 1 || ss[3] != ds[3] || slot >= ds[2] {
		return errors.Errorf("generate: cache %v cannot take %v at slot %d", ds, ss, slot)
	}
	h, tc, d := ds[1], ds[2], ds[3]
	switch dv := dst.Data().(type) {
	case []float32:
		sv := src.Data().([]float32)
		for i := 0; i < h; i++ {
			copy(dv[(i*tc+slot)*d:(i*tc+slot+1)*d], sv[i*d:(i+1)*d])
		}
	case []float64:
		sv := src.Data().([]float64)
		for i := 0; i < h; i++ {
			copy(dv[(i*tc+slot)*d:(i*tc+slot+1)*d], sv[i*d:(i+1)*d])
		}
	default:
		return errors.Errorf("generate: cache of %v", dst.Dtype())
	}
	return nil
}

// setAt sets element i of a float tensor.
func setAt(t *tensor.Dense, i int, v float64) {
	switch d := t.Data().(type) {
	case []float32:
		d[i] = float32(v)
	case []float64:
		d[i] = v
	}
}

// zero sets a float tensor to zeros.
func zero(t *tensor.Dense) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = 0
		}
	case []float64:
		for i := range d {
			d[i] = 0
		}
	}
}

// values returns a float tensor's values as float64s (a copy).
func values(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	return nil
}
