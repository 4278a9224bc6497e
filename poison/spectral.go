package poison

import (
	"math"
	"sort"

	"github.com/pkg/errors"
	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"
)

// SpectralOption changes SpectralSignatures' defaults.
type SpectralOption func(*spectralConfig)

type spectralConfig struct {
	expected, factor float64
}

// ExpectedFraction sets epsilon, the share of each class's rows the defender
// expects (an upper bound) to be poisoned (default 0.05).
func ExpectedFraction(eps float64) SpectralOption {
	return func(c *spectralConfig) { c.expected = eps }
}

// RemoveFactor sets how many times the expected fraction of each class's rows
// is flagged (default 1.5, as in Tran et al.).
func RemoveFactor(f float64) SpectralOption { return func(c *spectralConfig) { c.factor = f } }

// Detection is what SpectralSignatures finds.
type Detection struct {
	// Flagged are the indices of the rows flagged as poisoned, sorted.
	Flagged []int
	// Scores holds each row's outlier score (N): its squared projection, after
	// its class's mean is subtracted, on the top right singular vector of its
	// class's centered representations (0 for a class of a single row).
	Scores []float64
	// PerClass maps each class to the number of its rows flagged.
	PerClass map[int]int
}

// SpectralSignatures is the defense of Tran, Li and Madry (2018). reps (N, D...)
// holds a representation of every training row, float32 or float64 (flattened
// to N x D: for instance a trained network's penultimate activations), and
// labels (N) the rows' training labels. For each class c of n_c rows it centers
// the class's representations, takes the top right singular vector v of the
// centered n_c x D matrix (the top eigenvector of its D x D scatter matrix),
// scores each row by its squared projection on v and flags the
// ceil(factor x eps x n_c) highest-scoring rows (at most n_c), with eps the
// ExpectedFraction (default 0.05) and factor the RemoveFactor (default 1.5).
func SpectralSignatures(reps *tensor.Dense, labels []int, opts ...SpectralOption) (*Detection, error) {
	d, err := spectralSignatures(reps, labels, opts)
	return d, errors.Wrap(err, "poison.SpectralSignatures")
}

func spectralSignatures(reps *tensor.Dense, labels []int, opts []SpectralOption) (*Detection, error) {
	c := spectralConfig{expected: 0.05, factor: 1.5}
	for _, o := range opts {
		o(&c)
	}
	if !(c.expected > 0 && c.expected <= 1) || !(c.factor > 0) || math.IsInf(c.factor, 0) {
		return nil, errors.Errorf("expected fraction %g and remove factor %g: want a fraction in (0, 1] and a positive factor",
			c.expected, c.factor)
	}
	rows, dim, data, classes, byClass, err := byClassOf(reps, labels)
	if err != nil {
		return nil, err
	}
	det := &Detection{Scores: make([]float64, rows), PerClass: map[int]int{}}
	for _, l := range classes {
		idx := byClass[l]
		if err := classScores(data, dim, idx, det.Scores); err != nil {
			return nil, errors.Wrapf(err, "class %d", l)
		}
		k := int(math.Ceil(c.factor * c.expected * float64(len(idx))))
		if k > len(idx) {
			k = len(idx)
		}
		order := append([]int(nil), idx...)
		sort.SliceStable(order, func(a, b int) bool { return det.Scores[order[a]] > det.Scores[order[b]] })
		det.Flagged = append(det.Flagged, order[:k]...)
		det.PerClass[l] = k
	}
	sort.Ints(det.Flagged)
	return det, nil
}

// matrix returns reps flattened to rows x dim, as float64.
func matrix(reps *tensor.Dense) (rows, dim int, data []float64, err error) {
	if reps == nil {
		return 0, 0, nil, errors.New("representations are nil")
	}
	sh := reps.Shape()
	if len(sh) < 2 || sh[0] == 0 {
		return 0, 0, nil, errors.Errorf("representations of shape %v, want (N, D...)", sh)
	}
	m, err := materialized(reps)
	if err != nil {
		return 0, 0, nil, err
	}
	rows, dim = sh[0], sh.TotalSize()/sh[0]
	switch d := m.Data().(type) {
	case []float64:
		data = d
	case []float32:
		data = make([]float64, len(d))
		for i, v := range d {
			data[i] = float64(v)
		}
	default:
		return 0, 0, nil, errors.Errorf("representations of dtype %v, want float32 or float64", reps.Dtype())
	}
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, 0, nil, errors.Errorf("representation of row %d is not finite (%g)", i/dim, v)
		}
	}
	return rows, dim, data, nil
}

// classScores writes into scores, at the rows idx of data (rows of dim
// values), the squared projection of each centered row on the top right
// singular vector of the centered rows.
func classScores(data []float64, dim int, idx []int, scores []float64) error {
	if len(idx) < 2 {
		for _, i := range idx {
			scores[i] = 0
		}
		return nil
	}
	centered, err := centeredRows(data, dim, idx)
	if err != nil {
		return err
	}
	vecs, err := topEigen(centered, dim)
	if err != nil {
		return err
	}
	top := mat.NewVecDense(dim, mat.Col(nil, dim-1, vecs)) // eigenvalues come in ascending order
	for r, i := range idx {
		p := mat.Dot(centered.RowView(r), top)
		scores[i] = p * p
	}
	return nil
}

// centeredRows returns the rows idx of data (rows of dim values) less their mean.
func centeredRows(data []float64, dim int, idx []int) (*mat.Dense, error) {
	if len(idx) == 0 {
		return nil, errors.New("no rows")
	}
	mean := make([]float64, dim)
	for _, i := range idx {
		for j, v := range data[i*dim : (i+1)*dim] {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(len(idx))
	}
	centered := mat.NewDense(len(idx), dim, nil)
	for r, i := range idx {
		row := centered.RawRowView(r)
		for j, v := range data[i*dim : (i+1)*dim] {
			row[j] = v - mean[j]
		}
	}
	return centered, nil
}

// topEigen returns the eigenvectors (columns, by ascending eigenvalue) of the
// dim x dim scatter matrix of the centered rows: the right singular vectors.
func topEigen(centered *mat.Dense, dim int) (*mat.Dense, error) {
	scatter := mat.NewSymDense(dim, nil)
	scatter.SymOuterK(1, centered.T())
	var eig mat.EigenSym
	if !eig.Factorize(scatter, true) {
		return nil, errors.New("the eigendecomposition of the scatter matrix did not converge")
	}
	vecs := mat.NewDense(dim, dim, nil)
	eig.VectorsTo(vecs)
	return vecs, nil
}

// PrecisionRecall compares the flagged rows with the truly poisoned ones:
// precision is the share of flagged rows that are poisoned (0 when none is
// flagged), recall the share of poisoned rows that are flagged (1 when none is
// poisoned). Repeated indices count once.
func PrecisionRecall(flagged, poisoned []int) (precision, recall float64) {
	truth := make(map[int]bool, len(poisoned))
	for _, i := range poisoned {
		truth[i] = true
	}
	seen := make(map[int]bool, len(flagged))
	hits := 0
	for _, i := range flagged {
		if seen[i] {
			continue
		}
		seen[i] = true
		if truth[i] {
			hits++
		}
	}
	if len(seen) > 0 {
		precision = float64(hits) / float64(len(seen))
	}
	recall = 1
	if len(truth) > 0 {
		recall = float64(hits) / float64(len(truth))
	}
	return precision, recall
}
