package layers_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/internal/safetensors"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"gorgonia.org/tensor"
)

// TestLoadRefusesFlippedBytes: a byte flipped anywhere in a saved model's tensor
// data, or in its architecture, makes Load fail naming the file and saying what is
// corrupt (issue 11 item 5: 17 of 150 random flips used to load and predict other
// values).
func TestLoadRefusesFlippedBytes(t *testing.T) {
	m, data := savedModel(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	hlen := int(binary.LittleEndian.Uint64(data[:8]))
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 150; i++ {
		b := append([]byte(nil), data...)
		at := 8 + hlen + rng.Intn(len(data)-8-hlen)
		b[at] ^= byte(1 + rng.Intn(255))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := layers.Load(path)
		if err == nil {
			t.Fatalf("byte %d of the tensor data flipped: loaded without error", at)
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "tensor data is corrupt") {
			t.Fatalf("byte %d flipped: error %q does not name the file and the corrupt data", at, err)
		}
	}
	// A digit of the architecture (Dropout's rate 0.2 -> 0.3) is caught too.
	k := bytes.Index(data, []byte(`\"rate\":0.2`))
	if k < 0 {
		t.Fatal("no dropout rate in the file")
	}
	b := append([]byte(nil), data...)
	b[k+len(`\"rate\":0.`)] = '3'
	if _, err := layers.LoadFrom(bytes.NewReader(b)); err == nil || !strings.Contains(err.Error(), "metadata is corrupt") {
		t.Errorf("edited architecture: %v", err)
	}
}

// TestTrainerFileIsChecked: trainers.Save writes through layers.Encode, so the
// optimizer's state is covered by the checksum too.
func TestTrainerFileIsChecked(t *testing.T) {
	m := layers.NewSequential(layers.Input(2), layers.Dense(2, layers.WithActivation("softmax")))
	tr, err := trainers.New(m, trainers.WithOptimizer(trainers.Adam(0.01)), trainers.WithLoss("categorical_crossentropy"))
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{0, 1, 1, 0, 1, 1, 0, 0}))
	y := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{1, 0, 0, 1, 1, 0, 0, 1}))
	if _, err := tr.Fit(context.Background(), x, y, trainers.Epochs(1), trainers.BatchSize(4), trainers.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tr.SaveTo(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := trainers.LoadFrom(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	ts, _, err := safetensors.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	paths, _ := layers.WeightPaths(m)
	for _, p := range m.Params() {
		if paths[p] == ts[len(ts)-1].Name {
			t.Fatalf("the file's last tensor %q is a weight, not optimizer state", paths[p])
		}
	}
	b[len(b)-3] ^= 0x40 // in the last tensor: optimizer state
	if _, err := trainers.LoadFrom(bytes.NewReader(b)); err == nil || !strings.Contains(err.Error(), "tensor data is corrupt") {
		t.Errorf("flipped optimizer state: %v", err)
	}
}
