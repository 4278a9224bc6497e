package metrics

import "github.com/pkg/errors"

// shapeRule says how the target columns of a metric relate to the
// prediction columns.
type shapeRule int

const (
	// sameCols: target has exactly as many columns as pred.
	sameCols shapeRule = iota
	// sparseTarget: target has one column of class ids, or one per position
	// of a sequence (predCols a multiple of targetCols).
	sparseTarget
)

// checkShape validates one batch for the metric called label and returns
// its number of rows.
func checkShape(label string, rule shapeRule, pred []float64, predCols int, target []float64, targetCols int) (int, error) {
	if predCols < 1 || targetCols < 1 {
		return 0, errors.Errorf("metrics: %s: predCols %d and targetCols %d must be at least 1",
			label, predCols, targetCols)
	}
	if len(pred)%predCols != 0 {
		return 0, errors.Errorf("metrics: %s: len(pred) %d is not a multiple of predCols %d",
			label, len(pred), predCols)
	}
	if len(target)%targetCols != 0 {
		return 0, errors.Errorf("metrics: %s: len(target) %d is not a multiple of targetCols %d",
			label, len(target), targetCols)
	}
	rows := len(pred) / predCols
	if trows := len(target) / targetCols; trows != rows {
		return 0, errors.Errorf("metrics: %s: pred has %d rows (%d values / %d cols) but target has %d rows (%d values / %d cols)",
			label, rows, len(pred), predCols, trows, len(target), targetCols)
	}
	switch rule {
	case sameCols:
		if targetCols != predCols {
			return 0, errors.Errorf("metrics: %s: targetCols %d must equal predCols %d",
				label, targetCols, predCols)
		}
	case sparseTarget:
		if predCols%targetCols != 0 || (targetCols > 1 && predCols/targetCols < 2) {
			return 0, errors.Errorf("metrics: %s: targetCols %d must be 1 (class ids) or divide predCols %d into positions of at least 2 classes (one id per position)",
				label, targetCols, predCols)
		}
	}
	return rows, nil
}
