package metrics

import (
	"math"

	"github.com/pkg/errors"
)

// aucThresholds is the number of thresholds of tf.keras.metrics.AUC by
// default: -epsilon, 1/199, 2/199, ..., 198/199, 1+epsilon.
const aucThresholds = 200

// auc approximates the area under the ROC curve as tf.keras.metrics.AUC does
// with its defaults (curve "ROC", summation "interpolation", 200 evenly spaced
// thresholds, multi_label false: all elements are pooled). Like Keras'
// optimized path for evenly spaced thresholds, each prediction, clipped to
// [0, 1], falls into bucket ceil(p*199)-1 (0 at least), so it counts as
// positive at every threshold it strictly exceeds; a target is positive
// when it is not 0.
type auc struct {
	pos, neg [aucThresholds]float64 // examples per bucket, by label
}

var _ Metric = (*auc)(nil)

func (a *auc) Name() string { return "auc" }

func (a *auc) Reset() { *a = auc{} }

func (a *auc) Update(pred []float64, predCols int, target []float64, targetCols int) error {
	if _, err := checkShape("auc", sameCols, pred, predCols, target, targetCols); err != nil {
		return err
	}
	for i, p := range pred {
		if math.IsNaN(p) {
			return errors.Errorf("metrics: auc: prediction %d (row %d, col %d) is NaN",
				i, i/predCols, i%predCols)
		}
	}
	for i, p := range pred {
		b := bucket(p)
		if target[i] != 0 {
			a.pos[b]++
		} else {
			a.neg[b]++
		}
	}
	return nil
}

// bucket returns the index of the highest threshold that p, clipped to
// [0, 1], strictly exceeds.
func bucket(p float64) int {
	p = math.Min(math.Max(p, 0), 1)
	b := int(math.Ceil(p*(aucThresholds-1))) - 1
	if b < 0 {
		return 0
	}
	return b
}

// Result is the trapezoid sum of the true positive rate over the false
// positive rate at the 200 thresholds; 0 when there is no positive example.
func (a *auc) Result() float64 {
	var totalPos, totalNeg float64
	for b := range a.pos {
		totalPos += a.pos[b]
		totalNeg += a.neg[b]
	}
	// Walk thresholds from the highest down, keeping the counts above each.
	var tp, fp, area float64
	prevTPR, prevFPR := 0.0, 0.0
	for t := aucThresholds - 1; t >= 0; t-- {
		tp += a.pos[t]
		fp += a.neg[t]
		tpr, fpr := divNoNaN(tp, totalPos), divNoNaN(fp, totalNeg)
		if t < aucThresholds-1 {
			area += (fpr - prevFPR) * (tpr + prevTPR) / 2
		}
		prevTPR, prevFPR = tpr, fpr
	}
	return area
}
