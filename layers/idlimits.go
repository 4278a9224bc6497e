package layers

// IDLimits gives, for each input of the model in order, the number of ids its
// values must stay below when the input feeds an Embedding or a CategoryEncoding
// directly (the smallest vocabulary when it feeds several), or 0 when none reads it
// directly.
// Trainers and servers check integer inputs against it before running the model,
// so that an id beyond a vocabulary is an error naming the input and the layer.
func (m *Functional) IDLimits() []int {
	limits, _ := m.idLimits()
	return limits
}

// IDReaders names, for each input in order, the Embedding or CategoryEncoding
// layer that sets its limit ("" when none), for error messages.
func (m *Functional) IDReaders() []string {
	_, names := m.idLimits()
	return names
}

func (m *Functional) idLimits() ([]int, []string) {
	limits := make([]int, len(m.inputs))
	names := make([]string, len(m.inputs))
	index := map[*Tensor]int{}
	for i, t := range m.inputs {
		index[t] = i
	}
	for _, n := range m.nodes {
		var limit int
		switch e := n.layer.(type) {
		case *EmbeddingLayer:
			limit = e.vocab
		case *CategoryEncodingLayer:
			limit = e.tokens
		default:
			continue
		}
		for _, x := range n.in {
			i, ok := index[x]
			if !ok {
				continue
			}
			if limits[i] == 0 || limit < limits[i] {
				limits[i] = limit
				names[i] = n.layer.Name()
			}
		}
	}
	return limits, names
}

// IDLimits is Functional.IDLimits of the model the Sequential runs (nil before
// Build).
func (s *Sequential) IDLimits() []int {
	if s.f == nil {
		return nil
	}
	return s.f.IDLimits()
}

// IDReaders is Functional.IDReaders of the model the Sequential runs.
func (s *Sequential) IDReaders() []string {
	if s.f == nil {
		return nil
	}
	return s.f.IDReaders()
}

// InputReaders returns the layers that read input i of the model directly, in the
// order they run (nil for an i out of range): the layers whose preprocessing (a
// Normalization's or a lookup's Adapt) that input's data fits.
func (m *Functional) InputReaders(i int) []Layer {
	if i < 0 || i >= len(m.inputs) {
		return nil
	}
	var out []Layer
	seen := map[Layer]bool{}
	for _, n := range m.nodes {
		for _, x := range n.in {
			if x == m.inputs[i] && !seen[n.layer] {
				seen[n.layer] = true
				out = append(out, n.layer)
			}
		}
	}
	return out
}
