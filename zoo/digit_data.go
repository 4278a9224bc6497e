package zoo

import (
	"math"
	"math/rand"

	"github.com/gokeras/gokeras/datasets"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// digitSide is the height and width of scikit-learn's digits.
const digitSide = 8

// digitSet holds one part of scikit-learn's 8x8 digits as raw images (the pixel
// counts 0..16, which the models scale with digitScale), row by row,
// digitSide*digitSide values per image, and their digits.
type digitSet struct {
	pixels []float32
	labels []int
}

// len is the number of images.
func (d digitSet) len() int { return len(d.labels) }

// image returns the pixels of image i.
func (d digitSet) image(i int) []float32 {
	const n = digitSide * digitSide
	return d.pixels[i*n : (i+1)*n]
}

// digitParts returns the train and test parts of datasets.Digits (its own
// stratified split: 1437 and 360 images) as digitSets.
func digitParts() (train, test digitSet, err error) {
	s, err := datasets.Digits()
	if err != nil {
		return train, test, err
	}
	if train, err = newDigitSet(s.Train); err != nil {
		return train, test, errors.Wrap(err, "digits: training part")
	}
	test, err = newDigitSet(s.Test)
	return train, test, errors.Wrap(err, "digits: test part")
}

// newDigitSet converts a part of the digits to float32 and checks its labels.
func newDigitSet(t *datasets.Tensor) (digitSet, error) {
	x, ok1 := t.X().Data().([]float64)
	y, ok2 := t.Y().Data().([]float64)
	const n = digitSide * digitSide
	if !ok1 || !ok2 || len(x) != len(y)*n {
		return digitSet{}, errors.Errorf("want float64 features (N, %d) and labels (N, 1), got %v %v and %v %v",
			n, t.X().Dtype(), t.X().Shape(), t.Y().Dtype(), t.Y().Shape())
	}
	d := digitSet{pixels: make([]float32, len(x)), labels: make([]int, len(y))}
	for i, v := range x {
		d.pixels[i] = float32(v)
	}
	for i, v := range y {
		if v != math.Trunc(v) || v < 0 || v > 9 {
			return digitSet{}, errors.Errorf("example %d: label %g is not a digit", i, v)
		}
		d.labels[i] = int(v)
	}
	return d, nil
}

// imageTensor returns pixels (n images) as a float32 tensor (n, 8, 8, 1).
func imageTensor(pixels []float32, n int) *tensor.Dense {
	return tensor.New(tensor.WithShape(n, digitSide, digitSide, 1), tensor.WithBacking(pixels))
}

// columnTensor returns vals as a float32 tensor (n, 1).
func columnTensor(vals []float32) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(vals), 1), tensor.WithBacking(vals))
}

// digitPairs pairs every image of d with perImage partners drawn by rng: the
// first, third, ... a random other image of the same digit, the second, fourth,
// ... a random image of another digit (its digit uniform among the nine others),
// so that the pairs are balanced between "same" (1) and "different" (0) when
// perImage is even. Each pair is put left/right in random order. It returns the
// left and right images and the targets, row by row.
func digitPairs(d digitSet, perImage int, rng *rand.Rand) (left, right, same []float32, err error) {
	var byDigit [10][]int
	for i, c := range d.labels {
		byDigit[c] = append(byDigit[c], i)
	}
	for c, idx := range byDigit {
		if len(idx) < 2 {
			return nil, nil, nil, errors.Errorf("digit %d has %d image(s); pairs need at least 2 of each", c, len(idx))
		}
	}
	n := d.len() * perImage
	const size = digitSide * digitSide
	left = make([]float32, 0, n*size)
	right = make([]float32, 0, n*size)
	same = make([]float32, 0, n)
	for i, c := range d.labels {
		for k := 0; k < perImage; k++ {
			var j int
			target := float32(0)
			if k%2 == 0 {
				pool := byDigit[c]
				for j = i; j == i; {
					j = pool[rng.Intn(len(pool))]
				}
				target = 1
			} else {
				other := (c + 1 + rng.Intn(9)) % 10
				pool := byDigit[other]
				j = pool[rng.Intn(len(pool))]
			}
			a, b := i, j
			if rng.Intn(2) == 1 {
				a, b = b, a
			}
			left = append(left, d.image(a)...)
			right = append(right, d.image(b)...)
			same = append(same, target)
		}
	}
	return left, right, same, nil
}
