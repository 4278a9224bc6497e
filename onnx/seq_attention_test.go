package onnx

import (
	"testing"

	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

func TestAttentionParity(t *testing.T) {
	causal, scores := layers.WithCausalMask(true), layers.WithReturnScores(true)
	runSeqCases(t, []seqCase{
		{name: "self", build: rnnModel(5, 8, tensor.Float32, func(x *layers.Tensor) []*layers.Tensor {
			return layers.MultiHeadAttention(2, 4).Apply(x, x)
		})},
		{name: "causal_scores_no_bias", build: rnnModel(5, 6, tensor.Float32, func(x *layers.Tensor) []*layers.Tensor {
			return layers.MultiHeadAttention(3, 2, causal, scores, layers.WithBias(false), layers.WithOutputShape(4)).Apply(x, x)
		})},
		{name: "cross_key", build: func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
			q, v, k := layers.NewInput("q", layers.Shape(3, 6)), layers.NewInput("v", layers.Shape(5, 4)), layers.NewInput("k", layers.Shape(5, 2))
			m := functional(t, []*layers.Tensor{q, v, k}, layers.MultiHeadAttention(2, 3, scores).Apply(q, v, k), tensor.Float32)
			return m, named(m, randInput(tensor.Float32, 2, 3, 6), randInput(tensor.Float32, 2, 5, 4), scaled(randInput(tensor.Float32, 2, 5, 2), 0.5))
		}},
		{name: "masked_self_causal", build: maskedIDs(tensor.Int64, func(h *layers.Tensor) []*layers.Tensor {
			return layers.MultiHeadAttention(2, 3, causal, scores).Apply(h, h)
		})},
		{name: "masked_cross", build: func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
			qi, vi := layers.NewInput("q_ids", layers.Shape(3), layers.Int64), layers.NewInput("v_ids", layers.Shape(5), layers.Int64)
			q := layers.Embedding(9, 4, layers.WithMaskZero(true)).Apply(qi)
			v := layers.Embedding(9, 6, layers.WithMaskZero(true)).Apply(vi)
			h := layers.MultiHeadAttention(2, 3, scores).Apply(q, v)
			outs := append(h, layers.LSTM(2).Apply(h[0])...) // the output carries the query's mask
			m := functional(t, []*layers.Tensor{qi, vi}, outs, tensor.Float32)
			return m, named(m, ids(tensor.Int64, []int{1, 0, 2}, []int{0, 4, 4}, []int{3, 3, 3}),
				ids(tensor.Int64, []int{5, 0, 2, 6, 0}, []int{0, 0, 0, 0, 0}, []int{8, 1, 1, 0, 0}))
		}},
		{name: "float64", build: rnnModel(4, 6, tensor.Float64, func(x *layers.Tensor) []*layers.Tensor {
			return layers.MultiHeadAttention(2, 3, causal).Apply(x, x)
		}), tol: 1e-12},
	})
}

func TestTransformerParity(t *testing.T) {
	pre := layers.WithNormalizeFirst(true)
	gelu := layers.WithActivation("gelu")
	pool := func(h *layers.Tensor) []*layers.Tensor { return layers.Apply(layers.GlobalAveragePooling1D(), h) }
	maxPool := func(h *layers.Tensor) []*layers.Tensor { return layers.Apply(layers.GlobalMaxPooling1D(), h) }
	runSeqCases(t, []seqCase{
		{name: "encoder_post_relu", build: rnnModel(5, 8, tensor.Float32, one(layers.TransformerEncoder(2, 16)))},
		{name: "encoder_pre_gelu", build: rnnModel(5, 8, tensor.Float32, one(layers.TransformerEncoder(4, 12, pre, gelu)))},
		{name: "decoder_pre_gelu_tanh", build: rnnModel(5, 8, tensor.Float32, one(layers.TransformerDecoder(2, 16, pre, layers.WithActivation("gelu_tanh"))))},
		{name: "decoder_post", build: rnnModel(5, 8, tensor.Float32, one(layers.TransformerDecoder(2, 16, layers.WithEpsilon(1e-3))))},
		{name: "encoder_opset13", build: rnnModel(5, 8, tensor.Float32, one(layers.TransformerEncoder(2, 16, pre))), opts: []Option{WithOpset(13)}},
		{name: "encoder_float64", build: rnnModel(5, 6, tensor.Float64, one(layers.TransformerEncoder(3, 8))), tol: 1e-12}, // relu: ONNX Runtime has no float64 Erf,
		{name: "masked_encoder_avg_pool", build: maskedIDs(tensor.Int64, func(h *layers.Tensor) []*layers.Tensor {
			h = layers.PositionalEmbedding(6, 4).Apply(h)
			return pool(layers.TransformerEncoder(2, 8).Apply(h))
		})},
		{name: "masked_decoder_max_pool", build: maskedIDs(tensor.Int32, func(h *layers.Tensor) []*layers.Tensor {
			h = layers.SinusoidalEncoding().Apply(h)
			h = layers.LayerNormalization().Apply(h)
			return maxPool(layers.TransformerDecoder(2, 8, pre).Apply(h))
		})},
	})
}

