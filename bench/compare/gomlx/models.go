package main

import (
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

func dense(ctx *context.Context, x *Node, n int) *Node {
	out := layers.Dense(ctx, x, true, n)
	markDot(out)
	return out
}

func conv(ctx *context.Context, x *Node, filters int, same bool) *Node {
	c := layers.Convolution(ctx, x).Channels(filters).KernelSize(5)
	if same {
		c = c.PadSame()
	} else {
		c = c.NoPadding()
	}
	out := c.Done()
	markConv(out)
	return out
}

func flatten(x *Node) *Node { return Reshape(x, x.Shape().Dimensions[0], -1) }

// mlp: 784-256-128-10, ReLU; returns the logits.
func mlp(ctx *context.Context, x *Node) *Node {
	h := activations.Relu(dense(ctx.In("dense1"), x, 256))
	h = activations.Relu(dense(ctx.In("dense2"), h, 128))
	return dense(ctx.In("dense3"), h, nOut)
}

// lenet: the LeNet-5 of bench/lenet_test.go and zoo's lenet recipe.
func lenet(ctx *context.Context, x *Node) *Node {
	h := maxPool2(activations.Relu(conv(ctx.In("conv1"), x, 6, true)))  // 14x14x6
	h = maxPool2(activations.Relu(conv(ctx.In("conv2"), h, 16, false))) // 10x10 -> 5x5x16
	h = flatten(h)
	h = activations.Relu(dense(ctx.In("dense1"), h, 120))
	h = activations.Relu(dense(ctx.In("dense2"), h, 84))
	return dense(ctx.In("dense3"), h, nOut)
}

// cnn: Conv(32,5x5,same) MaxPool2 Conv(64,5x5,same) MaxPool2 Dense(hidden) Dense(10).
func cnn(ctx *context.Context, x *Node, hidden int) *Node {
	h := maxPool2(activations.Relu(conv(ctx.In("conv1"), x, 32, true))) // 14x14x32
	h = maxPool2(activations.Relu(conv(ctx.In("conv2"), h, 64, true)))  // 7x7x64
	h = flatten(h)
	h = activations.Relu(dense(ctx.In("dense1"), h, hidden))
	return dense(ctx.In("dense2"), h, nOut)
}
