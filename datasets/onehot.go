package datasets

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// OneHot returns the one-hot encoding of labels as a float64 *tensor.Dense of
// shape (len(labels), numClasses): row i is all zeros except a 1 at column
// labels[i]. labels must be non-empty and numClasses positive; a label
// outside [0, numClasses) is an error naming its index and value.
func OneHot(labels []int, numClasses int) (*tensor.Dense, error) {
	if len(labels) == 0 {
		return nil, errors.New("datasets.OneHot: no labels")
	}
	if numClasses <= 0 {
		return nil, errors.Errorf("datasets.OneHot: numClasses = %d, want > 0", numClasses)
	}
	data := make([]float64, len(labels)*numClasses)
	for i, l := range labels {
		if l < 0 || l >= numClasses {
			return nil, errors.Errorf("datasets.OneHot: label %d at index %d out of range [0, %d)", l, i, numClasses)
		}
		data[i*numClasses+l] = 1
	}
	return tensor.New(tensor.WithShape(len(labels), numClasses), tensor.WithBacking(data)), nil
}
