//go:build !openblas

package main

import "github.com/pkg/errors"

// peakGFLOPs needs OpenBLAS: the peak is that of a large OpenBLAS sgemm.
func peakGFLOPs() (float64, error) {
	return 0, errors.New("-peak needs the openblas build (go build -tags openblas)")
}
