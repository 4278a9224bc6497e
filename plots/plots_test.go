package plots_test

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/plots"
)

// TestConfusionCounts: counts, totals, accuracy, precision and recall on small
// hand-counted cases.
func TestConfusionCounts(t *testing.T) {
	cases := []struct {
		name          string
		yTrue, yPred  []int
		classes       []string
		counts        [][]int
		correct       int
		accuracy      float64
		recall0, prec float64
	}{
		{
			name: "three classes", yTrue: []int{0, 0, 1, 1, 2, 2}, yPred: []int{0, 1, 1, 1, 2, 0},
			classes: []string{"cat", "dog", "bird"},
			counts:  [][]int{{1, 1, 0}, {0, 2, 0}, {1, 0, 1}}, correct: 4, accuracy: 4.0 / 6, recall0: 0.5, prec: 0.5,
		},
		{
			name: "names from labels", yTrue: []int{1, 0, 1}, yPred: []int{1, 0, 0},
			counts: [][]int{{1, 0}, {1, 1}}, correct: 2, accuracy: 2.0 / 3, recall0: 1, prec: 0.5,
		},
		{
			name: "unused class", yTrue: []int{0, 0}, yPred: []int{0, 0}, classes: []string{"a", "b", "c"},
			counts: [][]int{{2, 0, 0}, {0, 0, 0}, {0, 0, 0}}, correct: 2, accuracy: 1, recall0: 1, prec: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cm, err := plots.ConfusionMatrix(c.yTrue, c.yPred, c.classes)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cm.Counts, c.counts) {
				t.Errorf("counts %v, want %v", cm.Counts, c.counts)
			}
			if cm.Total != len(c.yTrue) || cm.Correct != c.correct {
				t.Errorf("total %d correct %d, want %d %d", cm.Total, cm.Correct, len(c.yTrue), c.correct)
			}
			if cm.Accuracy() != c.accuracy {
				t.Errorf("accuracy %v, want %v", cm.Accuracy(), c.accuracy)
			}
			if cm.Recall(0) != c.recall0 || cm.Precision(0) != c.prec {
				t.Errorf("recall(0) %v precision(0) %v, want %v %v", cm.Recall(0), cm.Precision(0), c.recall0, c.prec)
			}
			if len(cm.Classes) != len(c.counts) {
				t.Errorf("classes %v", cm.Classes)
			}
		})
	}
	cm, _ := plots.ConfusionMatrix([]int{0}, []int{0}, []string{"a", "b"})
	if cm.Recall(1) != 0 || cm.Precision(1) != 0 || cm.Recall(7) != 0 || cm.Precision(-1) != 0 {
		t.Error("undefined recall/precision should be 0")
	}
	var nilCM *plots.Confusion
	if nilCM.Accuracy() != 0 || nilCM.String() == "" {
		t.Error("nil confusion matrix")
	}
}

