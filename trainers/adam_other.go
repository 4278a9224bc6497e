//go:build !amd64 || purego

package trainers

// adamFast does nothing without the amd64 assembly: it returns 0 and the Go
// loop updates every element.
func adamFast[T float](w, g, m, v, vmax []T, c optConfig, k adamConsts) int {
	return 0
}

// hasAdamAVX2 is false: there is no assembly kernel for this build.
var hasAdamAVX2 = false
