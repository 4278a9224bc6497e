package datasets

import (
	"sort"

	"github.com/pkg/errors"
)

// LabelEncoder maps string labels to integer class ids as scikit-learn's
// LabelEncoder does: the ids are the positions of the labels in the sorted
// list of distinct labels seen by Fit (byte-wise string order), so
// {"cat", "dog", "ant"} gives ant=0, cat=1, dog=2. Combine it with OneHot for
// one-hot targets.
//
// The zero value is an unfitted encoder. Classes is exported (with a JSON
// name) so that a fitted encoder can be saved with a model and restored.
type LabelEncoder struct {
	// Classes holds the distinct labels in increasing order; label
	// Classes[i] has id i.
	Classes []string `json:"classes"`
}

// Fit sets Classes to the sorted distinct values of labels. An empty labels
// is an error and leaves the encoder unchanged.
func (e *LabelEncoder) Fit(labels []string) error {
	if e == nil {
		return errors.New("datasets.LabelEncoder.Fit: nil encoder")
	}
	if len(labels) == 0 {
		return errors.New("datasets.LabelEncoder.Fit: no labels")
	}
	classes := append([]string(nil), labels...)
	sort.Strings(classes)
	out := classes[:1]
	for _, c := range classes[1:] {
		if c != out[len(out)-1] {
			out = append(out, c)
		}
	}
	e.Classes = out
	return nil
}

// Transform returns the class id of every label, in order (len(labels) ids
// in [0, len(Classes))). A label not seen by Fit is an error naming it and
// its index; so is an unfitted encoder or a Classes that is not sorted and
// distinct. An empty labels gives an empty, non-nil result.
func (e *LabelEncoder) Transform(labels []string) ([]int, error) {
	if err := e.check(); err != nil {
		return nil, errors.Wrap(err, "datasets.LabelEncoder.Transform")
	}
	ids := make([]int, len(labels))
	for i, l := range labels {
		k := sort.SearchStrings(e.Classes, l)
		if k == len(e.Classes) || e.Classes[k] != l {
			return nil, errors.Errorf("datasets.LabelEncoder.Transform: unseen label %q at index %d (%d known classes)",
				l, i, len(e.Classes))
		}
		ids[i] = k
	}
	return ids, nil
}

// FitTransform fits the encoder on labels (see Fit) and returns their ids
// (see Transform).
func (e *LabelEncoder) FitTransform(labels []string) ([]int, error) {
	if err := e.Fit(labels); err != nil {
		return nil, errors.Wrap(err, "datasets.LabelEncoder.FitTransform")
	}
	ids, err := e.Transform(labels)
	return ids, errors.Wrap(err, "datasets.LabelEncoder.FitTransform")
}

// Inverse returns the label of every class id, in order. An id outside
// [0, len(Classes)) is an error naming it and its index, as is an unfitted
// encoder. An empty ids gives an empty, non-nil result.
func (e *LabelEncoder) Inverse(ids []int) ([]string, error) {
	if err := e.check(); err != nil {
		return nil, errors.Wrap(err, "datasets.LabelEncoder.Inverse")
	}
	labels := make([]string, len(ids))
	for i, id := range ids {
		if id < 0 || id >= len(e.Classes) {
			return nil, errors.Errorf("datasets.LabelEncoder.Inverse: id %d at index %d out of range [0, %d)",
				id, i, len(e.Classes))
		}
		labels[i] = e.Classes[id]
	}
	return labels, nil
}

// check returns an error unless the encoder is fitted with sorted, distinct
// classes (which a restored encoder might not be).
func (e *LabelEncoder) check() error {
	if e == nil {
		return errors.New("nil encoder")
	}
	if len(e.Classes) == 0 {
		return errors.New("encoder is not fitted (call Fit first)")
	}
	for i := 1; i < len(e.Classes); i++ {
		if e.Classes[i-1] >= e.Classes[i] {
			return errors.Errorf("classes %q and %q at %d and %d are not sorted and distinct",
				e.Classes[i-1], e.Classes[i], i-1, i)
		}
	}
	return nil
}
