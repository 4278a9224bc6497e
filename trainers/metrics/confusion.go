package metrics

// confusion counts true positives, false positives and false negatives over
// all elements at the binary threshold 0.5, like tf.keras.metrics.Precision
// and Recall with their defaults: a prediction is positive when it is
// greater than 0.5, a target is positive when it is not 0.
type confusion struct {
	name   string // "precision" or "recall"
	recall bool

	tp, fp, fn float64
}

var _ Metric = (*confusion)(nil)

func (c *confusion) Name() string { return c.name }

func (c *confusion) Reset() { c.tp, c.fp, c.fn = 0, 0, 0 }

func (c *confusion) Update(pred []float64, predCols int, target []float64, targetCols int) error {
	if _, err := checkShape(c.name, sameCols, pred, predCols, target, targetCols); err != nil {
		return err
	}
	for i, p := range pred {
		predicted, actual := p > binaryThreshold, target[i] != 0
		switch {
		case predicted && actual:
			c.tp++
		case predicted:
			c.fp++
		case actual:
			c.fn++
		}
	}
	return nil
}

// Result is tp/(tp+fp) for precision and tp/(tp+fn) for recall, and 0 when
// the denominator is 0 (Keras' divide_no_nan).
func (c *confusion) Result() float64 {
	other := c.fp
	if c.recall {
		other = c.fn
	}
	return divNoNaN(c.tp, c.tp+other)
}

// divNoNaN returns a/b, or 0 when b is 0.
func divNoNaN(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
