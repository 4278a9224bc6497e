package interop

import (
	"fmt"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// role is one weight of a layer kind and the torch tensor that fills it.
type role struct {
	weight string // the weight's name within the layer ("kernel", "query/kernel")
	local  string // the tensor's name within the module ("weight", "out_proj.bias")
	conv   conversion
}

var (
	leafRoles = map[string][]role{
		"Dense":               {{"kernel", "weight", convTranspose}, {"bias", "bias", convAsIs}},
		"Conv1D":              {{"kernel", "weight", convKernel1D}, {"bias", "bias", convAsIs}},
		"Conv2D":              {{"kernel", "weight", convKernel2D}, {"bias", "bias", convAsIs}},
		"BatchNormalization":  {{"gamma", "weight", convAsIs}, {"beta", "bias", convAsIs}, {"moving_mean", "running_mean", convAsIs}, {"moving_variance", "running_var", convAsIs}},
		"LayerNormalization":  {{"gamma", "weight", convAsIs}, {"beta", "bias", convAsIs}},
		"Embedding":           {{"embeddings", "weight", convAsIs}},
		"PositionalEmbedding": {{"embeddings", "weight", convAsIs}},
	}
)

// newAssign pairs weight p of u with the module's tensors locals converted by c.
func newAssign(u *unit, p *graph.Param, md *module, locals []string, c conversion) *assign {
	a := &assign{param: p, conv: c}
	a.Weight, a.Layer, a.Kind = u.wpaths[p], u.path, u.kind
	a.Shape = append([]int(nil), p.Value.Shape()...)
	a.Module = md.name
	for _, l := range locals {
		a.Sources = append(a.Sources, md.full(l))
		t := md.tensors[l]
		if t == nil {
			a.missing = append(a.missing, md.full(l))
			a.SourceShapes = append(a.SourceShapes, nil)
			continue
		}
		a.sources = append(a.sources, t)
		a.SourceShapes = append(a.SourceShapes, append([]int(nil), t.Shape...))
	}
	return a
}

// mapUnit gives u's weights from md by u's kind; an error is a refusal naming
// both (a GRU without reset_after, a layer kind with no rule).
func mapUnit(u *unit, md *module) ([]*assign, error) {
	switch l := u.layer.(type) {
	case *layers.RNNLayer:
		return mapRNN(u, l, md, "")
	case *layers.BidirectionalLayer:
		fw, err := mapRNN(u, l.Forward(), md, "")
		if err != nil {
			return nil, err
		}
		bw, err := mapRNN(u, l.Backward(), md, "_reverse")
		return append(fw, bw...), err
	case *layers.MultiHeadAttentionLayer:
		return mapAttention(u, md, "", "", l.NumHeads()), nil
	}
	if rs, ok := leafRoles[u.kind]; ok {
		var out []*assign
		for _, r := range rs {
			if p := u.find(r.weight); p != nil {
				out = append(out, newAssign(u, p, md, []string{r.local}, r.conv))
			}
		}
		if len(out) > 0 {
			out[0].Note = leafNote(u.layer)
		}
		return out, nil
	}
	if u.kind == "TransformerEncoder" || u.kind == "TransformerDecoder" {
		return mapTransformer(u, md)
	}
	return nil, errors.Errorf("%s has no automatic mapping from %s: give its weights with WithTensor or WithConverter", u.who(), md.describe())
}

// leafNote is the caution about what the state dict does not hold.
func leafNote(l layers.Layer) string {
	switch t := l.(type) {
	case *layers.BatchNormLayer:
		s := t.Spec()
		if s.Epsilon != 1e-5 || s.Momentum != 0.9 {
			return fmt.Sprintf("epsilon %g, momentum %g here; PyTorch's defaults eps=1e-5, momentum=0.1 are WithEpsilon(1e-5), WithMomentum(0.9): the state dict holds neither", s.Epsilon, s.Momentum)
		}
	case *layers.LayerNormLayer:
		if t.Epsilon() != 1e-5 {
			return fmt.Sprintf("epsilon %g here; PyTorch's default eps is 1e-5 (WithEpsilon(1e-5)): the state dict does not hold it", t.Epsilon())
		}
	case *layers.Conv2DLayer:
		return "strides, padding and dilation are not in the state dict: they must match the torch module's"
	case *layers.Conv1DLayer:
		return "stride, padding and dilation are not in the state dict: they must match the torch module's"
	}
	return ""
}

// mapAttention maps nn.MultiheadAttention's tensors (under the module-local
// prefix src: "" or "self_attn.") onto the attention weights of u (under the
// gokeras prefix dst: "" or "self_attention/"), heads heads each.
func mapAttention(u *unit, md *module, src, dst string, heads int) []*assign {
	var out []*assign
	packed := md.tensors[src+"in_proj_weight"] != nil
	names := []string{"query", "key", "value"}
	for i, n := range names {
		if p := u.find(dst + n + "/kernel"); p != nil {
			if packed {
				out = append(out, newAssign(u, p, md, []string{src + "in_proj_weight"}, projKernel(i, heads)))
			} else {
				out = append(out, newAssign(u, p, md, []string{src + n[:1] + "_proj_weight"}, projKernel(-1, heads)))
			}
		}
		if p := u.find(dst + n + "/bias"); p != nil {
			out = append(out, newAssign(u, p, md, []string{src + "in_proj_bias"}, projBias(i, heads)))
		}
	}
	if p := u.find(dst + "output/kernel"); p != nil {
		out = append(out, newAssign(u, p, md, []string{src + "out_proj.weight"}, outKernel(heads)))
	}
	if p := u.find(dst + "output/bias"); p != nil {
		out = append(out, newAssign(u, p, md, []string{src + "out_proj.bias"}, convAsIs))
	}
	if len(out) > 0 {
		out[0].Note = fmt.Sprintf("%d heads here: the state dict does not hold num_heads, the torch module's must be the same", heads)
	}
	return out
}

// splitHeads reshapes a (d, E) matrix into (d, heads, E/heads), or leaves it
// (for the shape check to report) when heads does not divide E.
func splitHeads(t *Tensor, heads int) (*Tensor, error) {
	if len(t.Shape) != 2 || heads <= 0 || t.Shape[1]%heads != 0 {
		return t, nil
	}
	return reshaped(t, t.Shape[0], heads, t.Shape[1]/heads)
}

// projKernel takes block i of in_proj_weight (3E, d) (i < 0: a whole
// q/k/v_proj_weight (E, d)), transposed to (d, E) and split into (d, heads, E/heads).
func projKernel(i, heads int) conversion {
	desc := "transposed, reshaped to (in, heads, head_dim)"
	if i >= 0 {
		desc = fmt.Sprintf("rows [%d·E, %d·E) of (3E, E), %s", i, i+1, desc)
	}
	return one(desc, func(t *Tensor) (*Tensor, error) {
		var err error
		if i >= 0 {
			if len(t.Shape) != 2 || t.Shape[0]%3 != 0 {
				return nil, errors.Errorf("tensor %q of shape %s is not (3E, E)", t.Name, fmtShape(t.Shape))
			}
			if t, err = rowBlock(t, i, t.Shape[0]/3); err != nil {
				return nil, err
			}
		}
		if t, err = transpose2(t); err != nil {
			return nil, err
		}
		return splitHeads(t, heads)
	})
}

// projBias takes block i of in_proj_bias (3E) as (heads, E/heads).
func projBias(i, heads int) conversion {
	return one(fmt.Sprintf("elements [%d·E, %d·E) of (3E), reshaped to (heads, head_dim)", i, i+1), func(t *Tensor) (*Tensor, error) {
		if len(t.Shape) != 1 || t.Shape[0]%3 != 0 {
			return nil, errors.Errorf("tensor %q of shape %s is not (3E)", t.Name, fmtShape(t.Shape))
		}
		e := t.Shape[0] / 3
		b, err := rowBlock(t, i, e)
		if err != nil || e%heads != 0 {
			return b, err
		}
		return reshaped(b, heads, e/heads)
	})
}

// outKernel turns out_proj.weight (out, E) into (heads, E/heads, out).
func outKernel(heads int) conversion {
	return one("transposed, reshaped to (heads, head_dim, out)", func(t *Tensor) (*Tensor, error) {
		t, err := transpose2(t)
		if err != nil || t.Shape[0]%heads != 0 {
			return t, err
		}
		return reshaped(t, heads, t.Shape[0]/heads, t.Shape[1])
	})
}

// transformerBlock is what TransformerEncoder and TransformerDecoder share.
type transformerBlock interface {
	NumHeads() int
	NormalizeFirst() bool
	Epsilon() float64
}

// mapTransformer maps nn.TransformerEncoderLayer onto a transformer block:
// self_attn → self_attention, norm1 → self_attention_layer_norm, norm2 →
// feedforward_layer_norm, linear1 → feedforward_intermediate_dense, linear2 →
// feedforward_output_dense.
func mapTransformer(u *unit, md *module) ([]*assign, error) {
	b, ok := u.layer.(transformerBlock)
	if !ok {
		return nil, errors.Errorf("%s: not a transformer block", u.who())
	}
	out := mapAttention(u, md, "self_attn.", "self_attention/", b.NumHeads())
	pairs := []struct{ torch, keras string }{
		{"norm1", "self_attention_layer_norm"}, {"norm2", "feedforward_layer_norm"},
		{"linear1", "feedforward_intermediate_dense"}, {"linear2", "feedforward_output_dense"},
	}
	for _, pr := range pairs {
		rs := leafRoles["LayerNormalization"]
		if pr.torch[0] == 'l' {
			rs = leafRoles["Dense"]
		}
		for _, r := range rs {
			if p := u.find(pr.keras + "/" + r.weight); p != nil {
				out = append(out, newAssign(u, p, md, []string{pr.torch + "." + r.local}, r.conv))
			}
		}
	}
	if len(out) > 0 {
		out[0].Note = fmt.Sprintf("%d heads, normalize_first %v, epsilon %g here; num_heads, norm_first (WithNormalizeFirst), layer_norm_eps and the activation are not in the state dict: they must match the torch module's",
			b.NumHeads(), b.NormalizeFirst(), b.Epsilon())
		if u.kind == "TransformerDecoder" {
			out[0].Note += "; a TransformerDecoder is causal: the torch layer matches it run with a causal src_mask"
		}
	}
	return out, nil
}
