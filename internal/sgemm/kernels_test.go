package sgemm

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// supportedKernels returns the micro-kernels this CPU can run, narrowest
// first.
func supportedKernels() []*microKernel {
	var ks []*microKernel
	if hasKernel {
		ks = append(ks, avx2Kernel)
	}
	if hasAVX512 {
		ks = append(ks, avx512Kernel)
	}
	return ks
}

// forEachKernel runs f as a subtest with each supported micro-kernel selected
// in turn, or once (on gonum's Sgemm) when there is none.
func forEachKernel(t *testing.T, f func(t *testing.T)) {
	ks := supportedKernels()
	if len(ks) == 0 {
		f(t)
		return
	}
	saved := kern
	defer func() { kern = saved }()
	for _, k := range ks {
		kern = k
		t.Run(k.name, f)
	}
}

// TestKernelsAgree: every micro-kernel gives the bits of the narrowest one, on
// shapes around both tile widths and both cache blocks, all transposes, alpha
// and beta values, serial and parallel.
func TestKernelsAgree(t *testing.T) {
	ks := supportedKernels()
	if len(ks) < 2 {
		t.Skipf("one micro-kernel on this CPU (%s): nothing to compare", KernelName())
	}
	saved := kern
	defer func() { kern = saved }()
	rnd := rand.New(rand.NewPCG(15, 16))
	for _, sz := range [][3]int{{6, 16, 1}, {7, 31, 5}, {13, 33, 300}, {150, 65, 513}, {290, 256, 784}, {64, 4100, 40}, {5, 40, 9}} {
		for _, tA := range transposes {
			for _, tB := range transposes {
				for _, ab := range [][2]float32{{1, 0}, {-0.5, 1}, {2.5, 0.3}} {
					m, n, k := sz[0], sz[1], sz[2]
					lda, ldb := k+1, n+2
					if tA != blas.NoTrans {
						lda = m + 1
					}
					if tB != blas.NoTrans {
						ldb = k + 2
					}
					a, b := randSlice(rnd, 2*lda*max(m, k)), randSlice(rnd, 2*ldb*max(n, k))
					c0 := randSlice(rnd, m*n)
					var want []float32
					for i, kk := range ks {
						kern = kk
						for _, procs := range []int{1, runtime.GOMAXPROCS(0)} {
							got := append([]float32(nil), c0...)
							if procs == 1 {
								SgemmSerial(tA, tB, m, n, k, ab[0], a, lda, b, ldb, ab[1], got, n)
							} else {
								Sgemm(tA, tB, m, n, k, ab[0], a, lda, b, ldb, ab[1], got, n)
							}
							if i == 0 && want == nil {
								want = got
								continue
							}
							for j := range want {
								if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
									t.Fatalf("%s m=%d n=%d k=%d tA=%c tB=%c alpha=%v beta=%v procs=%d: element %d is %v, %s gives %v",
										kk.name, m, n, k, tA, tB, ab[0], ab[1], procs, j, got[j], ks[0].name, want[j])
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestGeneratedKernelIsCurrent: kernel_avx512_amd64.s is what gen_avx512.go
// writes (run go generate after changing the generator).
func TestGeneratedKernelIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the generator")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out := filepath.Join(t.TempDir(), "kernel.s")
	if msg, err := exec.Command(goTool, "run", "gen_avx512.go", "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("go run gen_avx512.go: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("kernel_avx512_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("kernel_avx512_amd64.s differs from gen_avx512.go's output: run go generate ./internal/sgemm")
	}
}
