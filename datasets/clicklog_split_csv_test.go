package datasets

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestClickLogSplit(t *testing.T) {
	d := clickLog(t, 1000, 4)
	train, test, err := d.Split(0.25, 9)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 750 || test.Len() != 250 {
		t.Fatalf("sizes %d %d", train.Len(), test.Len())
	}
	mtrain, mtest, err := TrainTestSplitMulti(d.Data, 0.25, 9)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		got  *ClickLogData
		want Multi
	}{{train, mtrain}, {test, mtest}} {
		gx, gy := gatherMultiAll(t, c.got.Data)
		wx, wy := gatherMultiAll(t, c.want)
		if !reflect.DeepEqual(gx, wx) || !reflect.DeepEqual(gy, wy) {
			t.Fatal("Split differs from TrainTestSplitMulti")
		}
		if got := exactAUC(c.got.P, c.got.Clicks); got != c.got.BayesAUC {
			t.Errorf("BayesAUC %v, recomputed %v", c.got.BayesAUC, got)
		}
		if !reflect.DeepEqual(c.got.Fields, d.Fields) || c.got.Bias != d.Bias {
			t.Error("Split changed the model's description")
		}
	}
	if train.CTR == d.CTR && test.CTR == d.CTR {
		t.Error("CTR not recomputed")
	}
}

func TestClickLogCSVRoundTrip(t *testing.T) {
	d := clickLog(t, 300, 6, ClickBagField("genres", 64, 3))
	for _, stringIDs := range []bool{false, true} {
		var buf bytes.Buffer
		var opts []ClickCSVOption
		if stringIDs {
			opts = append(opts, ClickCSVStringIDs(), nil)
		}
		if err := d.WriteCSV(&buf, opts...); err != nil {
			t.Fatal(err)
		}
		text := buf.String()
		lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		if len(lines) != 301 || lines[0] != "user_id,item_id,site_id,category,device,genres,numeric_0,numeric_1,numeric_2,click" {
			t.Fatalf("%d lines, header %q", len(lines), lines[0])
		}
		// Read back with the package's own reader, the bag (and the string
		// ids) kept as text.
		c, err := ReadCSVFrom(strings.NewReader(text), "clicks.csv", CSVRawStrings())
		if err != nil {
			t.Fatal(err)
		}
		if c.TargetName != "click" || !equalFloats(c.Y.Float64s(), toF64(d.Clicks)) {
			t.Fatalf("target %q %v", c.TargetName, c.Y.Float64s())
		}
		strs := map[string][]string{}
		for i, name := range c.StringNames {
			strs[name] = c.Strings[i].Strings()
		}
		cols := map[string][]float64{}
		x := c.X.Float64s()
		for j, name := range c.FeatureNames {
			for i := 0; i < 300; i++ {
				cols[name] = append(cols[name], x[i*len(c.FeatureNames)+j])
			}
		}
		for f := 0; f < 5; f++ {
			name := d.Fields[f].Name
			for i, id := range d.ids[f] {
				if stringIDs {
					if want := name + "_" + strconv.FormatInt(id, 10); strs[name][i] != want {
						t.Fatalf("%s row %d: %q, want %q", name, i, strs[name][i], want)
					}
				} else if cols[name][i] != float64(id) {
					t.Fatalf("%s row %d: %v, want %d", name, i, cols[name][i], id)
				}
			}
		}
		for i := 0; i < 300; i++ {
			bag, err := ParseClickBag(strs["genres"][i])
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(bag, d.bag[i*3:(i+1)*3]) {
				t.Fatalf("bag row %d: %v, want %v", i, bag, d.bag[i*3:(i+1)*3])
			}
			for j := 0; j < 3; j++ {
				got := float32(cols["numeric_"+strconv.Itoa(j)][i])
				if got != d.num[i*3+j] {
					t.Fatalf("numeric_%d row %d: %v, want %v", j, i, got, d.num[i*3+j])
				}
			}
		}
	}
}

func toF64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
