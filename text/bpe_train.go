package text

import (
	"sort"

	"github.com/pkg/errors"
)

// BPEOptions are the settings of TrainBPE.
type BPEOptions struct {
	// MinFrequency is the fewest occurrences a pair needs to be merged (default
	// 0: 2). Training stops early, with fewer ids than asked, when no pair has it.
	MinFrequency int
}

// TrainBPE learns the merges of a byte-level BPE from corpus (texts of valid
// UTF-8), so that VocabSize() is at most vocabSize (at least 258: the reserved ids
// and the 256 bytes). Each text is split by Pretokenize; each step merges the most
// frequent adjacent pair of tokens (ties: the smaller pair of ids), counting over
// the distinct chunks weighted by their counts and updating only the chunks that
// hold the pair. The result is deterministic.
func TrainBPE(corpus []string, vocabSize int, opts BPEOptions) (*BPE, error) {
	if vocabSize < bpeBase || vocabSize > maxVocab {
		return nil, errors.Errorf("bpe: vocabulary size %d is not in [%d, %d]", vocabSize, bpeBase, maxVocab)
	}
	minFreq := opts.MinFrequency
	if minFreq == 0 {
		minFreq = 2
	}
	if minFreq < 1 {
		return nil, errors.Errorf("bpe: min frequency %d must be positive", opts.MinFrequency)
	}
	chunkCount := map[string]int{}
	for i, t := range corpus {
		if err := CheckUTF8(t); err != nil {
			return nil, errors.Wrapf(err, "bpe: train: text %d", i)
		}
		for _, c := range Pretokenize(t) {
			chunkCount[c]++
		}
	}
	chunks := make([]string, 0, len(chunkCount))
	for c := range chunkCount {
		chunks = append(chunks, c)
	}
	sort.Strings(chunks) // a fixed order: the where lists do not depend on map order
	tr := &bpeTrainer{pairs: map[[2]int]int{}, where: map[[2]int][]int{}}
	for _, c := range chunks {
		ids := make([]int, len(c))
		for i := 0; i < len(c); i++ {
			ids[i] = NumReserved + int(c[i])
		}
		tr.words = append(tr.words, ids)
		tr.freq = append(tr.freq, chunkCount[c])
		tr.count(len(tr.words)-1, 1, -1)
	}
	tr.seen = make([]int, len(tr.words))
	var merges [][2]int
	for len(merges) < vocabSize-bpeBase {
		best, n := tr.best()
		if n < minFreq {
			break
		}
		tr.apply(best, bpeBase+len(merges), len(merges)+1)
		merges = append(merges, best)
	}
	return NewBPE(merges)
}

// bpeTrainer holds the distinct chunks as token ids, their counts, the count of
// every adjacent pair, and for each pair the chunks that may hold it.
type bpeTrainer struct {
	words [][]int
	freq  []int
	pairs map[[2]int]int
	where map[[2]int][]int
	seen  []int // the step that last updated each chunk
}

// count adds sign times word w's weight to each of its pairs, and records w under
// each pair that holds the id only (or every pair, for only < 0).
func (t *bpeTrainer) count(w, sign, only int) {
	ids := t.words[w]
	for i := 0; i+1 < len(ids); i++ {
		p := [2]int{ids[i], ids[i+1]}
		t.pairs[p] += sign * t.freq[w]
		if t.pairs[p] <= 0 {
			delete(t.pairs, p)
		}
		if sign > 0 && (only < 0 || p[0] == only || p[1] == only) {
			t.where[p] = append(t.where[p], w)
		}
	}
}

// best returns the most frequent pair (ties: the smaller ids) and its count.
func (t *bpeTrainer) best() ([2]int, int) {
	var best [2]int
	n := 0
	for p, c := range t.pairs {
		if c > n || c == n && (p[0] < best[0] || p[0] == best[0] && p[1] < best[1]) {
			best, n = p, c
		}
	}
	return best, n
}

// apply merges pair into id in every chunk that holds it (step numbers the merge).
func (t *bpeTrainer) apply(pair [2]int, id, step int) {
	for _, w := range t.where[pair] {
		if t.seen[w] == step || !holds(t.words[w], pair) {
			continue
		}
		t.seen[w] = step
		t.count(w, -1, 0)
		t.words[w] = mergePair(t.words[w], pair, id)
		t.count(w, 1, id)
	}
	delete(t.where, pair)
	delete(t.pairs, pair)
}

// holds reports whether ids holds pair at adjacent positions.
func holds(ids []int, pair [2]int) bool {
	for i := 0; i+1 < len(ids); i++ {
		if ids[i] == pair[0] && ids[i+1] == pair[1] {
			return true
		}
	}
	return false
}
