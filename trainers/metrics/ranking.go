package metrics

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// MaxRankingK is the largest cutoff k that RecallAtK, NDCGAtK and the names
// "recall_at_K" / "ndcg_at_K" accept (1<<20).
const MaxRankingK = 1 << 20

// maxRelevance is the largest graded relevance accepted (its gain 2^64-1
// keeps every DCG finite).
const maxRelevance = 64

// Name prefixes of the ranking metrics: "recall_at_" + k, "ndcg_at_" + k.
const (
	recallPrefix = "recall_at_"
	ndcgPrefix   = "ndcg_at_"
)

// RecallAtK returns a fresh recall@k metric, named "recall_at_<k>" (e.g.
// "recall_at_10"), for retrieval and ranking models that score candidates.
//
// Each row of pred holds the scores of predCols candidates (higher is
// better; any finite or infinite value, not NaN). The relevant candidates
// come from target in one of two forms:
//
//   - targetCols == 1 and predCols > 1: the index of the single relevant
//     candidate, an integer in [0, predCols) stored as a float (the
//     in-batch retrieval case: row i's positive is column i);
//   - targetCols == predCols: a relevance per candidate, a value in [0, 64],
//     relevant when > 0 (one-hot or multi-hot rows, or graded relevance).
//
// With predCols == 1 a one-column target is read as relevance. The
// candidates are ranked by decreasing score; ties are broken pessimistically
// (among equal scores the less relevant candidate comes first, then the lower
// index), so a model that gives every candidate the same score gets no
// credit. The row's recall is the number of relevant candidates ranked in the
// first k divided by the number of relevant candidates (1 or 0 for a single
// relevant candidate: the hit rate); k larger than predCols takes every
// candidate. Result is the mean over the rows that have at least one
// relevant candidate (rows without any are skipped), over every batch since
// the last Reset; 0 when no such row has been seen.
//
// A k outside [1, MaxRankingK] is an error. A NaN score, an index that is
// not an integer in range, or a relevance outside [0, 64] (or NaN) is an
// error of Update that leaves the metric unchanged.
func RecallAtK(k int) (Metric, error) {
	if err := checkRankingK(k); err != nil {
		return nil, errors.Wrap(err, "metrics.RecallAtK")
	}
	return &ranking{name: recallPrefix + strconv.Itoa(k), k: k}, nil
}

// NDCGAtK returns a fresh NDCG@k metric (normalized discounted cumulative
// gain), named "ndcg_at_<k>" (e.g. "ndcg_at_10"). pred, target, ties and
// skipped rows are as for RecallAtK.
//
// For a row whose candidates, in ranked order, have relevance r_1, r_2, ...,
// DCG@k = sum over positions i = 1..min(k, predCols) of
// (2^r_i - 1) / log2(i + 1), the gain and discount of TF-Ranking and
// keras-rs; IDCG@k is the DCG@k of the candidates sorted by decreasing
// relevance, and the row scores DCG@k / IDCG@k, in [0, 1]. With a single
// relevant candidate (an index target, or a one-hot row) at rank r this is
// 1/log2(r + 1) when r <= k and 0 otherwise. Result is the mean over the
// rows with at least one relevant candidate.
func NDCGAtK(k int) (Metric, error) {
	if err := checkRankingK(k); err != nil {
		return nil, errors.Wrap(err, "metrics.NDCGAtK")
	}
	return &ranking{name: ndcgPrefix + strconv.Itoa(k), k: k, ndcg: true}, nil
}

// checkRankingK returns an error unless 1 <= k <= MaxRankingK.
func checkRankingK(k int) error {
	if k < 1 || k > MaxRankingK {
		return errors.Errorf("k = %d, want 1 <= k <= %d", k, MaxRankingK)
	}
	return nil
}

// newRankingByName returns the metric for "recall_at_K" or "ndcg_at_K" with
// K a decimal integer without sign or leading zeros. ok is false when name
// has neither form (err is then nil); a K out of range ("0", "99999999") is
// ok with an error.
func newRankingByName(name string) (m Metric, ok bool, err error) {
	var digits string
	ndcg := false
	switch {
	case strings.HasPrefix(name, recallPrefix):
		digits = name[len(recallPrefix):]
	case strings.HasPrefix(name, ndcgPrefix):
		digits, ndcg = name[len(ndcgPrefix):], true
	default:
		return nil, false, nil
	}
	if digits == "" || (digits[0] == '0' && digits != "0") || strings.Trim(digits, "0123456789") != "" {
		return nil, false, nil
	}
	k, convErr := strconv.Atoi(digits)
	if convErr != nil {
		k = MaxRankingK + 1 // too many digits for an int: out of range
	}
	if ndcg {
		m, err = NDCGAtK(k)
	} else {
		m, err = RecallAtK(k)
	}
	return m, true, err
}

