//go:build openblas

package main

import "gonum.org/v1/netlib/blas/netlib"

// otherPeakGEMMs adds OpenBLAS's sgemm to the candidates of peakGFLOPs.
func otherPeakGEMMs() []peakGEMM {
	return []peakGEMM{{"openblas", netlib.Implementation{}.Sgemm}}
}
