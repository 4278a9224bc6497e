package interop

import (
	"fmt"

	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// maxArchSize bounds every size read from a state dict or an option.
const maxArchSize = 1 << 20

// resnetBuild is the state of one ResNet being built.
type resnetBuild struct {
	sd  *StateDict
	mod modules
}

// buildResNet builds torchvision's ResNet (BasicBlock or Bottleneck) from sd.
func buildResNet(sd *StateDict, c archConfig) (*Arch, error) {
	const arch = "resnet18"
	stem, err := needTensor(sd, arch, "conv1.weight", 4)
	if err != nil {
		return nil, err
	}
	width, inC, k := stem.Shape[0], stem.Shape[1], stem.Shape[2]
	shape := c.inputShape
	if shape == nil {
		shape = []int{224, 224, inC}
	}
	if shape[2] != inC {
		return nil, errors.Errorf("%s: input shape %v has %d channels, conv1.weight %v takes %d", arch, shape, shape[2], stem.Shape, inC)
	}
	for _, d := range shape[:2] {
		if err := limit(arch, "input size", d, 1<<14); err != nil {
			return nil, err
		}
	}
	r := &resnetBuild{sd: sd, mod: modules{}}
	in := layers.NewInput("image", layers.Shape(shape...))
	x, err := r.convBN(in, "conv1", "bn1", width, k, 2)
	if err != nil {
		return nil, err
	}
	x = layers.Activation("relu", layers.WithName("relu")).Apply(x)
	// MaxPool2d(3, 2, padding=1) after a ReLU: zero padding never wins the max.
	x = layers.ZeroPadding2D(1, 1, 1, 1, layers.WithName("maxpool_pad")).Apply(x)
	x = layers.MaxPooling2D(3, layers.WithStrides(2, 2), layers.WithName("maxpool")).Apply(x)

	var widths, blocks []int
	bottleneck := sd.Get("layer1.0.conv3.weight") != nil
	inW := width
	for s := 1; sd.Get(fmt.Sprintf("layer%d.0.conv1.weight", s)) != nil; s++ {
		if s > 64 {
			return nil, errors.Errorf("%s: more than 64 stages", arch)
		}
		stride := 2
		if s == 1 {
			stride = 1
		}
		n := 0
		for ; sd.Get(fmt.Sprintf("layer%d.%d.conv1.weight", s, n)) != nil; n++ {
			p := fmt.Sprintf("layer%d.%d", s, n)
			st := 1
			if n == 0 {
				st = stride
			}
			if bottleneck {
				x, inW, err = r.bottleneck(x, p, inW, st)
			} else {
				x, inW, err = r.basic(x, p, inW, st)
			}
			if err != nil {
				return nil, err
			}
		}
		widths, blocks = append(widths, inW), append(blocks, n)
	}
	if len(blocks) == 0 {
		_, err := needTensor(sd, arch, "layer1.0.conv1.weight", 4)
		return nil, err
	}
	x = layers.GlobalAveragePooling2D(layers.WithName("avgpool")).Apply(x)
	fc, err := needTensor(sd, arch, "fc.weight", 2)
	if err != nil {
		return nil, err
	}
	if fc.Shape[1] != inW {
		return nil, errors.Errorf("%s: fc.weight has shape %v, want (classes, %d)", arch, fc.Shape, inW)
	}
	y := layers.Dense(fc.Shape[0], layers.WithBias(sd.Get("fc.bias") != nil), layers.WithName(r.mod.add("fc"))).Apply(x)
	m, err := layers.NewModel([]*layers.Tensor{in}, []*layers.Tensor{y}, layers.ModelName("resnet"))
	if err != nil {
		return nil, errors.Wrap(err, arch)
	}
	block := 0
	if bottleneck {
		block = 1
	}
	return &Arch{Model: m, Modules: r.mod, Sizes: map[string][]int{
		"input_shape": shape, "stem_width": {width}, "widths": widths, "blocks": blocks,
		"bottleneck": {block}, "classes": {fc.Shape[0]},
	}}, nil
}

// convBN applies PyTorch's Conv2d(k, stride, padding=k/2, bias=False) called conv
// then BatchNorm2d called bn, checking the weight's shape (filters, in, k, k).
func (r *resnetBuild) convBN(x *layers.Tensor, conv, bn string, filters, k, stride int) (*layers.Tensor, error) {
	const arch = "resnet18"
	w, err := needTensor(r.sd, arch, conv+".weight", 4)
	if err != nil {
		return nil, err
	}
	if w.Shape[0] != filters || w.Shape[2] != k || w.Shape[3] != k {
		return nil, errors.Errorf("%s: tensor %q has shape %v, want (%d, in, %d, %d)", arch, conv+".weight", w.Shape, filters, k, k)
	}
	if err := wantShape(r.sd, arch, bn+".running_var", filters); err != nil {
		return nil, err
	}
	name := r.mod.add(conv)
	opts := []layers.Option{layers.WithBias(r.sd.Get(conv+".bias") != nil), layers.WithName(name)}
	switch pad := k / 2; {
	case stride == 1 && k%2 == 1:
		opts = append(opts, layers.WithPadding("same"))
	default:
		if pad > 0 {
			x = layers.ZeroPadding2D(pad, pad, pad, pad, layers.WithName(name+"_pad")).Apply(x)
		}
		opts = append(opts, layers.WithPadding("valid"), layers.WithStrides(stride, stride))
	}
	x = layers.Conv2D(filters, k, opts...).Apply(x)
	return layers.BatchNormalization(layers.WithEpsilon(1e-5), layers.WithMomentum(0.9),
		layers.WithName(r.mod.add(bn))).Apply(x), nil
}

// basic is torchvision's BasicBlock at prefix p on x of inW channels.
func (r *resnetBuild) basic(x *layers.Tensor, p string, inW, stride int) (*layers.Tensor, int, error) {
	w, err := needTensor(r.sd, "resnet18", p+".conv1.weight", 4)
	if err != nil {
		return nil, 0, err
	}
	planes := w.Shape[0]
	h, err := r.convBN(x, p+".conv1", p+".bn1", planes, 3, stride)
	if err != nil {
		return nil, 0, err
	}
	h = layers.Activation("relu", layers.WithName(torchName(p)+"_relu1")).Apply(h)
	if h, err = r.convBN(h, p+".conv2", p+".bn2", planes, 3, 1); err != nil {
		return nil, 0, err
	}
	return r.join(x, h, p, inW, planes, stride)
}

// bottleneck is torchvision's Bottleneck (stride on the 3x3 conv) at prefix p.
func (r *resnetBuild) bottleneck(x *layers.Tensor, p string, inW, stride int) (*layers.Tensor, int, error) {
	w1, err := needTensor(r.sd, "resnet18", p+".conv1.weight", 4)
	if err != nil {
		return nil, 0, err
	}
	w3, err := needTensor(r.sd, "resnet18", p+".conv3.weight", 4)
	if err != nil {
		return nil, 0, err
	}
	h, err := r.convBN(x, p+".conv1", p+".bn1", w1.Shape[0], 1, 1)
	if err != nil {
		return nil, 0, err
	}
	h = layers.Activation("relu", layers.WithName(torchName(p)+"_relu1")).Apply(h)
	if h, err = r.convBN(h, p+".conv2", p+".bn2", w1.Shape[0], 3, stride); err != nil {
		return nil, 0, err
	}
	h = layers.Activation("relu", layers.WithName(torchName(p)+"_relu2")).Apply(h)
	if h, err = r.convBN(h, p+".conv3", p+".bn3", w3.Shape[0], 1, 1); err != nil {
		return nil, 0, err
	}
	return r.join(x, h, p, inW, w3.Shape[0], stride)
}

// join adds the shortcut (identity, or downsample.0/1 when present) and applies ReLU.
func (r *resnetBuild) join(x, h *layers.Tensor, p string, inW, outW, stride int) (*layers.Tensor, int, error) {
	short := x
	if r.sd.Get(p+".downsample.0.weight") != nil {
		var err error
		if short, err = r.convBN(x, p+".downsample.0", p+".downsample.1", outW, 1, stride); err != nil {
			return nil, 0, err
		}
	} else if stride != 1 || inW != outW {
		return nil, 0, errors.Errorf("resnet18: block %s changes %d channels to %d (stride %d) but has no %s.downsample.0.weight", p, inW, outW, stride, p)
	}
	y := layers.Add(layers.WithName(torchName(p)+"_add")).Apply(short, h)
	return layers.Activation("relu", layers.WithName(torchName(p)+"_relu")).Apply(y), outW, nil
}
