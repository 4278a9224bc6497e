package generate

import "context"

// LogitsAfter feeds ids from an empty cache and returns the logits after the last.
func LogitsAfter(gen *Generator, ids []int) ([]float64, error) {
	return gen.prefill(context.Background(), ids)
}
