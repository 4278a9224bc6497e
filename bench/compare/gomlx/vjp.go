package main

// Gradients registered in place of GoMLX's own where its pure-Go backend
// (simplego, v0.26.0) cannot run them or runs them very slowly. Each is used
// only for the nodes this program marks (the convolutions and matrix products
// of its own models); every other node keeps GoMLX's gradient.

import (
	"fmt"
	"sync"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

var (
	marksMu   sync.Mutex
	convNodes = map[*Node]bool{} // NHWC/HWIO convolutions, stride 1, no dilation
	dotNodes  = map[*Node]bool{} // graph.Dot of [m,k] and [k,n]
	origConv  VJP
	origDot   VJP
)

// installVJPs replaces the gradients of ConvGeneral (always: GoMLX's needs the
// Reverse op, which simplego lacks) and, with fastDot, of Dot (the node
// graph.Dot and so layers.Dense build for 2-D inputs) for the marked nodes.
func installVJPs(fastDot bool) {
	origConv = VJPRegistration[NodeTypeConvGeneral]
	VJPRegistration[NodeTypeConvGeneral] = convVJP
	if fastDot {
		origDot = VJPRegistration[NodeTypeDot]
		VJPRegistration[NodeTypeDot] = dotVJP
	}
}

func mark(m map[*Node]bool, n *Node) {
	marksMu.Lock()
	m[n] = true
	marksMu.Unlock()
}

func marked(m map[*Node]bool, n *Node) bool {
	marksMu.Lock()
	defer marksMu.Unlock()
	return m[n]
}

// markDot finds the Dot node under a layers.Dense output (Dot, then the bias
// Add) and marks it as a plain matrix product.
func markDot(out *Node) {
	for _, n := range append([]*Node{out}, out.Inputs()...) {
		if n.Type() == NodeTypeDot && n.Rank() == 2 && n.Inputs()[0].Rank() == 2 && n.Inputs()[1].Rank() == 2 {
			mark(dotNodes, n)
			return
		}
	}
}

// markConv finds the ConvGeneral node under a layers.Convolution output
// (Convolve, then the bias Add).
func markConv(out *Node) {
	for _, n := range append([]*Node{out}, out.Inputs()...) {
		if n.Type() == NodeTypeConvGeneral {
			mark(convNodes, n)
			return
		}
	}
}

// dotVJP: for out = x·w with x [m,k] and w [k,n]: dx = v·wᵀ, dw = xᵀ·v, two
// matrix products. GoMLX's own (dotVJP in graph/rev_autodiff.go) broadcasts v
// to [m,k,n], multiplies it by each operand and sums an axis away: m·k·n
// temporaries and no matrix-product kernel.
func dotVJP(node *Node, vjps []*Node, outShape shapes.Shape) []*Node {
	if !marked(dotNodes, node) {
		return origDot(node, vjps, outShape)
	}
	v := vjps[0]
	x, w := node.Inputs()[0], node.Inputs()[1]
	return []*Node{Dot(v, Transpose(w, 0, 1)), Dot(Transpose(x, 0, 1), v)}
}

// convVJP is the gradient of a 2-D convolution with x [B,H,W,Ci] and kernel
// [KH,KW,Ci,Co] (GoMLX's channels-last default), stride 1, no dilation:
//
//	dx = conv(v, flip(kernel) with Ci and Co swapped), padding k-1-p
//	dk = conv(x as [Ci,H,W,B], v as a [OH,OW,B,Co] kernel), padding p, -> [KH,KW,Ci,Co]
//
// The spatial flip is built from slices and a concatenation (simplego has no
// Reverse), and every stride is given explicitly.
func convVJP(node *Node, vjps []*Node, outShape shapes.Shape) []*Node {
	if !marked(convNodes, node) {
		return origConv(node, vjps, outShape)
	}
	v := vjps[0]
	x, k := node.Inputs()[0], node.Inputs()[1]
	xd, kd, od := x.Shape().Dimensions, k.Shape().Dimensions, node.Shape().Dimensions
	if x.Rank() != 4 || k.Rank() != 4 || od[0] != xd[0] || kd[2] != xd[3] || kd[3] != od[3] {
		panic(fmt.Sprintf("convVJP: unexpected shapes x %v, kernel %v, out %v", xd, kd, od))
	}
	pads := make([][2]int, 2)
	revPads := make([][2]int, 2)
	for a := 0; a < 2; a++ {
		total := od[1+a] - xd[1+a] + kd[a] - 1 // stride 1
		if total < 0 {
			panic(fmt.Sprintf("convVJP: negative padding for x %v, kernel %v, out %v", xd, kd, od))
		}
		pads[a] = [2]int{total / 2, total - total/2}
		revPads[a] = [2]int{kd[a] - 1 - pads[a][0], kd[a] - 1 - pads[a][1]}
	}
	kf := TransposeAllAxes(flip(flip(k, 0), 1), 0, 1, 3, 2) // [KH,KW,Co,Ci]
	dx := Convolve(v, kf).StridePerAxis(1, 1).PaddingPerDim(revPads).Done()
	xt := TransposeAllAxes(x, 3, 1, 2, 0) // [Ci,H,W,B]
	vt := TransposeAllAxes(v, 1, 2, 0, 3) // [OH,OW,B,Co]
	dk := Convolve(xt, vt).StridePerAxis(1, 1).PaddingPerDim(pads).Done()
	dk = TransposeAllAxes(dk, 1, 2, 0, 3) // [Ci,KH,KW,Co] -> [KH,KW,Ci,Co]
	return []*Node{dx, dk}
}

// flip reverses x along axis with slices and a concatenation.
func flip(x *Node, axis int) *Node {
	n := x.Shape().Dimensions[axis]
	if n == 1 {
		return x
	}
	parts := make([]*Node, n)
	for i := 0; i < n; i++ {
		parts[i] = SliceAxis(x, axis, AxisRange(n-1-i, n-i))
	}
	return Concatenate(parts, axis)
}

// maxPool2 is a 2x2 max pooling (stride 2) of x [B,H,W,C], H and W even,
// written as a reshape and ReduceMax: GoMLX's MaxPool gradient needs
// SelectAndScatterMax, which simplego lacks. Same values; ties (rare outside
// all-zero ReLU windows, where the gradient is zero anyway) send the gradient
// to every maximum.
func maxPool2(x *Node) *Node {
	d := x.Shape().Dimensions
	r := Reshape(x, d[0], d[1]/2, 2, d[2]/2, 2, d[3])
	return ReduceMax(r, 2, 4)
}
