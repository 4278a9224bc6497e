// Package vec holds element-wise float32 loops in AVX2 assembly for packages
// that cannot hold assembly themselves: Go refuses Go assembly in a package
// that uses cgo, as package graph does in the openblas build.
//
// Each function does the first len(x)&^7 elements and returns how many it did
// (0 on CPUs without AVX2 and on other architectures or with -tags purego);
// the caller's Go loop does the rest, with the same results bit for bit.
package vec
