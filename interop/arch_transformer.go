package interop

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// buildTransformerEncoder builds Embedding + PositionalEmbedding ->
// TransformerEncoder x L -> GlobalAveragePooling1D -> Dense. The encoder layers
// are the modules "<P>.<i>" with a "self_attn.in_proj_weight" (i = 0, 1, ...);
// the token and positional embeddings are the two bias-less 2-D "X.weight" of
// the model's width outside them (the positional one has "pos" in its name);
// the classifier is the 2-D "X.weight" of that width with an "X.bias".
func buildTransformerEncoder(sd *StateDict, c archConfig) (*Arch, error) {
	const arch = "transformer-encoder"
	var stacks []string
	for _, p := range suffixed(sd, ".0.self_attn.in_proj_weight") {
		stacks = append(stacks, p)
	}
	sp, err := pickOne(arch, "nn.TransformerEncoder (a tensor named *.0.self_attn.in_proj_weight)", stacks, "layers")
	if err != nil {
		return nil, err
	}
	first, err := needTensor(sd, arch, sp+".0.self_attn.in_proj_weight", 2)
	if err != nil {
		return nil, err
	}
	width := first.Shape[1]
	if first.Shape[0] != 3*width {
		return nil, errors.Errorf("%s: %s.0.self_attn.in_proj_weight has shape %v, want (3*width, width)", arch, sp, first.Shape)
	}
	ff1, err := needTensor(sd, arch, sp+".0.linear1.weight", 2)
	if err != nil {
		return nil, err
	}
	ff := ff1.Shape[0]
	nl := 0
	for ; sd.Get(sp+"."+strconv.Itoa(nl)+".self_attn.in_proj_weight") != nil; nl++ {
		p := sp + "." + strconv.Itoa(nl)
		for _, w := range []struct {
			name  string
			shape []int
		}{
			{".self_attn.in_proj_weight", []int{3 * width, width}}, {".self_attn.out_proj.weight", []int{width, width}},
			{".linear1.weight", []int{ff, width}}, {".linear2.weight", []int{width, ff}},
			{".norm1.weight", []int{width}}, {".norm2.weight", []int{width}},
		} {
			if err := wantShape(sd, arch, p+w.name, w.shape...); err != nil {
				return nil, err
			}
		}
	}
	if c.heads < 1 || width%c.heads != 0 {
		return nil, errors.Errorf("%s: %d heads do not divide the width %d (WithHeads, demo's -heads)", arch, c.heads, width)
	}
	if c.activation != "relu" && c.activation != "gelu" {
		return nil, errors.Errorf("%s: activation %q is not relu or gelu", arch, c.activation)
	}
	lin, embs := matrices(sd, width, sp)
	var pos, tok []string
	for _, e := range embs {
		if strings.Contains(strings.ToLower(e), "pos") {
			pos = append(pos, e)
		} else {
			tok = append(tok, e)
		}
	}
	pp, err := pickOne(arch, fmt.Sprintf("positional nn.Embedding(positions, %d) (a 2-D X.weight without X.bias, \"pos\" in X)", width), pos, "")
	if err != nil {
		return nil, err
	}
	tp, err := pickOne(arch, fmt.Sprintf("token nn.Embedding(vocab, %d) (a 2-D X.weight without X.bias)", width), tok, "emb")
	if err != nil {
		return nil, err
	}
	fp, err := pickOne(arch, fmt.Sprintf("nn.Linear(%d, classes)", width), lin, "fc")
	if err != nil {
		return nil, err
	}
	vocab, positions := sd.Get(tp + ".weight").Shape[0], sd.Get(pp + ".weight").Shape[0]
	classes := sd.Get(fp + ".weight").Shape[0]
	steps := c.steps
	if steps == 0 {
		steps = positions
	}
	if steps < 1 || steps > positions {
		return nil, errors.Errorf("%s: %d steps, want 1..%d (the rows of %s.weight)", arch, steps, positions, pp)
	}

	mod := modules{}
	ids := layers.NewInput("ids", layers.Shape(steps), layers.Int64)
	x := layers.Embedding(vocab, width, layers.WithName(mod.add(tp))).Apply(ids)
	posName := torchName(pp)
	x = layers.PositionalEmbedding(positions, width, layers.WithName(posName)).Apply(x)
	for i := 0; i < nl; i++ {
		p := sp + "." + strconv.Itoa(i)
		x = layers.TransformerEncoder(c.heads, ff, layers.WithNormalizeFirst(c.normFirst),
			layers.WithActivation(c.activation), layers.WithEpsilon(1e-5), layers.WithName(mod.add(p))).Apply(x)
	}
	x = layers.Apply(layers.GlobalAveragePooling1D(layers.WithName("mean")), x)[0]
	y := layers.Dense(classes, layers.WithBias(true), layers.WithName(mod.add(fp))).Apply(x)
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{y}, layers.ModelName("transformer_encoder"))
	if err != nil {
		return nil, errors.Wrap(err, arch)
	}
	norm := 0
	if c.normFirst {
		norm = 1
	}
	return &Arch{Model: m, Modules: mod, Tensors: map[string]string{posName + "/embeddings": pp + ".weight"},
		Sizes: map[string][]int{
			"steps": {steps}, "vocab": {vocab}, "width": {width}, "heads": {c.heads}, "feedforward": {ff},
			"encoder_layers": {nl}, "positions": {positions}, "classes": {classes}, "norm_first": {norm},
		}}, nil
}
