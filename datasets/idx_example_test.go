package datasets_test

import (
	"bytes"
	"fmt"

	"github.com/gokeras/gokeras/datasets"
)

// Read a small IDX array from memory: two 2x3 ubyte images, then a file
// whose header promises more data than it holds.
func ExampleReadIDXFrom() {
	file := []byte{
		0, 0, 0x08, 3, // magic: ubyte, 3 dimensions
		0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, // dimensions 2, 2, 3
		0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255,
	}
	x, err := datasets.ReadIDXFrom(bytes.NewReader(file), "images.idx")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(x.TypeName(), x.Dims, x.Len(), x.Bytes[6:])
	_, err = datasets.ReadIDXFrom(bytes.NewReader(file[:20]), "images.idx")
	fmt.Println(err)
	// Output:
	// ubyte [2 2 3] 12 [250 251 252 253 254 255]
	// datasets.ReadIDXFrom: images.idx: truncated: header says 12 bytes of data, found 4
}

// Load MNIST from the Go module cache (see MNISTDir) and look at the first
// training example.
func ExampleMNIST() {
	split, err := datasets.MNIST("")
	if err != nil {
		fmt.Println(err) // says how to get the files
		return
	}
	fmt.Println(split.Train.X().Shape(), split.Train.Y().Shape(), split.Test.Len())
	fmt.Println("first label:", split.Classes[int(split.Train.Y().Float32s()[0])])
}
