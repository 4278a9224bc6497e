package graph

// Mode says whether a graph is built for training or for inference. Layers such as
// Dropout behave differently in each: in Infer mode dropout is the identity.
type Mode int

const (
	// Train builds a training graph: dropout masks are drawn at every step.
	Train Mode = iota
	// Infer builds an inference graph: dropout is off.
	Infer
)

// String returns "train" or "infer".
func (m Mode) String() string {
	if m == Train {
		return "train"
	}
	return "infer"
}
