package ctc

import (
	"math"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// logRows turns rows of probabilities into log-probabilities.
func logRows(p [][]float64) [][]float64 {
	out := make([][]float64, len(p))
	for t, row := range p {
		out[t] = make([]float64, len(row))
		for c, v := range row {
			out[t][c] = math.Log(v)
		}
	}
	return out
}

// randomRows draws t rows of k probabilities; with peak > 0 one random class of
// each row gets at least that probability.
func randomRows(rng *rand.Rand, t, k int, peak float64) [][]float64 {
	p := make([][]float64, t)
	for i := range p {
		p[i] = make([]float64, k)
		var s float64
		for c := range p[i] {
			p[i][c] = 0.05 + rng.Float64()
			s += p[i][c]
		}
		top := rng.Intn(k)
		for c := range p[i] {
			p[i][c] /= s
			if peak > 0 {
				p[i][c] *= 1 - peak
				if c == top {
					p[i][c] += peak
				}
			}
		}
	}
	return logRows(p)
}

// labellings enumerates every path of the first length rows and returns the
// probability of each labelling (key: tokens joined) and the best path's
// log-probability.
func labellings(lp [][]float64, length, blank int) (map[string]float64, map[string][]int, float64) {
	probs, toks := map[string]float64{}, map[string][]int{}
	best := math.Inf(-1)
	k := len(lp[0])
	path := make([]int, length)
	for {
		tokens := []int{}
		logp := 0.0
		for t, c := range path {
			logp += lp[t][c]
			if c != blank && (t == 0 || path[t-1] != c) {
				tokens = append(tokens, c)
			}
		}
		key := keyOf(tokens)
		probs[key] += math.Exp(logp)
		toks[key] = tokens
		best = math.Max(best, logp)
		i := 0
		for ; i < length; i++ {
			if path[i]++; path[i] < k {
				break
			}
			path[i] = 0
		}
		if i == length {
			return probs, toks, best
		}
	}
}

func TestGreedy(t *testing.T) {
	tests := []struct {
		name   string
		probs  [][]float64
		length int
		blank  int
		want   []int
	}{
		{"collapse repeats, drop blanks", [][]float64{{0.1, 0.8, 0.1}, {0.1, 0.8, 0.1}, {0.8, 0.1, 0.1}, {0.1, 0.8, 0.1}, {0.1, 0.1, 0.8}}, 5, 0, []int{1, 1, 2}},
		{"blank last", [][]float64{{0.1, 0.8, 0.1}, {0.1, 0.1, 0.8}, {0.8, 0.1, 0.1}}, 3, 2, []int{1, 0}},
		{"length cuts frames", [][]float64{{0.1, 0.8, 0.1}, {0.1, 0.1, 0.8}}, 1, 0, []int{1}},
		{"all blank", [][]float64{{0.9, 0.1}, {0.9, 0.1}}, 2, 0, []int{}},
		{"length 0", [][]float64{{0.1, 0.9}}, 0, 0, []int{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lp := logRows(tc.probs)
			res, err := Greedy(lp, tc.length, tc.blank)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.Tokens, tc.want) {
				t.Errorf("tokens %v, want %v", res.Tokens, tc.want)
			}
			var want float64
			for _, row := range tc.probs[:tc.length] {
				m := 0.0
				for _, v := range row {
					m = math.Max(m, v)
				}
				want += math.Log(m)
			}
			if math.Abs(res.Score-want) > 1e-12 {
				t.Errorf("score %g, want %g", res.Score, want)
			}
		})
	}
}

