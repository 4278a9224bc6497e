package ctc

// Greedy is best-path decoding of logProbs (T rows of K log-probabilities):
// the most probable class of each of the first length frames (the lowest id on
// a tie), repeats collapsed, blanks dropped. Score is the log-probability of
// that path, the sum of the frames' maxima. length 0 gives no tokens and score
// 0; an error reports a length out of [0, T], ragged rows or a blank out of
// [0, K).
func Greedy(logProbs [][]float64, length, blank int) (Result, error) {
	if _, err := checkInput(logProbs, length, blank); err != nil {
		return Result{}, err
	}
	res := Result{Tokens: []int{}}
	prev := -1
	for _, row := range logProbs[:length] {
		best := 0
		for c, v := range row {
			if v > row[best] {
				best = c
			}
		}
		res.Score += row[best]
		if best != blank && best != prev {
			res.Tokens = append(res.Tokens, best)
		}
		prev = best
	}
	return res, nil
}
