package layers

import "testing"

func TestCallsAndBuiltSpecs(t *testing.T) {
	a := NewInput("a", Shape(3))
	b := NewInput("b", Shape(3))
	shared := Dense(2, WithName("shared"))
	sum := Add(WithName("sum")).Apply(shared.Apply(a), shared.Apply(b))
	m, err := NewModel([]*Tensor{a, b}, []*Tensor{sum})
	if err != nil {
		t.Fatal(err)
	}
	if in, out := shared.BuiltSpecs(); in != nil || out != nil {
		t.Fatalf("specs before build: %v %v", in, out)
	}
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	calls := m.Calls()
	var names []string
	for _, c := range calls {
		names = append(names, c.Layer.Name())
	}
	if got := len(calls); got != 5 || names[0] != "a" || names[1] != "b" || names[4] != "sum" {
		t.Fatalf("calls %v", names)
	}
	if calls[0].Outputs[0] != m.InputTensors()[0] || len(calls[0].Inputs) != 0 {
		t.Errorf("the first call is not input a")
	}
	last := calls[4]
	if len(last.Inputs) != 2 || last.Inputs[0] != calls[2].Outputs[0] || last.Inputs[1] != calls[3].Outputs[0] || last.Outputs[0] != m.OutputTensors()[0] {
		t.Errorf("sum's inbound tensors are not the shared layer's two outputs")
	}
	if calls[2].Layer != calls[3].Layer {
		t.Errorf("the shared layer's calls name different layers")
	}
	in, out := shared.BuiltSpecs()
	if len(in) != 1 || len(out) != 1 || in[0].Shape[0] != 3 || out[0].Shape[0] != 2 {
		t.Errorf("specs %v -> %v", in, out)
	}
	in[0].Shape[0] = 99 // a copy
	if again, _ := shared.BuiltSpecs(); again[0].Shape[0] != 3 {
		t.Errorf("BuiltSpecs shares its slices")
	}
}
