package layers_test

import (
	"bytes"
	"testing"

	"github.com/gokeras/gokeras/layers"
)

// FuzzLoad: whatever the bytes, LoadFrom returns a model or an error, never panics,
// and a model it returns has every parameter set.
func FuzzLoad(f *testing.F) {
	_, data := savedModel(f)
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add(data[:12])
	f.Add([]byte{})
	f.Add([]byte("{\"__metadata__\":{}}"))
	f.Add(savedFunctional(f))
	for _, h := range hostileFiles(f) {
		if len(h.data) < 64<<10 {
			f.Add(h.data)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := layers.LoadFrom(bytes.NewReader(b))
		if err != nil {
			return
		}
		if !m.Built() || len(m.Params()) == 0 && len(m.Layers()) > 1 {
			t.Errorf("loaded model is not usable: built %v", m.Built())
		}
	})
}

// savedFunctional returns the bytes of a saved two-input two-output functional model
// with a shared layer, an embedding and merges.
func savedFunctional(f *testing.F) []byte {
	ids := layers.NewInput("ids", layers.Shape(2), layers.Int64)
	feats := layers.NewInput("feats", layers.Shape(3))
	e := layers.Flatten().Apply(layers.Embedding(5, 2).Apply(ids))
	shared := layers.Dense(3)
	a, b := shared.Apply(feats), shared.Apply(layers.Dense(3).Apply(e))
	h := layers.Concatenate(-1).Apply(layers.Add().Apply(a, b), layers.Multiply().Apply(a, b))
	o1 := layers.Dense(1, layers.WithName("o1")).Apply(h)
	o2 := layers.Dense(2, layers.WithName("o2")).Apply(h)
	m, err := layers.NewModel([]*layers.Tensor{ids, feats}, []*layers.Tensor{o1, o2})
	if err != nil {
		f.Fatal(err)
	}
	if err := m.Build(); err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.SaveTo(&buf); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}
