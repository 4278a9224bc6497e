package ctc

import "strings"

// EditDistance is the Levenshtein distance between two token sequences: the
// fewest insertions, deletions and substitutions that turn hyp into ref.
func EditDistance(ref, hyp []int) int {
	return levenshtein(len(ref), len(hyp), func(i, j int) bool { return ref[i] == hyp[j] })
}

// EditDistanceStrings is EditDistance over words (or any strings).
func EditDistanceStrings(ref, hyp []string) int {
	return levenshtein(len(ref), len(hyp), func(i, j int) bool { return ref[i] == hyp[j] })
}

// WER is the word error rate of hyp against ref: the edit distance between
// their words (split on white space) divided by the number of reference words,
// or by 1 when the reference is empty (so an empty pair gives 0 and extra words
// count one each). It can exceed 1. For a corpus, sum the distances and the
// reference lengths instead of averaging rates.
func WER(ref, hyp string) float64 {
	r, h := strings.Fields(ref), strings.Fields(hyp)
	return float64(EditDistanceStrings(r, h)) / float64(max(1, len(r)))
}

// CER is the character error rate of hyp against ref: the edit distance
// between their characters (Unicode code points, spaces included) divided by
// the number of reference characters, or by 1 when the reference is empty.
func CER(ref, hyp string) float64 {
	r, h := []rune(ref), []rune(hyp)
	d := levenshtein(len(r), len(h), func(i, j int) bool { return r[i] == h[j] })
	return float64(d) / float64(max(1, len(r)))
}

// levenshtein is the edit distance between sequences of lengths n and m whose
// elements i and j are equal when eq(i, j), in O(n·m) time and O(m) memory.
func levenshtein(n, m int, eq func(i, j int) bool) int {
	prev, cur := make([]int, m+1), make([]int, m+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 0; i < n; i++ {
		cur[0] = i + 1
		for j := 0; j < m; j++ {
			cost := 1
			if eq(i, j) {
				cost = 0
			}
			cur[j+1] = min(prev[j]+cost, prev[j+1]+1, cur[j]+1)
		}
		prev, cur = cur, prev
	}
	return prev[m]
}
