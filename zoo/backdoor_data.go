package zoo

import (
	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/poison"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// backdoorData is the data of the backdoor recipe, pixels as raw bytes 0..255.
type backdoorData struct {
	// trainX (N, 28, 28, 1) and trainY (N, 1) are the poisoned training rows.
	trainX, trainY *tensor.Dense
	// poisoned are the indices of the poisoned training rows, sorted.
	poisoned []int
	// test is the clean test split.
	test datasets.Dataset
	// triggered holds the test images not of the target class, stamped.
	triggered *tensor.Dense
	classes   []string
}

// loadBackdoorData loads MNIST (the first run.trainRows and run.testRows rows;
// 0: all), poisons backdoorFraction of the training rows with the default
// trigger (poison.NewPatch: 4x4 of value 255 at rows and columns 23..26),
// seeded by seed, and stamps the test rows not of the target class.
func loadBackdoorData(run backdoorRun, seed int64) (*backdoorData, error) {
	s, err := datasets.MNIST("")
	if err != nil {
		return nil, errors.Wrap(err, "load MNIST")
	}
	d := &backdoorData{classes: append([]string(nil), s.Classes...)}
	trainX, trainY, err := rawHead(s.Train, run.trainRows)
	if err != nil {
		return nil, errors.Wrap(err, "training split")
	}
	testX, testY, err := rawHead(s.Test, run.testRows)
	if err != nil {
		return nil, errors.Wrap(err, "test split")
	}
	patch, err := poison.NewPatch(28, 28, poison.PatchValue(255))
	if err != nil {
		return nil, err
	}
	if d.trainX, d.trainY, d.poisoned, err = poison.Poison(trainX, trainY, backdoorFraction, backdoorTarget, seed, patch); err != nil {
		return nil, err
	}
	if d.test, err = datasets.NewTensor(testX, testY); err != nil {
		return nil, errors.Wrap(err, "test split")
	}
	labels, err := poison.Labels(testY)
	if err != nil {
		return nil, err
	}
	var others []int
	for i, l := range labels {
		if l != backdoorTarget {
			others = append(others, i)
		}
	}
	if len(others) == 0 {
		return nil, errors.Errorf("no test row is outside class %d", backdoorTarget)
	}
	if d.triggered, err = gatherRows(testX, others); err != nil {
		return nil, err
	}
	return d, patch.Stamp(d.triggered, nil)
}

// rawHead copies the first n rows (0: all) of t's images and labels, the pixels
// turned back into the raw bytes 0..255 (as imageData does).
func rawHead(t *datasets.Tensor, n int) (x, y *tensor.Dense, err error) {
	if n <= 0 || n > t.Len() {
		n = t.Len()
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if x, err = gatherRows(t.X(), idx); err != nil {
		return nil, nil, err
	}
	if y, err = gatherRows(t.Y(), idx); err != nil {
		return nil, nil, err
	}
	img, err := datasets.NewTensor(x, y)
	if err != nil {
		return nil, nil, err
	}
	return x, y, rawPixels(img)
}

// gatherRows copies the rows idx of t (N, ...), float32 or float64, into a new
// contiguous tensor of the same dtype.
func gatherRows(t *tensor.Dense, idx []int) (*tensor.Dense, error) {
	sh := t.Shape()
	per := sh.TotalSize() / sh[0]
	out := append([]int{len(idx)}, sh[1:]...)
	switch src := t.Data().(type) {
	case []float32:
		dst := make([]float32, 0, len(idx)*per)
		for _, i := range idx {
			dst = append(dst, src[i*per:(i+1)*per]...)
		}
		return tensor.New(tensor.WithShape(out...), tensor.WithBacking(dst)), nil
	case []float64:
		dst := make([]float64, 0, len(idx)*per)
		for _, i := range idx {
			dst = append(dst, src[i*per:(i+1)*per]...)
		}
		return tensor.New(tensor.WithShape(out...), tensor.WithBacking(dst)), nil
	}
	return nil, errors.Errorf("rows of dtype %v, want float32 or float64", t.Dtype())
}

// argmaxRows returns the index of the largest value of each row of p (N, K).
func argmaxRows(p *tensor.Dense) ([]int, error) {
	sh := p.Shape()
	if len(sh) != 2 || sh[1] == 0 {
		return nil, errors.Errorf("predictions of shape %v, want (N, classes)", sh)
	}
	k := sh[1]
	var at func(i int) float64
	switch d := p.Data().(type) {
	case []float32:
		at = func(i int) float64 { return float64(d[i]) }
	case []float64:
		at = func(i int) float64 { return d[i] }
	default:
		return nil, errors.Errorf("predictions of dtype %v", p.Dtype())
	}
	out := make([]int, sh[0])
	for r := range out {
		for c := 1; c < k; c++ {
			if at(r*k+c) > at(r*k+out[r]) {
				out[r] = c
			}
		}
	}
	return out, nil
}
