package datasets

import "testing"

func TestFromRows(t *testing.T) {
	tests := []struct {
		name    string
		x, y    [][]float64
		wantErr string
	}{
		{"ok", [][]float64{{1, 2}, {3, 4}, {5, 6}}, [][]float64{{0}, {1}, {0}}, ""},
		{"no rows", nil, nil, "x has no rows"},
		{"row counts differ", [][]float64{{1}, {2}}, [][]float64{{0}}, "x has 2 rows, y has 1"},
		{"ragged x", [][]float64{{1, 2}, {3, 4}, {5}}, [][]float64{{0}, {1}, {0}}, "x row 2 has 1 values, want 2"},
		{"ragged y", [][]float64{{1}, {2}}, [][]float64{{0}, {1, 1}}, "y row 1 has 2 values, want 1"},
		{"empty x row", [][]float64{{}, {}}, [][]float64{{0}, {1}}, "x row 0 is empty"},
		{"empty y row", [][]float64{{1}, {2}}, [][]float64{{}, {}}, "y row 0 is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := FromRows(tc.x, tc.y)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				return
			}
			if ds.Len() != 3 || !equalInts(ds.XShape(), []int{2}) || !equalInts(ds.YShape(), []int{1}) {
				t.Fatalf("Len %d XShape %v YShape %v", ds.Len(), ds.XShape(), ds.YShape())
			}
			if got := ds.X().Shape(); !equalInts(got, []int{3, 2}) {
				t.Errorf("X shape %v, want (3, 2)", got)
			}
			gx, gy := gatherAll(t, ds)
			if !equalFloats(gx, []float64{1, 2, 3, 4, 5, 6}) || !equalFloats(gy, []float64{0, 1, 0}) {
				t.Errorf("x %v y %v", gx, gy)
			}
			tc.x[0][0] = 100
			if gx, _ := gatherAll(t, ds); gx[0] != 1 {
				t.Errorf("FromRows did not copy its input")
			}
		})
	}
}

func TestFromFlat(t *testing.T) {
	tests := []struct {
		name    string
		x       []float64
		xShape  []int
		y       []float64
		yShape  []int
		n       int
		wantErr string
	}{
		{"ok vectors", seq(6), []int{2}, seq(3), []int{1}, 3, ""},
		{"ok images", seq(2 * 2 * 3), []int{2, 3}, seq(4), []int{2}, 2, ""},
		{"empty x shape", seq(6), nil, seq(3), []int{1}, 0, "x shape is empty"},
		{"empty y shape", seq(6), []int{2}, seq(3), []int{}, 0, "y shape is empty"},
		{"zero dim", seq(6), []int{2, 0}, seq(3), []int{1}, 0, "non-positive dimension 0 at axis 1"},
		{"negative dim", seq(6), []int{2}, seq(3), []int{-1}, 0, "non-positive dimension -1 at axis 0"},
		{"empty x", nil, []int{2}, seq(3), []int{1}, 0, "x is empty"},
		{"empty y", seq(6), []int{2}, nil, []int{1}, 0, "y is empty"},
		{"x not a multiple", seq(7), []int{2}, seq(3), []int{1}, 0, "x has 7 values, not a multiple of 2"},
		{"counts differ", seq(6), []int{2}, seq(4), []int{1}, 0, "x holds 3 examples of shape [2], y holds 4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := FromFlat(tc.x, tc.xShape, tc.y, tc.yShape)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				return
			}
			if ds.Len() != tc.n || !equalInts(ds.XShape(), tc.xShape) || !equalInts(ds.YShape(), tc.yShape) {
				t.Fatalf("Len %d XShape %v YShape %v", ds.Len(), ds.XShape(), ds.YShape())
			}
			gx, gy := gatherAll(t, ds)
			if !equalFloats(gx, tc.x) || !equalFloats(gy, tc.y) {
				t.Errorf("x %v y %v, want %v %v", gx, gy, tc.x, tc.y)
			}
			tc.x[0], tc.xShape[0] = 100, 100
			if gx, _ := gatherAll(t, ds); gx[0] != 0 || ds.XShape()[0] == 100 {
				t.Errorf("FromFlat did not copy its input")
			}
		})
	}
}
