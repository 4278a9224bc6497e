package onnx

import pb "github.com/advancedclimatesystems/gonnx/onnx"

// elementwise are the one-input ops that act on each value alone, so that they
// commute with a Transpose.
var elementwiseOps = map[string]bool{
	"Relu": true, "Sigmoid": true, "Tanh": true, "Elu": true, "Selu": true, "LeakyRelu": true,
	"Softplus": true, "Softsign": true, "HardSigmoid": true, "Exp": true, "Identity": true,
}

// channelOps are the two-input ops that commute with a Transpose when one input is
// a scalar or a per-channel (1-D, last axis) initializer.
var channelOps = map[string]bool{"Mul": true, "Add": true, "Sub": true, "Div": true}

// sinkTransposes removes a Transpose pair that cancels around a chain of
// element-wise and per-channel ops (BatchNormalization's scale and shift, an
// activation, Dropout): Transpose(p) -> chain -> Transpose(q), with q∘p the
// identity and every value in between read once, becomes the chain on the
// untransposed value, its per-channel constants reshaped for the channels-first
// layout ((C) -> (C, 1, 1)). The emptied Transposes are pruned afterwards.
func (e *exporter) sinkTransposes() {
	g := e.g
	readers := map[string][]*pb.NodeProto{}
	for _, n := range g.Node {
		for _, in := range n.Input {
			readers[in] = append(readers[in], n)
		}
	}
	inits := map[string]*pb.TensorProto{}
	for _, t := range g.Initializer {
		inits[t.Name] = t
	}
	isOutput := map[string]bool{}
	for _, o := range g.Output {
		isOutput[o.Name] = true
	}
	for _, t1 := range g.Node {
		p := permOf(t1)
		if t1.OpType != "Transpose" || len(p) < 3 {
			continue
		}
		var chain []*pb.NodeProto
		var t2 *pb.NodeProto
		v := t1.Output[0]
		for t2 == nil {
			rs := readers[v]
			if len(rs) != 1 || isOutput[v] {
				break
			}
			n := rs[0]
			switch {
			case n.OpType == "Transpose" && cancels(p, permOf(n)):
				t2 = n
			case elementwiseOps[n.OpType] && len(n.Input) == 1:
				chain = append(chain, n)
				v = n.Output[0]
			case channelOps[n.OpType] && len(n.Input) == 2 && perChannel(inits, otherInput(n, v)):
				chain = append(chain, n)
				v = n.Output[0]
			default:
				v = ""
			}
			if v == "" {
				break
			}
		}
		if t2 == nil || len(chain) == 0 {
			continue
		}
		// The channel axis (last before the Transpose) is axis p[r-1] after it
		// is undone; constants broadcast from the right, so (C) becomes (C, 1, ...).
		trailing := len(p) - 1 - int(p[len(p)-1])
		for _, n := range chain {
			for i, in := range n.Input {
				if in == t1.Output[0] {
					n.Input[i] = t1.Input[0]
				} else if t := inits[in]; t != nil && len(t.Dims) == 1 && trailing > 0 {
					n.Input[i] = e.reshapedConst(t, trailing)
				}
			}
		}
		prev := chain[len(chain)-1].Output[0]
		for _, r := range readers[t2.Output[0]] {
			for i, in := range r.Input {
				if in == t2.Output[0] {
					r.Input[i] = prev
				}
			}
		}
		for _, o := range g.Output { // a graph output read from t2
			if o.Name == t2.Output[0] {
				t2.Input[0], t2.OpType, t2.Attribute = prev, "Identity", nil
			}
		}
	}
}

// otherInput is n's input that is not v.
func otherInput(n *pb.NodeProto, v string) string {
	if n.Input[0] == v {
		return n.Input[1]
	}
	return n.Input[0]
}

// perChannel reports whether name is a scalar or 1-D initializer.
func perChannel(inits map[string]*pb.TensorProto, name string) bool {
	t, ok := inits[name]
	return ok && len(t.Dims) <= 1
}

// reshapedConst adds a copy of the 1-D initializer t with trailing axes of size 1.
func (e *exporter) reshapedConst(t *pb.TensorProto, trailing int) string {
	c := &pb.TensorProto{Name: e.fresh(t.Name + "/channels_first"), DataType: t.DataType, RawData: t.RawData,
		FloatData: t.FloatData, DoubleData: t.DoubleData, Int64Data: t.Int64Data, Dims: append([]int64(nil), t.Dims...)}
	for i := 0; i < trailing; i++ {
		c.Dims = append(c.Dims, 1)
	}
	e.g.Initializer = append(e.g.Initializer, c)
	return c.Name
}
