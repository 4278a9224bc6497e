//go:build !amd64 || purego

package vec

// HasAVX2 is false: there is no assembly in this build.
func HasAVX2() bool { return false }

// ReLU does nothing without the amd64 assembly: it returns 0.
func ReLU(x, y []float32) int { return 0 }

// ReLUGrad does nothing without the amd64 assembly: it returns 0.
func ReLUGrad(x, g, y []float32) int { return 0 }
