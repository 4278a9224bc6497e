//go:build ignore

// gen_avx512 writes kernel_avx512_amd64.s: the AVX-512 micro-kernel
// kernel6x32 and the packing of its 32-column micro-panels of B.
//
//	go generate ./internal/sgemm
//
// With -o FILE it writes FILE instead (TestGeneratedKernelIsCurrent).
//
// The kernel performs, for every element of C, the same fused
// multiply-adds in the same order as kernel6x16 (a zero accumulator, one
// FMA per k, then a product with alpha and one FMA with beta*C), so the two
// kernels give the same bits.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// asm accumulates assembly lines.
type asm struct{ strings.Builder }

func (w *asm) p(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }

const (
	mr     = 6  // rows of the micro-tile
	nr     = 32 // columns of the micro-tile: two ZMM registers
	nv     = nr / 16
	unroll = 4 // K steps per loop iteration
	pfDist = 1024
)

// acc is the register accumulating row r, vector v of the tile; bz holds
// vector v of the current row of the B panel.
func acc(r, v int) string { return fmt.Sprintf("Z%d", r*nv+v) }
func bz(v int) string     { return fmt.Sprintf("Z%d", mr*nv+v) }

func kernel(w *asm) {
	name := fmt.Sprintf("kernel%dx%d", mr, nr)
	w.p("// func %s(k int, a, b, c *float32, ldc int, alpha, beta float32, load int)", name)
	w.p("//")
	w.p("// Z0..Z%d accumulate the %d×%d block (%d ZMM per row), Z%d..Z%d hold a row", mr*nv-1, mr, nr, nv, mr*nv, mr*nv+nv-1)
	w.p("// of the B panel, Z30 and Z31 take turns holding an element of A broadcast")
	w.p("// (once per row, into a register: broadcasting it from memory in each of the")
	w.p("// row's FMAs doubled the loads and ran the MLP's products 25%% slower).")
	w.p("TEXT ·%s(SB), NOSPLIT, $0-56", name)
	w.p("\tMOVQ k+0(FP), CX")
	w.p("\tMOVQ a+8(FP), AX")
	w.p("\tMOVQ b+16(FP), BX")
	w.p("\tMOVQ c+24(FP), DI")
	w.p("\tMOVQ ldc+32(FP), DX")
	w.p("\tSHLQ $2, DX")
	for r := 0; r < mr; r++ {
		for v := 0; v < nv; v++ {
			w.p("\tVPXORD %s, %s, %s", acc(r, v), acc(r, v), acc(r, v))
		}
	}
	step := func() {
		for v := 0; v < nv; v++ {
			w.p("\tVMOVUPS %d(BX), %s", 64*v, bz(v))
		}
		for r := 0; r < mr; r++ {
			a := fmt.Sprintf("Z%d", 30+r%2) // alternate, so that row r+1's broadcast need not wait for row r's FMAs
			w.p("\tVBROADCASTSS %d(AX), %s", 4*r, a)
			for v := 0; v < nv; v++ {
				w.p("\tVFMADD231PS %s, %s, %s", bz(v), a, acc(r, v))
			}
		}
		w.p("\tADDQ $%d, AX", 4*mr)
		w.p("\tADDQ $%d, BX", 4*nr)
	}
	w.p("\tCMPQ CX, $%d", unroll)
	w.p("\tJL   tail")
	w.p("")
	w.p("loop%d:", unroll)
	for u := 0; u < unroll; u++ {
		if u%2 == 0 {
			w.p("\tPREFETCHT0 %d(BX)", pfDist)
		}
		step()
	}
	w.p("\tSUBQ $%d, CX", unroll)
	w.p("\tCMPQ CX, $%d", unroll)
	w.p("\tJGE  loop%d", unroll)
	w.p("")
	w.p("tail:")
	w.p("\tTESTQ CX, CX")
	w.p("\tJE    done")
	w.p("")
	w.p("loop1:")
	step()
	w.p("\tDECQ CX")
	w.p("\tJNE  loop1")
	w.p("")
	w.p("done:")
	w.p("\tVBROADCASTSS alpha+40(FP), %s", bz(0))
	for r := 0; r < mr; r++ {
		for v := 0; v < nv; v++ {
			w.p("\tVMULPS %s, %s, %s", bz(0), acc(r, v), acc(r, v))
		}
	}
	w.p("\tMOVQ load+48(FP), R9")
	w.p("\tTESTQ R9, R9")
	w.p("\tJE    store")
	w.p("")
	w.p("\tVBROADCASTSS beta+44(FP), %s", bz(1))
	rows := func(body func(r int)) {
		for r := 0; r < mr; r++ {
			body(r)
			if r < mr-1 {
				w.p("\tADDQ DX, DI")
			}
		}
		w.p("\tVZEROUPPER")
		w.p("\tRET")
	}
	rows(func(r int) {
		for v := 0; v < nv; v++ {
			w.p("\tVFMADD231PS %d(DI), %s, %s", 64*v, bz(1), acc(r, v))
		}
		for v := 0; v < nv; v++ {
			w.p("\tVMOVUPS %s, %d(DI)", acc(r, v), 64*v)
		}
	})
	w.p("")
	w.p("store:")
	rows(func(r int) {
		for v := 0; v < nv; v++ {
			w.p("\tVMOVUPS %s, %d(DI)", acc(r, v), 64*v)
		}
	})
	w.p("")
}