// ranking is recall@k or NDCG@k: a running mean of a per-row score over the
// rows with at least one relevant candidate.
type ranking struct {
	name string
	k    int
	ndcg bool

	total, count float64
	order        []int     // scratch: candidate positions of one row
	gains        []float64 // scratch: relevances of one row, for IDCG
}

var _ Metric = (*ranking)(nil)

func (m *ranking) Name() string { return m.name }

func (m *ranking) Reset() { m.total, m.count = 0, 0 }

func (m *ranking) Update(pred []float64, predCols int, target []float64, targetCols int) error {
	sparse := targetCols == 1 && predCols > 1
	if predCols >= 1 && targetCols >= 1 && !sparse && targetCols != predCols {
		return errors.Errorf("metrics: %s: targetCols %d must be 1 (the index of the relevant candidate) or predCols %d (a relevance per candidate)",
			m.name, targetCols, predCols)
	}
	rule := sameCols
	if sparse {
		rule = sparseTarget
	}
	rows, err := checkShape(m.name, rule, pred, predCols, target, targetCols)
	if err != nil {
		return err
	}
	if err := m.check(pred, predCols, target, sparse); err != nil {
		return err
	}
	for r := 0; r < rows; r++ {
		scores := pred[r*predCols : (r+1)*predCols]
		var s float64
		var ok bool
		if sparse {
			s, ok = m.scoreIndex(scores, int(target[r])), true
		} else {
			s, ok = m.scoreRelevance(scores, target[r*predCols:(r+1)*predCols])
		}
		if ok {
			m.total += s
			m.count++
		}
	}
	return nil
}

// check validates every score and target of a batch before any is counted.
func (m *ranking) check(pred []float64, predCols int, target []float64, sparse bool) error {
	for i, p := range pred {
		if math.IsNaN(p) {
			return errors.Errorf("metrics: %s: score %d (row %d, col %d) is NaN", m.name, i, i/predCols, i%predCols)
		}
	}
	for i, t := range target {
		if sparse {
			if !(t >= 0 && t < float64(predCols)) || t != math.Trunc(t) {
				return errors.Errorf("metrics: %s: target of row %d is %v, want the index of a candidate, an integer in [0, %d)",
					m.name, i, t, predCols)
			}
			continue
		}
		if !(t >= 0 && t <= maxRelevance) {
			return errors.Errorf("metrics: %s: relevance %d (row %d, col %d) is %v, want a value in [0, 64]",
				m.name, i, i/predCols, i%predCols, t)
		}
	}
	return nil
}

// scoreIndex scores a row whose only relevant candidate is rel: its rank is
// 1 + the number of candidates scored higher + the number of other
// candidates scored the same (pessimistic ties).
func (m *ranking) scoreIndex(scores []float64, rel int) float64 {
	s := scores[rel]
	rank := 1
	for j, v := range scores {
		if v > s || (v == s && j != rel) {
			rank++
		}
	}
	if rank > m.k {
		return 0
	}
	if m.ndcg {
		return 1 / math.Log2(float64(rank)+1)
	}
	return 1
}

// scoreRelevance scores a row of graded relevances; ok is false when no
// candidate is relevant.
func (m *ranking) scoreRelevance(scores, rel []float64) (float64, bool) {
	relevant := 0
	for _, r := range rel {
		if r > 0 {
			relevant++
		}
	}
	if relevant == 0 {
		return 0, false
	}
	m.order = m.order[:0]
	for j := range scores {
		m.order = append(m.order, j)
	}
	// Decreasing score; among ties the less relevant first, then the lower
	// index: a total order, so the result does not depend on the sort.
	sort.Slice(m.order, func(a, b int) bool {
		i, j := m.order[a], m.order[b]
		if scores[i] != scores[j] {
			return scores[i] > scores[j]
		}
		if rel[i] != rel[j] {
			return rel[i] < rel[j]
		}
		return i < j
	})
	top := min(m.k, len(scores))
	if !m.ndcg {
		hits := 0
		for _, j := range m.order[:top] {
			if rel[j] > 0 {
				hits++
			}
		}
		return float64(hits) / float64(relevant), true
	}
	dcg := 0.0
	for i, j := range m.order[:top] {
		dcg += gain(rel[j]) / math.Log2(float64(i)+2)
	}
	m.gains = append(m.gains[:0], rel...)
	sort.Sort(sort.Reverse(sort.Float64Slice(m.gains)))
	idcg := 0.0
	for i, r := range m.gains[:top] {
		idcg += gain(r) / math.Log2(float64(i)+2)
	}
	return dcg / idcg, true
}

// gain is the NDCG gain of relevance r: 2^r - 1.
func gain(r float64) float64 { return math.Exp2(r) - 1 }

func (m *ranking) Result() float64 {
	if m.count == 0 {
		return 0
	}
	return m.total / m.count
}
