package graph

import G "gorgonia.org/gorgonia"

// ComputeOnly makes the Executor run only the nodes that the given ones are
// computed from (they included). The rest of the graph is skipped: for example
// the gradient with respect to a model's input images, which symbolic
// differentiation builds along with the weights' gradients but nothing reads
// (about a quarter of an MLP's training step). Value of a skipped node is its
// bound value or nil. Default (without this option): every node runs.
func ComputeOnly(nodes ...*G.Node) ExecutorOption {
	return func(e *Executor) {
		e.only = append([]*G.Node{}, nodes...)
	}
}

// ancestorsOf is the set of nodes of g that any of nodes is computed from,
// nodes included (nil entries are ignored).
func ancestorsOf(g *G.ExprGraph, nodes []*G.Node) map[*G.Node]bool {
	seen := make(map[*G.Node]bool)
	var stack []*G.Node
	for _, n := range nodes {
		if n != nil && !seen[n] {
			seen[n] = true
			stack = append(stack, n)
		}
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for it := g.From(n.ID()); it.Next(); {
			c := it.Node().(*G.Node)
			if !seen[c] {
				seen[c] = true
				stack = append(stack, c)
			}
		}
	}
	return seen
}