// packHeader writes the comment and the argument loads of packB<nr><kind>:
// k in CX, src in SI, ldb in bytes in DX, dst in DI. what describes the
// result, with nr twice.
func packHeader(w *asm, kind, what string) {
	w.p("// func packB%d%s(k int, src *float32, ldb int, dst *float32)", nr, kind)
	w.p("// "+what, nr, nr)
	w.p("TEXT ·packB%d%s(SB), NOSPLIT, $0-32", nr, kind)
	w.p("\tMOVQ k+0(FP), CX")
	w.p("\tMOVQ src+8(FP), SI")
	w.p("\tMOVQ ldb+16(FP), DX")
	w.p("\tMOVQ dst+24(FP), DI")
	w.p("\tSHLQ $2, DX")
}

// packN copies k rows of nr contiguous values.
func packN(w *asm) {
	packHeader(w, "N", "dst[p*%d+c] = src[p*ldb+c] for p < k, c < %d.")
	w.p("\tTESTQ CX, CX")
	w.p("\tJE   pndone")
	w.p("")
	w.p("pnloop:")
	for v := 0; v < nv; v++ {
		w.p("\tVMOVUPS %d(SI), Z%d", 64*v, v)
	}
	for v := 0; v < nv; v++ {
		w.p("\tVMOVUPS Z%d, %d(DI)", v, 64*v)
	}
	w.p("\tADDQ DX, SI")
	w.p("\tADDQ $%d, DI", 4*nr)
	w.p("\tDECQ CX")
	w.p("\tJNE  pnloop")
	w.p("\tVZEROUPPER")
	w.p("")
	w.p("pndone:")
	w.p("\tRET")
	w.p("")
}

// packT gathers nr columns, each contiguous in src, four K steps at a time
// (one 4×4 transpose per group of four columns).
func packT(w *asm) {
	packHeader(w, "T", "dst[p*%d+c] = src[c*ldb+p] for p < k&^3, c < %d.")
	w.p("\tSHRQ $2, CX")
	w.p("\tJE   ptdone")
	w.p("\tLEAQ (DX)(DX*2), R8")
	w.p("")
	w.p("ptloop:")
	w.p("\tMOVQ SI, R9")
	for g := 0; g < nr/4; g++ {
		w.p("\tVMOVUPS (R9), X0")
		w.p("\tVMOVUPS (R9)(DX*1), X1")
		w.p("\tVMOVUPS (R9)(DX*2), X2")
		w.p("\tVMOVUPS (R9)(R8*1), X3")
		w.p("\tVUNPCKLPS X1, X0, X12")
		w.p("\tVUNPCKHPS X1, X0, X13")
		w.p("\tVUNPCKLPS X3, X2, X14")
		w.p("\tVUNPCKHPS X3, X2, X15")
		w.p("\tVMOVLHPS  X14, X12, X4")
		w.p("\tVMOVHLPS  X12, X14, X5")
		w.p("\tVMOVLHPS  X15, X13, X6")
		w.p("\tVMOVHLPS  X13, X15, X7")
		for q := 0; q < 4; q++ {
			w.p("\tVMOVUPS X%d, %d(DI)", 4+q, q*4*nr+16*g)
		}
		if g < nr/4-1 {
			w.p("\tLEAQ (R9)(DX*4), R9")
		}
	}
	w.p("\tADDQ $16, SI")
	w.p("\tADDQ $%d, DI", 16*nr)
	w.p("\tDECQ CX")
	w.p("\tJNE  ptloop")
	w.p("\tVZEROUPPER")
	w.p("")
	w.p("ptdone:")
	w.p("\tRET")
}

func main() {
	out := flag.String("o", "kernel_avx512_amd64.s", "output file")
	flag.Parse()
	var w asm
	w.p("// Code generated by gen_avx512.go; DO NOT EDIT.")
	w.p("")
	w.p("//go:build amd64 && !purego")
	w.p("")
	w.p("#include \"textflag.h\"")
	w.p("")
	kernel(&w)
	packN(&w)
	packT(&w)
	tmp := *out + ".tmp"
	err := os.WriteFile(tmp, []byte(w.String()), 0o644)
	if err == nil {
		err = os.Rename(tmp, *out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen_avx512:", err)
		os.Exit(1)
	}
}
