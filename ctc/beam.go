package ctc

import (
	"math"
	"sort"
	"strconv"

	"github.com/pkg/errors"
)

// DefaultBeamWidth is the beam width of BeamSearch when BeamOptions.Width is 0,
// Keras' ctc_decode default.
const DefaultBeamWidth = 100

// BeamOptions configures BeamSearch; the zero value is width DefaultBeamWidth,
// blank 0, one result, no length normalization.
type BeamOptions struct {
	// Width is the number of prefixes kept after each frame (0: DefaultBeamWidth).
	Width int
	// Blank is the class id of the blank (default 0, as graph.CTCLoss).
	Blank int
	// TopPaths is the number of results returned, best first (0: 1). Fewer are
	// returned when fewer labellings survive.
	TopPaths int
	// LengthNormalize ranks the final labellings by Score / max(1, len(Tokens))
	// instead of Score (off by default); Score itself stays the log-probability.
	LengthNormalize bool
}

// prefix is one beam entry: the log-probabilities of the paths that collapse to
// tokens and end in a blank (pb) or in the last token (pnb).
type prefix struct {
	key     string
	tokens  []int
	pb, pnb float64
}

func (p *prefix) total() float64 { return logAdd(p.pb, p.pnb) }

// BeamSearch is prefix beam search over the first length frames of logProbs (T
// rows of K log-probabilities): after each frame it keeps the opts.Width
// labellings with the largest probability, summed over all the paths that
// collapse to each (blank-separated repeats count as two tokens). It returns up
// to opts.TopPaths results, best first; Score is the natural log of the
// labelling's probability, exact when no prefix was ever pruned (Width at least
// the number of distinct prefixes). Ties are broken by the token sequences'
// order, so the result is deterministic. length 0 gives one empty result with
// score 0. Errors: as Greedy, and a negative Width or TopPaths.
func BeamSearch(logProbs [][]float64, length int, opts BeamOptions) ([]Result, error) {
	k, err := checkInput(logProbs, length, opts.Blank)
	if err != nil {
		return nil, err
	}
	if opts.Width < 0 || opts.TopPaths < 0 {
		return nil, errors.Errorf("ctc: beam width %d and top paths %d must not be negative", opts.Width, opts.TopPaths)
	}
	width, top := opts.Width, opts.TopPaths
	if width == 0 {
		width = DefaultBeamWidth
	}
	if top == 0 {
		top = 1
	}
	ninf := math.Inf(-1)
	beams := []*prefix{{key: "", tokens: []int{}, pb: 0, pnb: ninf}}
	for t := 0; t < length; t++ {
		row := logProbs[t]
		next := map[string]*prefix{}
		var order []*prefix
		get := func(key string, tokens []int) *prefix {
			if p, ok := next[key]; ok {
				return p
			}
			p := &prefix{key: key, tokens: tokens, pb: ninf, pnb: ninf}
			next[key] = p
			order = append(order, p)
			return p
		}
		for _, b := range beams {
			total := b.total()
			last := -1
			if n := len(b.tokens); n > 0 {
				last = b.tokens[n-1]
			}
			for c := 0; c < k; c++ {
				p := row[c]
				if math.IsInf(p, -1) {
					continue
				}
				if c == opts.Blank {
					e := get(b.key, b.tokens)
					e.pb = logAdd(e.pb, total+p)
					continue
				}
				key := b.key + strconv.Itoa(c) + ","
				ext := get(key, append(append(make([]int, 0, len(b.tokens)+1), b.tokens...), c))
				if c == last {
					// a repeat extends the labelling only after a blank; without one
					// the path stays on the same labelling
					ext.pnb = logAdd(ext.pnb, b.pb+p)
					same := get(b.key, b.tokens)
					same.pnb = logAdd(same.pnb, b.pnb+p)
				} else {
					ext.pnb = logAdd(ext.pnb, total+p)
				}
			}
		}
		rank(order, false)
		if len(order) > width {
			order = order[:width]
		}
		beams = order
	}
	rank(beams, opts.LengthNormalize)
	if len(beams) > top {
		beams = beams[:top]
	}
	out := make([]Result, 0, len(beams))
	for _, b := range beams {
		if s := b.total(); !math.IsInf(s, -1) || length == 0 {
			out = append(out, Result{Tokens: b.tokens, Score: s})
		}
	}
	return out, nil
}

// rank sorts beams by probability (per token when norm is set), best first,
// ties by token sequence.
func rank(beams []*prefix, norm bool) {
	score := func(p *prefix) float64 {
		s := p.total()
		if norm {
			s /= float64(max(1, len(p.tokens)))
		}
		return s
	}
	sort.SliceStable(beams, func(i, j int) bool {
		si, sj := score(beams[i]), score(beams[j])
		if si != sj {
			return si > sj
		}
		return lessTokens(beams[i].tokens, beams[j].tokens)
	})
}

func lessTokens(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// logAdd is log(exp(a) + exp(b)), exact for -Inf arguments.
func logAdd(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}
