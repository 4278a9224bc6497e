package datasets

import (
	"math/rand"
	"testing"
)

func TestBatchesSizes(t *testing.T) {
	tests := []struct {
		name      string
		n, size   int
		shuffle   bool
		rng       *rand.Rand
		wantSizes []int
		wantErr   string
	}{
		{"100 at 32", 100, 32, false, nil, []int{32, 32, 32, 4}, ""},
		{"100 at 32 shuffled", 100, 32, true, rand.New(rand.NewSource(1)), []int{32, 32, 32, 4}, ""},
		{"exact", 64, 32, false, nil, []int{32, 32}, ""},
		{"batch larger than n", 5, 32, false, nil, []int{5}, ""},
		{"batch of one", 3, 1, true, rand.New(rand.NewSource(1)), []int{1, 1, 1}, ""},
		{"n zero", 0, 32, false, nil, nil, "n = 0"},
		{"n negative", -4, 32, false, nil, nil, "n = -4"},
		{"batch zero", 10, 0, false, nil, nil, "batch size 0"},
		{"batch negative", 10, -1, false, nil, nil, "batch size -1"},
		{"shuffle without rng", 10, 2, true, nil, nil, "non-nil rng"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			batches, err := Batches(tc.n, tc.size, tc.shuffle, tc.rng)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				return
			}
			sizes := make([]int, len(batches))
			seen := make([]int, tc.n)
			for i, b := range batches {
				sizes[i] = len(b)
				for _, j := range b {
					seen[j]++
				}
			}
			if !equalInts(sizes, tc.wantSizes) {
				t.Errorf("sizes %v, want %v", sizes, tc.wantSizes)
			}
			for j, c := range seen {
				if c != 1 {
					t.Errorf("row %d appears %d times", j, c)
				}
			}
		})
	}
}

func TestBatchesOrder(t *testing.T) {
	flat := func(seed int64, shuffle bool) []int {
		var rng *rand.Rand
		if shuffle {
			rng = rand.New(rand.NewSource(seed))
		}
		batches, err := Batches(100, 32, shuffle, rng)
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, b := range batches {
			out = append(out, b...)
		}
		return out
	}
	if got := flat(0, false); !equalInts(got, identity(100)) {
		t.Errorf("unshuffled order %v", got)
	}
	if a, b := flat(3, true), flat(3, true); !equalInts(a, b) {
		t.Errorf("same seed gives different permutations")
	}
	if a, b := flat(3, true), flat(4, true); equalInts(a, b) {
		t.Errorf("seeds 3 and 4 give the same permutation")
	}
	if got := flat(3, true); equalInts(got, identity(100)) {
		t.Errorf("shuffled order is the identity")
	}
}

func TestBatchesIndependent(t *testing.T) {
	batches, err := Batches(10, 4, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	batches[0] = append(batches[0], 99) // must not overwrite batch 1
	if batches[1][0] != 4 {
		t.Errorf("appending to a batch changed the next one: %v", batches[1])
	}
}
