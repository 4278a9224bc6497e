//go:build amd64 && !purego

#include "textflag.h"

// func reluApplyAVX2(n int, x, y *float32)
//
// y = abs(max(0, x)), with 0 as MAXPS's first (Intel) source: 0 > x ? 0 : x
// returns x when x is NaN or ±0, and clearing the sign bit then turns -0
// into +0 and leaves the NaN's payload, as Go's builtin max (a MINSS
// sequence on the negated values, then the sign cleared) does. 32 then 8
// elements at a time; n is a multiple of 8.
TEXT ·reluApplyAVX2(SB), NOSPLIT, $0-24
	MOVQ         n+0(FP), CX
	MOVQ         x+8(FP), SI
	MOVQ         y+16(FP), DI
	MOVL         $0x7fffffff, AX
	MOVQ         AX, X0
	VPBROADCASTD X0, Y0          // sign-clearing mask
	VXORPS       Y1, Y1, Y1      // +0
	CMPQ         CX, $32
	JL           check8

loop32:
	VMAXPS  (SI), Y1, Y2
	VMAXPS  32(SI), Y1, Y3
	VMAXPS  64(SI), Y1, Y4
	VMAXPS  96(SI), Y1, Y5
	VANDPS  Y0, Y2, Y2
	VANDPS  Y0, Y3, Y3
	VANDPS  Y0, Y4, Y4
	VANDPS  Y0, Y5, Y5
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, 32(DI)
	VMOVUPS Y4, 64(DI)
	VMOVUPS Y5, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     loop32

check8:
	CMPQ CX, $8
	JL   done

loop8:
	VMAXPS  (SI), Y1, Y2
	VANDPS  Y0, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	CMPQ    CX, $8
	JGE     loop8

done:
	VZEROUPPER
	RET

// func reluDerivAVX2(n int, x, grad, y *float32)
//
// y = grad * (0 < x ? 1 : 0): VCMPPS LT_OQ (false for a NaN x) gives the
// mask, ANDed with 1.0 it is the step, multiplied by grad (one product, as
// the Go loop's g*s). 32 then 8 elements at a time; n is a multiple of 8.
TEXT ·reluDerivAVX2(SB), NOSPLIT, $0-32
	MOVQ         n+0(FP), CX
	MOVQ         x+8(FP), SI
	MOVQ         grad+16(FP), DX
	MOVQ         y+24(FP), DI
	MOVL         $0x3f800000, AX
	MOVQ         AX, X0
	VPBROADCASTD X0, Y0          // 1.0
	VXORPS       Y1, Y1, Y1      // +0
	CMPQ         CX, $32
	JL           dcheck8

dloop32:
	VCMPPS  $0x11, (SI), Y1, Y2
	VCMPPS  $0x11, 32(SI), Y1, Y3
	VCMPPS  $0x11, 64(SI), Y1, Y4
	VCMPPS  $0x11, 96(SI), Y1, Y5
	VANDPS  Y0, Y2, Y2
	VANDPS  Y0, Y3, Y3
	VANDPS  Y0, Y4, Y4
	VANDPS  Y0, Y5, Y5
	VMULPS  (DX), Y2, Y2
	VMULPS  32(DX), Y3, Y3
	VMULPS  64(DX), Y4, Y4
	VMULPS  96(DX), Y5, Y5
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, 32(DI)
	VMOVUPS Y4, 64(DI)
	VMOVUPS Y5, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DX
	ADDQ    $128, DI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     dloop32

dcheck8:
	CMPQ CX, $8
	JL   ddone

dloop8:
	VCMPPS  $0x11, (SI), Y1, Y2
	VANDPS  Y0, Y2, Y2
	VMULPS  (DX), Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	CMPQ    CX, $8
	JGE     dloop8

ddone:
	VZEROUPPER
	RET