// TestConfusionErrors: bad inputs are errors naming the problem.
func TestConfusionErrors(t *testing.T) {
	cases := []struct {
		name         string
		yTrue, yPred []int
		classes      []string
		want         string
	}{
		{"lengths", []int{0, 1}, []int{0}, nil, "2 true labels but 1"},
		{"empty", nil, nil, nil, "no samples"},
		{"negative", []int{0, -1}, []int{0, 0}, nil, "true label -1"},
		{"true out of range", []int{0, 3}, []int{0, 0}, []string{"a", "b"}, "sample 1: true label 3"},
		{"pred out of range", []int{0, 1}, []int{0, 2}, []string{"a", "b"}, "predicted label 2"},
		{"duplicate class", []int{0}, []int{0}, []string{"a", "a"}, "two classes named"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := plots.ConfusionMatrix(c.yTrue, c.yPred, c.classes)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// TestConfusionPlot: the heat map is a decodable PNG of the documented size, an
// SVG that parses, and bad formats or broken matrices are errors.
func TestConfusionPlot(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name    string
		classes int
		side    int
	}{
		{"2 classes", 2, 384},
		{"10 classes", 10, 624},
		{"long names", 12, 720},
		{"100 classes", 100, 2880},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var yt, yp []int
			var names []string
			for i := 0; i < c.classes; i++ {
				for j := 0; j <= i%3; j++ {
					yt, yp = append(yt, i), append(yp, (i+j)%c.classes)
				}
				if c.name == "long names" {
					names = append(names, "class number "+string(rune('a'+i)))
				}
			}
			cm, err := plots.ConfusionMatrix(yt, yp, names)
			if err != nil {
				t.Fatal(err)
			}
			b, err := cm.PNG()
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if s := img.Bounds(); s.Dx() != c.side || s.Dy() != c.side {
				t.Errorf("size %v, want %dx%d", s, c.side, c.side)
			}
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".svg")
			if err := cm.Plot(path); err != nil {
				t.Fatal(err)
			}
			checkXML(t, path)
		})
	}
	cm, _ := plots.ConfusionMatrix([]int{0, 1}, []int{0, 1}, nil)
	if err := cm.Plot(filepath.Join(dir, "x.jpg")); err == nil {
		t.Error("Plot(.jpg): no error")
	}
	if err := cm.Plot(filepath.Join(dir, "cm.PNG")); err != nil {
		t.Error(err)
	}
	broken := &plots.Confusion{Classes: []string{"a", "b"}, Counts: [][]int{{1, 2}}}
	if err := broken.WritePNG(io.Discard); err == nil || !strings.Contains(err.Error(), "rows") {
		t.Errorf("broken matrix: %v", err)
	}
	var nilCM *plots.Confusion
	if _, err := nilCM.PNG(); err == nil {
		t.Error("nil matrix: no error")
	}
}

func checkXML(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s does not parse: %v", path, err)
		}
	}
}