func TestSequenceUtilityParity(t *testing.T) {
	runSeqCases(t, []seqCase{
		{name: "embedding_int64", build: func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
			in := layers.NewInput("ids", layers.Shape(4), layers.Int64)
			h := layers.Embedding(10, 3).Apply(in)
			m := functional(t, []*layers.Tensor{in}, []*layers.Tensor{layers.Dense(2).Apply(h)}, tensor.Float32)
			return m, named(m, ids(tensor.Int64, []int{0, 9, 3, 3}, []int{7, 1, 0, 2}))
		}},
		{name: "embedding_unmasked_pools", build: func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
			in := layers.NewInput("ids", layers.Shape(4), layers.Int32)
			h := layers.Embedding(10, 3).Apply(in)
			outs := append(layers.Apply(layers.GlobalMaxPooling1D(), h), layers.Apply(layers.GlobalAveragePooling1D(), h)...)
			m := functional(t, []*layers.Tensor{in}, outs, tensor.Float32)
			return m, named(m, ids(tensor.Int32, []int{0, 9, 3, 3}, []int{7, 1, 0, 2}))
		}},
		{name: "embedding_bags", build: func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
			in := layers.NewInput("ids", layers.Shape(4), layers.Int64)
			in32 := layers.NewInput("ids32", layers.Shape(4), layers.Int32)
			outs := []*layers.Tensor{layers.EmbeddingBag(10, 3).Apply(in),
				layers.EmbeddingBag(10, 3, layers.WithCombiner("mean")).Apply(in),
				layers.EmbeddingBag(10, 3, layers.WithCombiner("sqrtn"), layers.WithPaddingID(-1)).Apply(in32)}
			m := functional(t, []*layers.Tensor{in, in32}, outs, tensor.Float32)
			return m, named(m, ids(tensor.Int64, []int{0, 9, 3, 3}, []int{0, 0, 0, 0}, []int{7, 1, 0, 2}),
				ids(tensor.Int32, []int{-1, 9, 0, 3}, []int{-1, -1, -1, -1}, []int{7, -1, 1, 2}))
		}},
		{name: "positional_short_of_max", build: rnnModel(3, 4, tensor.Float32, func(x *layers.Tensor) []*layers.Tensor {
			return []*layers.Tensor{layers.PositionalEmbedding(7, 4).Apply(x)}
		})},
		{name: "sinusoidal_layernorm", build: rnnModel(5, 6, tensor.Float32, func(x *layers.Tensor) []*layers.Tensor {
			return []*layers.Tensor{layers.LayerNormalization(layers.WithEpsilon(1e-5)).Apply(layers.SinusoidalEncoding().Apply(x))}
		})},
		{name: "layernorm_opset13_float64", build: rnnModel(5, 6, tensor.Float64, func(x *layers.Tensor) []*layers.Tensor {
			return []*layers.Tensor{layers.LayerNormalization().Apply(x)}
		}), opts: []Option{WithOpset(13)}, tol: 1e-12},
		{name: "repeat_vector_lstm", build: func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
			x := layers.NewInput("x", layers.Shape(3))
			h := layers.RepeatVector(4).Apply(x)
			m := functional(t, []*layers.Tensor{x}, layers.LSTM(2, layers.WithReturnSequences(true)).Apply(h), tensor.Float32)
			return m, named(m, randInput(tensor.Float32, 2, 3))
		}},
		{name: "time_distributed_dense", build: rnnModel(4, 3, tensor.Float32, func(x *layers.Tensor) []*layers.Tensor {
			return []*layers.Tensor{layers.TimeDistributed(layers.Dense(5, layers.WithActivation("relu"))).Apply(x)}
		})},
		{name: "time_distributed_conv2d", build: func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
			x := layers.NewInput("frames", layers.Shape(3, 5, 5, 2))
			h := layers.TimeDistributed(layers.Conv2D(3, 3, layers.WithActivation("relu"))).Apply(x)
			h = layers.TimeDistributed(layers.Flatten()).Apply(h)
			m := functional(t, []*layers.Tensor{x}, layers.GRU(2).Apply(h), tensor.Float32)
			return m, named(m, randInput(tensor.Float32, 2, 3, 5, 5, 2))
		}},
		{name: "masking_time_distributed_gru", build: func(t *testing.T) (layers.Model, map[string]*tensor.Dense) {
			x := layers.NewInput("x", layers.Shape(4, 3))
			h := layers.TimeDistributed(layers.Dense(3)).Apply(layers.Masking(0).Apply(x))
			m := functional(t, []*layers.Tensor{x}, layers.GRU(2).Apply(h), tensor.Float32)
			in := randInput(tensor.Float32, 2, 4, 3)
			d := in.Data().([]float32)
			for j := 0; j < 3; j++ {
				d[2*3+j], d[12+3*3+j] = 0, 0
			}
			return m, named(m, in)
		}},
	})
}
