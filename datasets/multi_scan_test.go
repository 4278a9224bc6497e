package datasets

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

func TestScanMulti(t *testing.T) {
	const n = 3000
	ids := make([]int64, n)
	classes := make([]float64, n)
	for i := range ids {
		ids[i] = int64(i % 50)
		classes[i] = float64(i % 10)
	}
	ids[2100] = 1 << 40
	classes[1500] = 10
	m, err := NewTensors([]string{"user_id", "pixels"},
		[]*tensor.Dense{tensor.New(tensor.WithShape(n), tensor.WithBacking(ids)), dense(tensor.Float32, seq(n*4), n, 4)},
		nil, []*tensor.Dense{dense(tensor.Float32, classes, n, 1)})
	if err != nil {
		t.Fatal(err)
	}
	classID := func(k int) func(float64) bool {
		return func(v float64) bool { return v == math.Trunc(v) && v >= 0 && v < float64(k) }
	}
	tests := []struct {
		name      string
		target    bool
		k         int
		ok        func(float64) bool
		wantEx    int
		wantValue float64
		wantFound bool
		wantErr   string
	}{
		{"class ids in range", true, 0, classID(11), 0, 0, false, ""},
		{"class id out of range", true, 0, classID(10), 1500, 10, true, ""},
		{"vocabulary ok", false, 0, classID(1 << 41), 0, 0, false, ""},
		{"id out of vocabulary", false, 0, classID(50), 2100, 1 << 40, true, ""},
		{"second value of an example", false, 1, func(v float64) bool { return v != 4*2999+3 }, 2999, 4*2999 + 3, true, ""},
		{"input index", false, 2, classID(1), 0, 0, false, "datasets.ScanInputMulti: input index 2 out of range [0, 2)"},
		{"target index", true, 1, classID(1), 0, 0, false, "datasets.ScanTargetMulti: target index 1 out of range [0, 1)"},
		{"nil ok", true, 0, nil, 0, 0, false, "nil check function"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, mm := range []Multi{m, plainMulti{m}} {
				scan := ScanInputMulti
				if tc.target {
					scan = ScanTargetMulti
				}
				ex, v, found, err := scan(mm, tc.k, tc.ok)
				checkErr(t, err, tc.wantErr)
				if ex != tc.wantEx || v != tc.wantValue || found != tc.wantFound {
					t.Errorf("%T: got example %d value %v found %v, want %d %v %v", mm, ex, v, found, tc.wantEx, tc.wantValue, tc.wantFound)
				}
			}
		})
	}
}

func TestScanTargetMultiSkipsInputs(t *testing.T) {
	spy := &spyMulti{Tensors: userTensors(t)}
	_, _, found, err := ScanTargetMulti(spy, 0, func(v float64) bool { return v == 0 || v == 1 })
	if err != nil || found {
		t.Fatalf("found %v, err %v", found, err)
	}
	if spy.multi != 0 || spy.input != 0 || spy.target != 1 {
		t.Errorf("calls: %d GatherMulti, %d GatherInput, %d GatherTarget; want only 1 GatherTarget", spy.multi, spy.input, spy.target)
	}
	sub, err := SubsetMulti(spy, []int{4, 1})
	if err != nil {
		t.Fatal(err)
	}
	ex, v, found, err := ScanInputMulti(sub, 0, func(v float64) bool { return v < 104 })
	if err != nil || !found || ex != 0 || v != 104 {
		t.Errorf("got example %d value %v found %v err %v, want 0 104 true", ex, v, found, err)
	}
	if spy.multi != 0 || spy.input != 1 {
		t.Errorf("subset scan: %d GatherMulti, %d GatherInput; want 0 and 1", spy.multi, spy.input)
	}
}

func TestScanMultiErrors(t *testing.T) {
	accept := func(float64) bool { return true }
	tests := []struct {
		name    string
		scan    func() error
		wantErr string
	}{
		{"nil", func() error { _, _, _, err := ScanTargetMulti(nil, 0, accept); return err }, "datasets.ScanTargetMulti: nil data set"},
		{"empty", func() error { _, _, _, err := ScanInputMulti(failingMulti{0}, 0, accept); return err },
			`input "a" is empty (0 examples of shape [2])`},
		{"gather fails", func() error { _, _, _, err := ScanInputMulti(failingMulti{2000}, 0, accept); return err },
			`input "a", examples 0 to 1023: disk on fire`},
		{"no targets", func() error { _, _, _, err := ScanTargetMulti(failingMulti{3}, 0, accept); return err },
			"target index 0 out of range [0, 0)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, tc.scan(), tc.wantErr)
		})
	}
}