// TestImageGrid: the picture's size follows from the image size, scale, columns
// and label lines; pixels land where expected; bad inputs are errors.
func TestImageGrid(t *testing.T) {
	img28 := make([]float64, 28*28)
	img28[0] = 1 // top left pixel white
	img8 := make([]float64, 64)
	for i := range img8 {
		img8[i] = 1
	}
	cases := []struct {
		name          string
		images        [][]float64
		h, w, cols    int
		labels        []string
		opts          []plots.GridOption
		width, height int
	}{
		// 28x28 at scale 2: tile 56, cell 56+8 = 64 wide, 56+8 (+13 per line) high.
		{"mnist no labels", [][]float64{img28, img28, img28}, 28, 28, 2, nil, nil, 128, 128},
		{"mnist one line", [][]float64{img28, img28, img28}, 28, 28, 3, []string{"1", "2", "3"}, nil, 192, 77},
		{"mnist two lines", [][]float64{img28}, 28, 28, 5, []string{"true 7\npred 1"}, nil, 64, 90},
		// A long label widens every cell: 20 chars of 7 pixels + 8.
		{"wide label", [][]float64{img28, img28}, 28, 28, 2, []string{"abcdefghijklmnopqrst", ""}, nil, 296, 77},
		// 8x8 digits at scale 7: 56 again.
		{"digits", [][]float64{img8, img8, img8, img8, img8}, 8, 8, 4, nil, nil, 256, 128},
		{"explicit scale", [][]float64{img8}, 8, 8, 1, nil, []plots.GridOption{plots.GridScale(1)}, 16, 16},
		{"non-square", [][]float64{make([]float64, 6)}, 2, 3, 1, nil, []plots.GridOption{plots.GridScale(10)}, 38, 28},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := plots.ImageGrid(c.images, c.h, c.w, c.cols, c.labels, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			b, err := g.PNG()
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if s := img.Bounds(); s.Dx() != c.width || s.Dy() != c.height {
				t.Errorf("size %dx%d, want %dx%d", s.Dx(), s.Dy(), c.width, c.height)
			}
		})
	}
	// Pixel placement: the white top-left pixel of a black 28x28 image at scale 2 is a
	// 2x2 white block at (4, 4); the pixel beside it is black.
	g, err := plots.ImageGrid([][]float64{img28}, 28, 28, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	im := g.Image()
	if im.GrayAt(4, 4).Y != 255 || im.GrayAt(5, 5).Y != 255 || im.GrayAt(6, 4).Y != 0 || im.GrayAt(0, 0).Y != 255 {
		t.Errorf("pixels: %v %v %v %v", im.GrayAt(4, 4), im.GrayAt(5, 5), im.GrayAt(6, 4), im.GrayAt(0, 0))
	}
	// Labels put dark pixels under the image.
	g, _ = plots.ImageGrid([][]float64{img28}, 28, 28, 1, []string{"7"})
	dark := 0
	im = g.Image()
	for y := 64; y < im.Bounds().Dy(); y++ {
		for x := 0; x < im.Bounds().Dx(); x++ {
			if im.GrayAt(x, y).Y < 128 {
				dark++
			}
		}
	}
	if dark == 0 {
		t.Error("no label drawn")
	}

	errCases := []struct {
		name       string
		images     [][]float64
		h, w, cols int
		labels     []string
		opts       []plots.GridOption
		want       string
	}{
		{"none", nil, 2, 2, 1, nil, nil, "no images"},
		{"bad size", [][]float64{{1}}, 0, 1, 1, nil, nil, "at least 1x1"},
		{"bad cols", [][]float64{{1}}, 1, 1, 0, nil, nil, "columns"},
		{"wrong length", [][]float64{{1}, {1, 2}}, 1, 1, 1, nil, nil, "image 1 has 2 values"},
		{"labels", [][]float64{{1}}, 1, 1, 1, []string{"a", "b"}, nil, "2 labels for 1"},
		{"scale", [][]float64{{1}}, 1, 1, 1, nil, []plots.GridOption{plots.GridScale(65)}, "scale"},
		{"too big", [][]float64{make([]float64, 1000*1000)}, 1000, 1000, 1, nil, []plots.GridOption{plots.GridScale(64)}, "2^26"},
	}
	for _, c := range errCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := plots.ImageGrid(c.images, c.h, c.w, c.cols, c.labels, c.opts...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// TestGridSave: Save writes a PNG atomically and refuses other extensions.
func TestGridSave(t *testing.T) {
	dir := t.TempDir()
	g, err := plots.ImageGrid([][]float64{{0, 0.5, 1, 2}}, 2, 2, 1, []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "g.png")
	if err := g.Save(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Fatal(err)
	}
	if err := g.Save(filepath.Join(dir, "g.svg")); err == nil {
		t.Error("Save(.svg): no error")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files, want 1", len(entries))
	}
	var nilGrid *plots.Grid
	if _, err := nilGrid.PNG(); err == nil {
		t.Error("nil grid: no error")
	}
}

// TestMisclassified picks the wrong predictions in order, up to the limit.
func TestMisclassified(t *testing.T) {
	images := [][]float64{{0}, {1}, {2}, {3}}
	yTrue := []int{0, 1, 1, 0}
	yPred := []int{0, 0, 1, 1}
	cases := []struct {
		name    string
		classes []string
		limit   int
		labels  []string
		indices []int
	}{
		{"all", nil, 0, []string{"true 1\npred 0", "true 0\npred 1"}, []int{1, 3}},
		{"limit", []string{"cat", "dog"}, 1, []string{"true dog\npred cat"}, []int{1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			picked, labels, idx, err := plots.Misclassified(images, yTrue, yPred, c.classes, c.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(labels, c.labels) || !reflect.DeepEqual(idx, c.indices) || len(picked) != len(idx) {
				t.Errorf("got %q %v, want %q %v", labels, idx, c.labels, c.indices)
			}
		})
	}
	if _, _, _, err := plots.Misclassified(images, yTrue, yPred[:2], nil, 0); err == nil {
		t.Error("lengths: no error")
	}
	if _, _, _, err := plots.Misclassified(images, []int{0, 5, 0, 0}, yPred, []string{"a", "b"}, 0); err == nil {
		t.Error("out of range: no error")
	}
}
