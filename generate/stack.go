package generate

import (
	"fmt"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// stack is the layers of a GPT-shaped model, in order.
type stack struct {
	emb     *layers.EmbeddingLayer
	pos     *layers.PositionalEmbeddingLayer
	blocks  []*layers.TransformerDecoderLayer
	norm    *layers.LayerNormLayer // nil for post-norm blocks
	out     *layers.DenseLayer
	context int
	vocab   int
}

// wantShape is the layer order a Generator reads, for errors.
const wantShape = "Embedding, PositionalEmbedding, [Dropout], TransformerDecoder..., [LayerNormalization], Dense"

// findStack reads the GPT layers of a built model, in order.
func findStack(m layers.Model) (st stack, err error) {
	lm, ok := m.(interface{ Layers() []layers.Layer })
	if !ok {
		return st, errors.Errorf("generate: a %T does not list its layers", m)
	}
	if !m.Built() {
		return st, errors.New("generate: the model is not built (Build it, train it or Load it first)")
	}
	ins, outs := m.Inputs(), m.Outputs()
	if len(ins) != 1 || len(outs) != 1 || len(ins[0].Shape) != 1 || len(outs[0].Shape) != 2 {
		return st, errors.Errorf("generate: want one token input (context) and one output (context, vocabulary), the model has inputs %v and outputs %v", specShapes(ins), specShapes(outs))
	}
	if dt := ins[0].DType; dt != tensor.Int64 && dt != tensor.Int32 {
		return st, errors.Errorf("generate: the input takes %v, want integer token ids", dt)
	}
	st.context, st.vocab = ins[0].Shape[0], outs[0].Shape[1]
	stage := 0
	for _, l := range lm.Layers() {
		bad := func() error {
			return errors.Errorf("generate: layer %q (%s) does not fit a GPT stack (%s)", l.Name(), l.Type(), wantShape)
		}
		switch v := l.(type) {
		case *layers.InputLayer, *layers.DropoutLayer:
		case *layers.EmbeddingLayer:
			if stage != 0 {
				return st, bad()
			}
			st.emb, stage = v, 1
		case *layers.PositionalEmbeddingLayer:
			if stage != 1 {
				return st, bad()
			}
			st.pos, stage = v, 2
		case *layers.TransformerDecoderLayer:
			if stage != 2 && stage != 3 {
				return st, bad()
			}
			st.blocks, stage = append(st.blocks, v), 3
		case *layers.LayerNormLayer:
			if stage != 3 {
				return st, bad()
			}
			st.norm, stage = v, 4
		case *layers.DenseLayer:
			if stage != 3 && stage != 4 {
				return st, bad()
			}
			st.out, stage = v, 5
		default:
			return st, bad()
		}
	}
	if stage != 5 {
		return st, errors.Errorf("generate: the model is not a GPT stack (%s)", wantShape)
	}
	return st, nil
}

func specShapes(s []layers.Spec) string {
	out := ""
	for i, sp := range s {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprint(sp.Shape)
	}
	return "[" + out + "]"
}

// embed adds the token embedding of token (1, 1) plus the position embedding
// of position (1, 1): (1, 1, width).
func (st stack) embed(g *graph.Graph, token, position *G.Node) (*G.Node, error) {
	e, err := st.emb.ForwardMulti(g, []*G.Node{token})
	if err != nil {
		return nil, errors.Wrap(err, "generate")
	}
	table, err := g.Param(st.pos.Embeddings())
	if err != nil {
		return nil, errors.Wrap(err, "generate: position embedding")
	}
	p, err := graph.Gather(table, position)
	if err != nil {
		return nil, errors.Wrap(err, "generate: position embedding")
	}
	h, err := G.Add(e[0], p)
	return h, errors.Wrap(err, "generate: add the position embedding")
}

// head applies the final normalization and the output Dense to h (1, 1,
// width) and returns the logits (1, 1, vocab): the softmax's input for a
// softmax output, the output itself for a linear one.
func (st stack) head(g *graph.Graph, h *G.Node) (*G.Node, error) {
	var err error
	if st.norm != nil {
		if h, err = st.norm.Forward(g, h); err != nil {
			return nil, errors.Wrap(err, "generate: final normalization")
		}
	}
	y, err := st.out.Forward(g, h)
	if err != nil {
		return nil, errors.Wrap(err, "generate: output layer")
	}
	if z, act, ok := g.Logits(y); ok {
		if act != "softmax" {
			return nil, errors.Errorf("generate: output layer %q has a %s activation, want softmax or none", st.out.Name(), act)
		}
		return z, nil
	}
	return y, nil
}
