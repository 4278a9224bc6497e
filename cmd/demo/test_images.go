package main

import (
	"math"

	"github.com/gokeras/gokeras/internal/tensorvals"

	"github.com/gokeras/gokeras/datasets"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// testImages are the first images of a data set's split in the units the zoo
// recipes feed them (raw: counts 0..16 for digits, bytes 0..255 for MNIST and
// Fashion-MNIST), with their labels.
type testImages struct {
	pixels  []float64 // (n*h*w*c) row-major
	labels  []int
	n       int // images held
	total   int // images in the split
	h, w, c int
	max     float64 // the largest pixel value: 16 or 255
}

// loadTestImages returns the first n test images of the data set (all of them
// when the split has fewer).
func loadTestImages(data string, n int) (*testImages, error) { return loadImages(data, false, n) }

// loadImages returns the first n images of the data set's training split (train)
// or test split (all of them when the split has fewer).
func loadImages(data string, train bool, n int) (*testImages, error) {
	var (
		x, y *tensor.Dense
		im   = &testImages{c: 1}
	)
	switch data {
	case "digits":
		s, err := datasets.Digits()
		if err != nil {
			return nil, err
		}
		d := s.Test
		if train {
			d = s.Train
		}
		x, y, im.h, im.w, im.max = d.X(), d.Y(), 8, 8, 16
	case "mnist", "fashion-mnist":
		load := datasets.MNIST
		if data == "fashion-mnist" {
			load = datasets.FashionMNIST
		}
		s, err := load("")
		if err != nil {
			return nil, err
		}
		d := s.Test
		if train {
			d = s.Train
		}
		// The loaders scale bytes to [0, 1]; the recipes' models take the bytes.
		x, y, im.h, im.w, im.max = d.X(), d.Y(), 28, 28, 255
	default:
		return nil, errors.Errorf("unknown data set %q (valid: digits, mnist, fashion-mnist)", data)
	}
	total := x.Shape()[0]
	im.n, im.total = min(n, total), total
	per := im.h * im.w * im.c
	all, ys := tensorvals.Floats(x), tensorvals.Floats(y)
	if len(all) != total*per || len(ys) != total {
		return nil, errors.Errorf("%s: %d values and %d labels for %d images of %dx%dx%d", data, len(all), len(ys), total, im.h, im.w, im.c)
	}
	im.pixels = all[:im.n*per]
	if im.max == 255 {
		for i, v := range im.pixels {
			im.pixels[i] = math.Round(v * 255) // v/255 back to the byte v
		}
	}
	im.labels = make([]int, im.n)
	for i := range im.labels {
		im.labels[i] = int(ys[i])
	}
	return im, nil
}
