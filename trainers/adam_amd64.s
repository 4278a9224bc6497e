//go:build amd64 && !purego

#include "textflag.h"

// func adamAVX2(n int, w, grad, m, v, vmax *float32, p *adamParams32)
//
// Per element, as adamKernel's Go loop, each operation rounded to float32
// and none fused. Where two NaNs meet, x86 returns the first (Intel) source's
// payload, so each instruction's first source is the operand the Go
// compiler puts first (go tool objdump of adamKernelGo[float32]); the
// comments below show that order.
//
//	gi := g + wd*w
//	m = b1*m + omb1*gi
//	v = b2*v + (omb2*gi)*gi
//	vi := v; if vmax != nil { vmax = (vi > vmax ? vi : vmax); vi = vmax }
//	w = w*decay - (step*m)/(sqrt(vi)/bc2 + eps)
//
// VMAXPS with vi as the first (Intel) source gives vi > vmax ? vi : vmax,
// the Go comparison exactly (NaN and ±0 included). n is a multiple of 8.
TEXT ·adamAVX2(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), CX
	MOVQ w+8(FP), DI
	MOVQ grad+16(FP), SI
	MOVQ m+24(FP), R8
	MOVQ v+32(FP), R9
	MOVQ vmax+40(FP), R10
	MOVQ p+48(FP), AX

	VBROADCASTSS 0(AX), Y0  // b1
	VBROADCASTSS 4(AX), Y1  // 1-b1
	VBROADCASTSS 8(AX), Y2  // b2
	VBROADCASTSS 12(AX), Y3 // 1-b2
	VBROADCASTSS 16(AX), Y4 // eps
	VBROADCASTSS 20(AX), Y5 // step
	VBROADCASTSS 24(AX), Y6 // bc2
	VBROADCASTSS 28(AX), Y7 // decay
	VBROADCASTSS 32(AX), Y8 // wd

	SHRQ  $3, CX
	JE    done
	TESTQ R10, R10
	JNE   loopams

loop:
	VMOVUPS (DI), Y9         // w
	VMULPS  Y8, Y9, Y10      // w*wd
	VADDPS  (SI), Y10, Y11   // gi = wd*w + g
	VMOVUPS (R8), Y12        // m
	VMULPS  Y0, Y12, Y12     // m*b1
	VMULPS  Y11, Y1, Y13     // (1-b1)*gi
	VADDPS  Y12, Y13, Y12    // m = (1-b1)*gi + b1*m
	VMOVUPS Y12, (R8)
	VMOVUPS (R9), Y13        // v
	VMULPS  Y2, Y13, Y13     // v*b2
	VMULPS  Y11, Y3, Y14     // (1-b2)*gi
	VMULPS  Y14, Y11, Y14    // gi*((1-b2)*gi)
	VADDPS  Y13, Y14, Y13    // v = (1-b2)*gi*gi + b2*v
	VMOVUPS Y13, (R9)
	VSQRTPS Y13, Y13         // sqrt(vi)
	VDIVPS  Y6, Y13, Y13     // sqrt(vi)/bc2
	VADDPS  Y4, Y13, Y13     // sqrt(vi)/bc2 + eps
	VMULPS  Y5, Y12, Y12     // m*step
	VDIVPS  Y13, Y12, Y12    // m*step/(sqrt(vi)/bc2 + eps)
	VMULPS  Y7, Y9, Y9       // w*decay
	VSUBPS  Y12, Y9, Y9      // w*decay - m*step/(...)
	VMOVUPS Y9, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	DECQ    CX
	JNE     loop
	JMP     done

loopams:
	VMOVUPS (DI), Y9         // w
	VMULPS  Y8, Y9, Y10      // w*wd
	VADDPS  (SI), Y10, Y11   // gi = wd*w + g
	VMOVUPS (R8), Y12        // m
	VMULPS  Y0, Y12, Y12     // m*b1
	VMULPS  Y11, Y1, Y13     // (1-b1)*gi
	VADDPS  Y12, Y13, Y12    // m = (1-b1)*gi + b1*m
	VMOVUPS Y12, (R8)
	VMOVUPS (R9), Y13        // v
	VMULPS  Y2, Y13, Y13     // v*b2
	VMULPS  Y11, Y3, Y14     // (1-b2)*gi
	VMULPS  Y14, Y11, Y14    // gi*((1-b2)*gi)
	VADDPS  Y13, Y14, Y13    // v = (1-b2)*gi*gi + b2*v
	VMOVUPS Y13, (R9)
	VMAXPS  (R10), Y13, Y13  // vi > vmax ? vi : vmax
	VMOVUPS Y13, (R10)
	VSQRTPS Y13, Y13         // sqrt(vi)
	VDIVPS  Y6, Y13, Y13     // sqrt(vi)/bc2
	VADDPS  Y4, Y13, Y13     // sqrt(vi)/bc2 + eps
	VMULPS  Y5, Y12, Y12     // m*step
	VDIVPS  Y13, Y12, Y12    // m*step/(sqrt(vi)/bc2 + eps)
	VMULPS  Y7, Y9, Y9       // w*decay
	VSUBPS  Y12, Y9, Y9      // w*decay - m*step/(...)
	VMOVUPS Y9, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	ADDQ    $32, R10
	DECQ    CX
	JNE     loopams

done:
	VZEROUPPER
	RET
