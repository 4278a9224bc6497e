package onnx

import pb "github.com/advancedclimatesystems/gonnx/onnx"

// simplify tidies the graph without changing what it computes:
//   - Transpose pairs whose permutations cancel (NHWC->NCHW then back, between two
//     convolutions or pools) are bypassed, also around element-wise and
//     per-channel ops (sinkTransposes);
//   - an Identity writing a graph output from a value that only it reads is
//     removed, its producer writing the output directly;
//   - nodes whose outputs nothing reads are dropped.
func (e *exporter) simplify() {
	g := e.g
	producer := map[string]*pb.NodeProto{}
	for _, n := range g.Node {
		for _, o := range n.Output {
			producer[o] = n
		}
	}
	// Cancel Transpose(Transpose(x, p), q) where q∘p is the identity.
	for _, n := range g.Node {
		for i, in := range n.Input {
			t2 := producer[in]
			if t2 == nil || t2.OpType != "Transpose" {
				continue
			}
			t1 := producer[t2.Input[0]]
			if t1 == nil || t1.OpType != "Transpose" {
				continue
			}
			if cancels(permOf(t1), permOf(t2)) {
				n.Input[i] = t1.Input[0]
			}
		}
	}
	for _, o := range g.Output {
		for i, n := range g.Node { // graph outputs read from a transpose pair too
			if len(n.Output) == 1 && n.Output[0] == o.Name && n.OpType == "Identity" {
				t2 := producer[n.Input[0]]
				if t2 != nil && t2.OpType == "Transpose" {
					if t1 := producer[t2.Input[0]]; t1 != nil && t1.OpType == "Transpose" && cancels(permOf(t1), permOf(t2)) {
						g.Node[i].Input[0] = t1.Input[0]
					}
				}
			}
		}
	}
	e.prune()
	e.sinkTransposes()
	e.prune()
	// Fold output Identities into their producers.
	readers := map[string]int{}
	for _, n := range g.Node {
		for _, in := range n.Input {
			readers[in]++
		}
	}
	isOutput := map[string]bool{}
	for _, o := range g.Output {
		isOutput[o.Name] = true
	}
	var kept []*pb.NodeProto
	for _, n := range g.Node {
		if n.OpType == "Identity" && isOutput[n.Output[0]] {
			src := n.Input[0]
			if p := producer[src]; p != nil && readers[src] == 1 && !isOutput[src] {
				for i, o := range p.Output {
					if o == src {
						p.Output[i] = n.Output[0]
					}
				}
				continue
			}
		}
		kept = append(kept, n)
	}
	g.Node = kept
}

// prune drops nodes none of whose outputs is read by a kept node or the graph.
func (e *exporter) prune() {
	g := e.g
	need := map[string]bool{}
	for _, o := range g.Output {
		need[o.Name] = true
	}
	keep := make([]bool, len(g.Node))
	for i := len(g.Node) - 1; i >= 0; i-- { // nodes are in topological order
		n := g.Node[i]
		for _, o := range n.Output {
			if need[o] {
				keep[i] = true
			}
		}
		if keep[i] {
			for _, in := range n.Input {
				need[in] = true
			}
		}
	}
	var nodes []*pb.NodeProto
	for i, n := range g.Node {
		if keep[i] {
			nodes = append(nodes, n)
		}
	}
	g.Node = nodes
	var inits []*pb.TensorProto
	for _, t := range g.Initializer {
		if need[t.Name] {
			inits = append(inits, t)
		}
	}
	g.Initializer = inits
}

func permOf(n *pb.NodeProto) []int64 {
	for _, a := range n.Attribute {
		if a.Name == "perm" {
			return a.Ints
		}
	}
	return nil
}

// cancels reports whether applying perm p then perm q is the identity.
func cancels(p, q []int64) bool {
	if len(p) == 0 || len(p) != len(q) {
		return false
	}
	for i := range q {
		if q[i] < 0 || int(q[i]) >= len(p) || p[q[i]] != int64(i) {
			return false
		}
	}
	return true
}