// TestBeamFindsBetterLabelling is the classic case: two frames with p(blank) =
// 0.6 and p(a) = 0.4. The best path is blank blank (0.36, the empty
// labelling), but "a" has probability 0.24 + 0.24 + 0.16 = 0.64.
func TestBeamFindsBetterLabelling(t *testing.T) {
	lp := logRows([][]float64{{0.6, 0.4}, {0.6, 0.4}})
	g, err := Greedy(lp, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Tokens) != 0 || math.Abs(g.Score-math.Log(0.36)) > 1e-12 {
		t.Fatalf("greedy %v, want no tokens with score log 0.36", g)
	}
	res, err := BeamSearch(lp, 2, BeamOptions{Width: 2, TopPaths: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{{[]int{0 + 1}, math.Log(0.64)}, {[]int{}, math.Log(0.36)}}
	if len(res) != 2 {
		t.Fatalf("results %v, want %v", res, want)
	}
	for i := range want {
		if !reflect.DeepEqual(res[i].Tokens, want[i].Tokens) || math.Abs(res[i].Score-want[i].Score) > 1e-12 {
			t.Errorf("result %d = %v, want %v", i, res[i], want[i])
		}
	}
}

// TestBeamWidthOneIsGreedyOnPeakedFrames: when each frame's top class has
// probability >= 0.97 and T <= 8, the best path's prefix always outweighs every
// other prefix (0.97^8 > 0.5), so a beam of width 1 must follow it.
func TestBeamWidthOneIsGreedyOnPeakedFrames(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		steps, k := 1+rng.Intn(8), 2+rng.Intn(4)
		lp := randomRows(rng, steps, k, 0.97)
		blank := rng.Intn(k)
		g, err := Greedy(lp, steps, blank)
		if err != nil {
			t.Fatal(err)
		}
		b, err := BeamSearch(lp, steps, BeamOptions{Width: 1, Blank: blank})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(b[0].Tokens, g.Tokens) {
			t.Fatalf("case %d: beam %v, greedy %v", i, b[0].Tokens, g.Tokens)
		}
	}
}

func TestBeamSearchExactByEnumeration(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 60; i++ {
		steps, k := 1+rng.Intn(5), 2+rng.Intn(2)
		lp := randomRows(rng, steps, k, 0)
		blank := rng.Intn(k)
		length := 1 + rng.Intn(steps)
		probs, toks, bestPath := labellings(lp, length, blank)
		keys := make([]string, 0, len(probs))
		for key := range probs {
			keys = append(keys, key)
		}
		sort.Slice(keys, func(a, b int) bool { return probs[keys[a]] > probs[keys[b]] })
		res, err := BeamSearch(lp, length, BeamOptions{Width: 1000, Blank: blank, TopPaths: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != min(3, len(keys)) {
			t.Fatalf("case %d: %d results, %d labellings", i, len(res), len(keys))
		}
		for j, r := range res {
			want := math.Log(probs[keys[j]])
			if math.Abs(r.Score-want) > 1e-9 {
				t.Fatalf("case %d result %d: %v score %.12g, enumeration %v %.12g", i, j, r.Tokens, r.Score, toks[keys[j]], want)
			}
			if got := math.Log(probs[keyOf(r.Tokens)]); math.Abs(got-r.Score) > 1e-9 {
				t.Fatalf("case %d result %d: %v score %.12g, its enumerated probability %.12g", i, j, r.Tokens, r.Score, got)
			}
		}
		g, err := Greedy(lp, length, blank)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(g.Score-bestPath) > 1e-12 {
			t.Fatalf("case %d: greedy score %g, best path %g", i, g.Score, bestPath)
		}
	}
}

// keyOf is the key labellings uses for tokens.
func keyOf(tokens []int) string {
	parts := make([]string, len(tokens))
	for i, c := range tokens {
		parts[i] = string(rune('0' + c))
	}
	return strings.Join(parts, ",")
}

func TestBeamLengthNormalize(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	lp := randomRows(rng, 6, 4, 0)
	res, err := BeamSearch(lp, 6, BeamOptions{Width: 50, TopPaths: 50, LengthNormalize: true})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := BeamSearch(lp, 6, BeamOptions{Width: 50, TopPaths: 50})
	if err != nil {
		t.Fatal(err)
	}
	norm := func(r Result) float64 { return r.Score / float64(max(1, len(r.Tokens))) }
	for i := 1; i < len(res); i++ {
		if norm(res[i]) > norm(res[i-1]) {
			t.Fatalf("result %d per-token score %g above result %d's %g", i, norm(res[i]), i-1, norm(res[i-1]))
		}
	}
	if reflect.DeepEqual(res[0].Tokens, plain[0].Tokens) && reflect.DeepEqual(res[1].Tokens, plain[1].Tokens) {
		t.Errorf("length normalization did not change the ranking of this case")
	}
}

func TestDecoderErrors(t *testing.T) {
	lp := logRows([][]float64{{0.5, 0.5}, {0.5, 0.5}})
	ragged := [][]float64{{0, 0}, {0}}
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"greedy length", func() error { _, err := Greedy(lp, 3, 0); return err }, "length 3 is not in [0, 2]"},
		{"greedy blank", func() error { _, err := Greedy(lp, 2, 2); return err }, "blank 2 is not a class in [0, 2)"},
		{"beam ragged", func() error { _, err := BeamSearch(ragged, 2, BeamOptions{}); return err }, "row 1 has 1 classes"},
		{"beam width", func() error { _, err := BeamSearch(lp, 2, BeamOptions{Width: -1}); return err }, "beam width -1"},
		{"rows size", func() error { _, err := Rows(make([]float64, 5), 2, 3); return err }, "5 values for (2 steps, 3 classes)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		ref, hyp []int
		want     int
	}{
		{nil, nil, 0},
		{[]int{1, 2, 3}, nil, 3},
		{nil, []int{4, 4}, 2},
		{[]int{1, 2, 3}, []int{1, 2, 3}, 0},
		{[]int{1, 2, 3}, []int{1, 3}, 1},
		{[]int{1, 2, 3}, []int{1, 4, 3}, 1},
		{[]int{1, 2, 3, 4}, []int{2, 1, 3, 4, 5}, 3},
	}
	for _, tc := range tests {
		if got := EditDistance(tc.ref, tc.hyp); got != tc.want {
			t.Errorf("EditDistance(%v, %v) = %d, want %d", tc.ref, tc.hyp, got, tc.want)
		}
		if got := EditDistance(tc.hyp, tc.ref); got != tc.want {
			t.Errorf("EditDistance(%v, %v) = %d, want %d (symmetry)", tc.hyp, tc.ref, got, tc.want)
		}
	}
}

func TestErrorRates(t *testing.T) {
	tests := []struct {
		name     string
		ref, hyp string
		wer, cer float64
	}{
		{"kitten", "kitten", "sitting", 1, 3.0 / 6},
		{"words", "the cat sat", "the cat sat down", 1.0 / 3, 5.0 / 11},
		{"empty both", "", "", 0, 0},
		{"empty ref", "", "a b", 2, 3},
		{"unicode", "héllo wörld", "hello wörld", 0.5, 1.0 / 11},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := WER(tc.ref, tc.hyp); math.Abs(got-tc.wer) > 1e-12 {
				t.Errorf("WER %g, want %g", got, tc.wer)
			}
			if got := CER(tc.ref, tc.hyp); math.Abs(got-tc.cer) > 1e-12 {
				t.Errorf("CER %g, want %g", got, tc.cer)
			}
		})
	}
}
