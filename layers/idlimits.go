package layers

// IDLimits gives, for each input of the model in order, the number of ids its
// values must stay below when the input feeds an Embedding directly (the smallest
// vocabulary when it feeds several), or 0 when no Embedding reads it directly.
// Trainers and servers check integer inputs against it before running the model,
// so that an id beyond a vocabulary is an error naming the input and the layer.
func (m *Functional) IDLimits() []int {
	limits, _ := m.idLimits()
	return limits
}

// IDReaders names, for each input in order, the Embedding layers that read it
// directly ("" when none), for error messages.
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
		e, ok := n.layer.(*EmbeddingLayer)
		if !ok {
			continue
		}
		for _, x := range n.in {
			i, ok := index[x]
			if !ok {
				continue
			}
			if limits[i] == 0 || e.vocab < limits[i] {
				limits[i] = e.vocab
				names[i] = e.Name()
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
