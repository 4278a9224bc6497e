package metrics

import "math"

// rowScore scores one row: it returns the amount to add to the running
// total and the amount to add to the running count.
type rowScore func(pred, target []float64) (sum, n float64)

// meanMetric is a running mean (total / count) of a per-row score, or the
// square root of that mean when root is set.
type meanMetric struct {
	name  string // name in logs
	label string // name in error messages
	rule  shapeRule
	score rowScore
	root  bool

	total, count float64
}

var _ Metric = (*meanMetric)(nil)

func (m *meanMetric) Name() string { return m.name }

func (m *meanMetric) Reset() { m.total, m.count = 0, 0 }

func (m *meanMetric) Update(pred []float64, predCols int, target []float64, targetCols int) error {
	rows, err := checkShape(m.label, m.rule, pred, predCols, target, targetCols)
	if err != nil {
		return err
	}
	for r := 0; r < rows; r++ {
		s, n := m.score(pred[r*predCols:(r+1)*predCols], target[r*targetCols:(r+1)*targetCols])
		m.total += s
		m.count += n
	}
	return nil
}

func (m *meanMetric) Result() float64 {
	if m.count == 0 {
		return 0
	}
	mean := m.total / m.count
	if m.root {
		return math.Sqrt(mean)
	}
	return mean
}
