package ctc

import "github.com/pkg/errors"

// Result is one decoded sequence: Tokens are class ids without blanks, repeats
// collapsed; Score is a natural-log probability (see Greedy and BeamSearch).
type Result struct {
	Tokens []int
	Score  float64
}

// Rows cuts a flat row-major (steps, classes) slice of log-probabilities (one
// sequence of a model's (B, T, K) output) into steps rows; the rows share data's
// memory.
func Rows(data []float64, steps, classes int) ([][]float64, error) {
	if steps < 0 || classes <= 0 || len(data) != steps*classes {
		return nil, errors.Errorf("ctc: %d values for (%d steps, %d classes)", len(data), steps, classes)
	}
	out := make([][]float64, steps)
	for t := range out {
		out[t] = data[t*classes : (t+1)*classes : (t+1)*classes]
	}
	return out, nil
}

// Rows32 is Rows for float32 data (a float32 model's output), copied to float64.
func Rows32(data []float32, steps, classes int) ([][]float64, error) {
	wide := make([]float64, len(data))
	for i, v := range data {
		wide[i] = float64(v)
	}
	return Rows(wide, steps, classes)
}

// checkInput validates log-probabilities (T rows of K), the length and blank.
func checkInput(logProbs [][]float64, length, blank int) (int, error) {
	if length < 0 || length > len(logProbs) {
		return 0, errors.Errorf("ctc: length %d is not in [0, %d] (the number of rows)", length, len(logProbs))
	}
	if length == 0 {
		return 0, nil
	}
	k := len(logProbs[0])
	for t, row := range logProbs[:length] {
		if len(row) != k {
			return 0, errors.Errorf("ctc: row %d has %d classes, row 0 has %d", t, len(row), k)
		}
	}
	if blank < 0 || blank >= k {
		return 0, errors.Errorf("ctc: blank %d is not a class in [0, %d)", blank, k)
	}
	return k, nil
}
