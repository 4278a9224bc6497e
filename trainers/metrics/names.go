package metrics

import (
	"strings"

	"github.com/pkg/errors"
)

// Names lists the metric names New accepts, aliases included, sorted. It
// returns a new slice on each call.
func Names() []string {
	return []string{
		"acc",
		"accuracy",
		"auc",
		"binary_accuracy",
		"categorical_accuracy",
		"mae",
		"mean_absolute_error",
		"mean_squared_error",
		"mse",
		"precision",
		"recall",
		"rmse",
		"root_mean_squared_error",
		"sparse_categorical_accuracy",
	}
}

// canonicalName maps a Keras metric name or alias to the name used in logs.
func canonicalName(name string) (string, bool) {
	switch name {
	case "accuracy", "acc":
		return "accuracy", true
	case "mae", "mean_absolute_error":
		return "mae", true
	case "mse", "mean_squared_error":
		return "mse", true
	case "rmse", "root_mean_squared_error":
		return "rmse", true
	case "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
		"precision", "recall", "auc":
		return name, true
	}
	return "", false
}

// New returns a fresh metric for the Keras name or alias name. Names are
// case-sensitive; an unknown name is an error listing the accepted ones.
//
//   - "accuracy" ("acc"): chosen as Keras does from loss and predCols:
//     loss "binary_crossentropy" or predCols == 1 gives binary accuracy,
//     "sparse_categorical_crossentropy" sparse categorical accuracy,
//     "categorical_crossentropy" categorical accuracy, and any other loss
//     binary accuracy when predCols == 1 and categorical when predCols > 1
//     (predCols < 1 is then an error). Its Name is still "accuracy".
//   - "binary_accuracy": fraction of elements where (pred > 0.5) equals the
//     target; threshold 0.5.
//   - "categorical_accuracy": argmax(pred) == argmax(target) per row (ties go
//     to the first column).
//   - "sparse_categorical_accuracy": argmax(pred) == target per row, target
//     one column of class ids.
//   - "mae" ("mean_absolute_error"), "mse" ("mean_squared_error"): mean over
//     examples of the row mean of |pred-target| or (pred-target)^2.
//   - "rmse" ("root_mean_squared_error"): sqrt(total squared error / number
//     of elements).
//   - "precision", "recall": tp/(tp+fp) and tp/(tp+fn) over all elements,
//     prediction positive when > 0.5 (threshold 0.5), target positive when
//     not 0; 0 when undefined.
//   - "auc": ROC AUC as tf.keras.metrics.AUC with its defaults: 200 evenly
//     spaced thresholds, trapezoid ("interpolation") summation, all elements
//     pooled; predictions are clipped to [0, 1] and a NaN is an error.
//   - "recall_at_K", "ndcg_at_K" for a cutoff K in [1, MaxRankingK] written
//     without sign or leading zeros ("recall_at_10"): see RecallAtK and
//     NDCGAtK. Names does not list them.
//
// All but the sparse metric need targetCols == predCols at Update. loss and
// predCols only matter for "accuracy".
func New(name, loss string, predCols int) (Metric, error) {
	if m, ok, err := newRankingByName(name); ok {
		return m, err
	}
	canon, ok := canonicalName(name)
	if !ok {
		return nil, errors.Errorf("metrics: unknown metric %q; valid names: %s",
			name, strings.Join(Names(), ", "))
	}
	if canon != "accuracy" {
		return newKind(canon, canon), nil
	}
	kind, err := accuracyKind(loss, predCols)
	if err != nil {
		return nil, err
	}
	return newKind(kind, "accuracy"), nil
}

// accuracyKind resolves "accuracy" to the concrete accuracy metric for a
// loss name and output width, as Keras does.
func accuracyKind(loss string, predCols int) (string, error) {
	switch {
	case loss == "binary_crossentropy" || predCols == 1:
		return "binary_accuracy", nil
	case loss == "sparse_categorical_crossentropy":
		return "sparse_categorical_accuracy", nil
	case loss == "categorical_crossentropy" || predCols > 1:
		return "categorical_accuracy", nil
	}
	return "", errors.Errorf("metrics: cannot choose accuracy for loss %q and predCols %d: predCols must be at least 1",
		loss, predCols)
}

// newKind builds the metric of canonical kind kind, logged as name.
func newKind(kind, name string) Metric {
	label := name
	if kind != name {
		label = name + " (" + kind + ")"
	}
	mean := func(rule shapeRule, score rowScore) Metric {
		return &meanMetric{name: name, label: label, rule: rule, score: score}
	}
	switch kind {
	case "binary_accuracy":
		return mean(sameCols, binaryAccuracyRow)
	case "categorical_accuracy":
		return mean(sameCols, categoricalAccuracyRow)
	case "sparse_categorical_accuracy":
		return mean(sparseTarget, sparseCategoricalAccuracyRow)
	case "mae":
		return mean(sameCols, absErrorRow)
	case "mse":
		return mean(sameCols, squaredErrorRow)
	case "rmse":
		return &meanMetric{name: name, label: label, rule: sameCols, score: squaredErrorSum, root: true}
	case "precision":
		return &confusion{name: name}
	case "recall":
		return &confusion{name: name, recall: true}
	default: // "auc"; New only passes canonical kinds.
		return &auc{}
	}
}
