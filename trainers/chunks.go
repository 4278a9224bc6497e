package trainers

import (
	"runtime"
	"sync"
)

// minChunk is the number of elements below which an element-wise update runs
// on the calling goroutine: a goroutine costs about a microsecond, a float32
// Adam update about 1.5 ns per element.
const minChunk = 1 << 15

// forChunks calls fn on contiguous ranges covering [0, n): on the calling
// goroutine alone when n < 2·minChunk, else on up to GOMAXPROCS goroutines at
// once. For element-wise updates, whose result does not depend on the split. A
// panic in fn is raised again on the calling goroutine.
func forChunks(n int, fn func(lo, hi int)) {
	parts := min(runtime.GOMAXPROCS(0), n/minChunk)
	if parts <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	panics := make([]any, parts)
	for p := 1; p < parts; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			defer func() { panics[p] = recover() }()
			fn(p*n/parts, (p+1)*n/parts)
		}(p)
	}
	func() {
		defer func() { panics[0] = recover() }()
		fn(0, n/parts)
	}()
	wg.Wait()
	for _, r := range panics {
		if r != nil {
			panic(r)
		}
	}
}

// slotPart is s[lo:hi], or s itself when it does not cover the range (an unused
// optimizer slot).
func slotPart[T float](s []T, lo, hi int) []T {
	if len(s) < hi {
		return s
	}
	return s[lo:hi]
}
