package datasets

import "testing"

// BenchmarkMNISTLoad loads all of MNIST (60,000 training and 10,000 test
// images and labels) from the module cache copy.
func BenchmarkMNISTLoad(b *testing.B) {
	dir, err := MNISTDir()
	if err != nil {
		b.Skipf("MNIST files not available: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MNIST(dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMNISTTrainImages reads and decodes only the 60,000 training images
// to float32.
func BenchmarkMNISTTrainImages(b *testing.B) {
	dir, err := MNISTDir()
	if err != nil {
		b.Skipf("MNIST files not available: %v", err)
	}
	path, _ := findIDXFile(dir, "train-images-idx3-ubyte")
	lut := pixelScale()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := readMNISTImages("bench", path, &lut); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadIDXTrainImages reads the 60,000 training images with ReadIDX
// (raw bytes, no float conversion).
func BenchmarkReadIDXTrainImages(b *testing.B) {
	dir, err := MNISTDir()
	if err != nil {
		b.Skipf("MNIST files not available: %v", err)
	}
	path, _ := findIDXFile(dir, "train-images-idx3-ubyte")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadIDX(path); err != nil {
			b.Fatal(err)
		}
	}
}
