package trainers

// LossNames returns each output's loss name, in output order ("" for a loss
// given as a function, WithLossFunc, and for a trainer without a loss): what a
// tool that recomputes losses outside the graph (package audit) needs to know.
func (t *Trainer) LossNames() []string {
	out := make([]string, len(t.heads))
	for i, h := range t.heads {
		if !h.custom {
			out[i] = h.lossName
		}
	}
	return out
}
