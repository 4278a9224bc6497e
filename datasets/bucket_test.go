package datasets_test

import (
	"strings"
	"testing"

	"github.com/gokeras/gokeras/datasets"
	"gorgonia.org/tensor"
)

func TestBucketGroupsAndPads(t *testing.T) {
	rows := [][]int64{{1, 2, 3}, {4}, {5, 6, 7, 8, 9}, {1, 1}, {2, 2, 2, 2, 2, 2, 2, 2, 2}}
	ys := tensor.New(tensor.WithShape(5), tensor.WithBacking([]float32{0, 1, 2, 3, 4}))
	b, err := datasets.Bucket(rows, ys, datasets.BucketBoundaries(2, 4, 16), datasets.BucketNames("ids", "y"))
	if err != nil {
		t.Fatal(err)
	}
	var _ datasets.Bucketed = b
	want := [][]int{{1, 3}, {0}, {2, 4}}
	for k, part := range b.Buckets() {
		got := b.BucketExamples(k)
		if len(got) != len(want[k]) || part.Len() != len(got) {
			t.Fatalf("bucket %d holds %v (Len %d), want %v", k, got, part.Len(), want[k])
		}
		length := b.Boundaries()[k]
		if s := part.Inputs()[0]; s.Name != "ids" || s.Shape[0] != length || s.DType != tensor.Int64 {
			t.Fatalf("bucket %d input spec %+v", k, s)
		}
		x := tensor.New(tensor.WithShape(len(got), length), tensor.Of(tensor.Int64))
		y := tensor.New(tensor.WithShape(len(got)), tensor.Of(tensor.Float32))
		idx := make([]int, len(got))
		for i := range idx {
			idx[i] = i
		}
		if err := part.GatherMulti(idx, []*tensor.Dense{x}, []*tensor.Dense{y}); err != nil {
			t.Fatal(err)
		}
		xs, yv := x.Data().([]int64), y.Data().([]float32)
		for r, e := range got {
			for c := 0; c < length; c++ {
				v := int64(0)
				if c < len(rows[e]) {
					v = rows[e][c]
				}
				if xs[r*length+c] != v {
					t.Fatalf("bucket %d row %d col %d: %d, want %d", k, r, c, xs[r*length+c], v)
				}
			}
			if yv[r] != float32(e) {
				t.Fatalf("bucket %d row %d: target %g, want %d", k, r, yv[r], e)
			}
		}
	}
	// As a Multi: every example in order, padded to the longest used bucket (16).
	if s := b.Inputs()[0]; b.Len() != 5 || s.Shape[0] != 16 {
		t.Fatalf("whole: Len %d, input %+v", b.Len(), s)
	}
	x := tensor.New(tensor.WithShape(1, 16), tensor.Of(tensor.Int64))
	if err := datasets.GatherInputMulti(b, []int{2}, 0, x); err != nil {
		t.Fatal(err)
	}
	if got := x.Data().([]int64); got[4] != 9 || got[5] != 0 {
		t.Fatalf("whole row 2: %v", got)
	}
}

func TestBucketErrors(t *testing.T) {
	ys := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0, 1}))
	cases := map[string]struct {
		rows [][]int64
		opts []datasets.BucketOption
		want string
	}{
		"empty row":  {[][]int64{{1}, {}}, nil, "row 1 is empty"},
		"too long":   {[][]int64{{1}, {1, 2, 3}}, []datasets.BucketOption{datasets.BucketBoundaries(2)}, "row 1 has 3 ids, more than the longest bucket (2)"},
		"bad bounds": {[][]int64{{1}, {1}}, []datasets.BucketOption{datasets.BucketBoundaries(4, 2)}, "ascending"},
		"count":      {[][]int64{{1}}, nil, "targets must have 1 examples"},
		"no rows":    {nil, nil, "no rows"},
	}
	for name, c := range cases {
		_, err := datasets.Bucket(c.rows, ys, c.opts...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", name, err, c.want)
		}
	}
	// Default boundaries: powers of two from 8 to the first >= the longest row.
	b, err := datasets.Bucket([][]int64{{1}, make([]int64, 20)}, ys)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Boundaries(); len(got) != 3 || got[0] != 8 || got[2] != 32 {
		t.Fatalf("default boundaries %v", got)
	}
}
