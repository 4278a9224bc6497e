//go:build !openblas

package main

// otherPeakGEMMs adds nothing in the pure-Go build: peakGFLOPs measures
// internal/sgemm alone.
func otherPeakGEMMs() []peakGEMM { return nil }
