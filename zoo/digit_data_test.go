package zoo

import (
	"math/rand"
	"testing"

	"github.com/gokeras/gokeras/datasets"
)

// indexedDigits returns n images whose first pixel holds the image's index, with
// digits i % 10.
func indexedDigits(n int) digitSet {
	const size = digitSide * digitSide
	d := digitSet{pixels: make([]float32, n*size), labels: make([]int, n)}
	for i := 0; i < n; i++ {
		d.pixels[i*size] = float32(i)
		d.labels[i] = i % 10
	}
	return d
}

func TestDigitPairs(t *testing.T) {
	const n, per, size = 50, 4, digitSide * digitSide
	d := indexedDigits(n)
	left, right, same, err := digitPairs(d, per, rand.New(rand.NewSource(1)))
	if err != nil {
		t.Fatal(err)
	}
	if len(same) != n*per || len(left) != n*per*size || len(right) != n*per*size {
		t.Fatalf("got %d targets, %d and %d pixels; want %d pairs", len(same), len(left), len(right), n*per)
	}
	ones := 0
	for k, target := range same {
		a, b := int(left[k*size]), int(right[k*size])
		if a < 0 || a >= n || b < 0 || b >= n {
			t.Fatalf("pair %d: images %d and %d out of range", k, a, b)
		}
		if want := float32(0); d.labels[a] == d.labels[b] {
			want = 1
			if target != want || a == b {
				t.Errorf("pair %d: images %d and %d (digits %d, %d), target %g", k, a, b, d.labels[a], d.labels[b], target)
			}
		} else if target != want {
			t.Errorf("pair %d: digits %d and %d, target %g", k, d.labels[a], d.labels[b], target)
		}
		if target == 1 {
			ones++
		}
	}
	if ones != n*per/2 {
		t.Errorf("%d same pairs of %d, want half", ones, n*per)
	}
	again, _, _, _ := digitPairs(d, per, rand.New(rand.NewSource(1)))
	other, _, _, _ := digitPairs(d, per, rand.New(rand.NewSource(2)))
	if !equalFloats(left, again) {
		t.Error("same seed, different pairs")
	}
	if equalFloats(left, other) {
		t.Error("different seeds, same pairs")
	}
}

func TestDigitPairsTooFew(t *testing.T) {
	d := indexedDigits(15) // digits 5..9 have one image each
	if _, _, _, err := digitPairs(d, 2, rand.New(rand.NewSource(1))); err == nil {
		t.Fatal("no error for a digit with one image")
	}
}

// TestSiameseDataParts checks that the recipe's training pairs hold training
// images only and its test pairs test images only, half of them of the same digit.
func TestSiameseDataParts(t *testing.T) {
	train, test, err := digitParts()
	if err != nil {
		t.Fatal(err)
	}
	trPairs, tePairs, err := siameseData(42)
	if err != nil {
		t.Fatal(err)
	}
	const size = digitSide * digitSide
	for _, tc := range []struct {
		name  string
		part  digitSet
		pairs datasets.Multi
		per   int
	}{{"train", train, trPairs, siameseTrainPairs}, {"test", test, tePairs, siameseTestPairs}} {
		ts, ok := tc.pairs.(*datasets.Tensors)
		if !ok {
			t.Fatalf("%s: pairs are a %T, want *datasets.Tensors", tc.name, tc.pairs)
		}
		if got, want := ts.Len(), tc.part.len()*tc.per; got != want {
			t.Errorf("%s: %d pairs, want %d", tc.name, got, want)
		}
		images := map[string]bool{}
		for i := 0; i < tc.part.len(); i++ {
			images[pixelKey(tc.part.image(i))] = true
		}
		l, r := ts.Input(0).Data().([]float32), ts.Input(1).Data().([]float32)
		s := ts.Target(0).Data().([]float32)
		ones := 0
		for k := range s {
			for _, img := range [][]float32{l[k*size : (k+1)*size], r[k*size : (k+1)*size]} {
				if !images[pixelKey(img)] {
					t.Fatalf("%s pair %d holds an image that is not in the %s part", tc.name, k, tc.name)
				}
			}
			if s[k] == 1 {
				ones++
			}
		}
		if 2*ones != len(s) {
			t.Errorf("%s: %d same pairs of %d", tc.name, ones, len(s))
		}
	}
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// pixelKey returns a map key of an image's pixels (multiples of 1/16).
func pixelKey(v []float32) string {
	out := make([]byte, len(v))
	for i, x := range v {
		out[i] = byte(x * 16)
	}
	return string(out)
}

// TestMultitaskData checks the two targets of the multitask-digits recipe.
func TestMultitaskData(t *testing.T) {
	train, test, err := multitaskData(42)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]datasets.Multi{"train": train, "test": test} {
		ts, ok := m.(*datasets.Tensors)
		if !ok {
			t.Fatalf("%s: a %T, want *datasets.Tensors", name, m)
		}
		if in := ts.Inputs(); len(in) != 1 || in[0].Name != "image" {
			t.Errorf("%s: inputs %v", name, in)
		}
		if tg := ts.Targets(); len(tg) != 2 || tg[0].Name != "digit" || tg[1].Name != "even" {
			t.Errorf("%s: targets %v", name, tg)
		}
		digit, even := ts.Target(0).Data().([]float32), ts.Target(1).Data().([]float32)
		evens := 0
		for i, c := range digit {
			want := float32(0)
			if int(c)%2 == 0 {
				want = 1
				evens++
			}
			if even[i] != want || c < 0 || c > 9 {
				t.Fatalf("%s example %d: digit %g, even %g", name, i, c, even[i])
			}
		}
		if evens == 0 || evens == len(digit) {
			t.Errorf("%s: %d even digits of %d", name, evens, len(digit))
		}
	}
}
