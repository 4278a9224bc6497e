package interop

import (
	"fmt"

	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
)

// buildLSTMClassifier builds Embedding -> stacked LSTM (last step) -> Dense.
// The nn.LSTM is the module with a "weight_ih_l0" tensor; the embedding is the
// bias-less 2-D "X.weight" of the LSTM's input size (one containing "emb" if
// several); the classifier the other 2-D "X.weight" of the hidden size (one
// containing "fc" if several).
func buildLSTMClassifier(sd *StateDict, c archConfig) (*Arch, error) {
	const arch = "lstm-classifier"
	lp, err := pickOne(arch, "nn.LSTM (a tensor named *.weight_ih_l0)", suffixed(sd, ".weight_ih_l0"), "lstm")
	if err != nil {
		return nil, err
	}
	if sd.Get(lp+".weight_ih_l0_reverse") != nil {
		return nil, errors.Errorf("%s: %s is bidirectional (%s.weight_ih_l0_reverse), which this importer does not read", arch, lp, lp)
	}
	if sd.Get(lp+".weight_hr_l0") != nil {
		return nil, errors.Errorf("%s: %s has proj_size (%s.weight_hr_l0), which this importer does not read", arch, lp, lp)
	}
	wih, err := needTensor(sd, arch, lp+".weight_ih_l0", 2)
	if err != nil {
		return nil, err
	}
	whh, err := needTensor(sd, arch, lp+".weight_hh_l0", 2)
	if err != nil {
		return nil, err
	}
	hidden, dim := whh.Shape[1], wih.Shape[1]
	if wih.Shape[0] != 4*hidden || whh.Shape[0] != 4*hidden {
		return nil, errors.Errorf("%s: %s.weight_ih_l0 %v and weight_hh_l0 %v are not (4*hidden, in) and (4*hidden, hidden)", arch, lp, wih.Shape, whh.Shape)
	}
	nl := 0
	for ; sd.Get(fmt.Sprintf("%s.weight_ih_l%d", lp, nl)) != nil; nl++ {
		in := hidden
		if nl == 0 {
			in = dim
		}
		if err := wantShape(sd, arch, fmt.Sprintf("%s.weight_ih_l%d", lp, nl), 4*hidden, in); err != nil {
			return nil, err
		}
		if err := wantShape(sd, arch, fmt.Sprintf("%s.weight_hh_l%d", lp, nl), 4*hidden, hidden); err != nil {
			return nil, err
		}
	}
	_, embs := matrices(sd, dim, lp)
	ep, err := pickOne(arch, fmt.Sprintf("nn.Embedding(vocab, %d) (a 2-D X.weight without X.bias)", dim), embs, "emb")
	if err != nil {
		return nil, err
	}
	lin, other := matrices(sd, hidden, lp, ep)
	fp, err := pickOne(arch, fmt.Sprintf("nn.Linear(%d, classes)", hidden), append(lin, other...), "fc")
	if err != nil {
		return nil, err
	}
	if c.steps == 0 {
		return nil, errors.Errorf("%s: the number of time steps is not in the state dict: give it (WithSteps, demo's -steps)", arch)
	}
	if err := limit(arch, "steps", c.steps, maxArchSize); err != nil {
		return nil, err
	}
	vocab, classes := sd.Get(ep + ".weight").Shape[0], sd.Get(fp + ".weight").Shape[0]

	mod := modules{}
	ids := layers.NewInput("ids", layers.Shape(c.steps), layers.Int64)
	x := layers.Embedding(vocab, dim, layers.WithName(mod.add(ep))).Apply(ids)
	for i := 0; i < nl; i++ {
		// Layer i of the torch module: gokeras name "<lstm>_l<i>", module "<lstm>@<i>".
		name := fmt.Sprintf("%s_l%d", torchName(lp), i)
		mod[name] = lp
		if nl > 1 {
			mod[name] = fmt.Sprintf("%s@%d", lp, i)
		}
		x = layers.LSTM(hidden, layers.WithReturnSequences(i < nl-1), layers.WithName(name)).Apply(x)[0]
	}
	y := layers.Dense(classes, layers.WithBias(sd.Get(fp+".bias") != nil), layers.WithName(mod.add(fp))).Apply(x)
	m, err := layers.NewModel([]*layers.Tensor{ids}, []*layers.Tensor{y}, layers.ModelName("lstm_classifier"))
	if err != nil {
		return nil, errors.Wrap(err, arch)
	}
	return &Arch{Model: m, Modules: mod, Sizes: map[string][]int{
		"steps": {c.steps}, "vocab": {vocab}, "embedding_dim": {dim}, "hidden": {hidden},
		"lstm_layers": {nl}, "classes": {classes},
	}}, nil
}
