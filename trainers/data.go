package trainers

import (
	"fmt"
	"strings"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/graph"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// binding says which tensor of a data set feeds which model input and which output's
// target: by name when the data set names its tensors, in order otherwise.
type binding struct {
	in, out []int // data set input j feeds model input in[j]; target j is output out[j]
	xs, ys  []*tensor.Dense
	// steps is the length of the data's variable-steps inputs when shorter than
	// declared (the programs' steps), 0 otherwise.
	steps int
}

// bind matches ds to the model. Targets are matched when withTargets is set (every
// output needs one); otherwise they are ignored.
func (t *Trainer) bind(what string, ds datasets.Multi, withTargets bool) (*binding, error) {
	if ds == nil || ds.Len() == 0 {
		return nil, errors.Errorf("%s: the data set is empty", what)
	}
	b := &binding{}
	var err error
	if b.in, err = match(what, "input", ds.Inputs(), t.InputNames()); err != nil {
		return nil, err
	}
	b.xs = make([]*tensor.Dense, len(b.in))
	if withTargets {
		if len(ds.Targets()) == 0 {
			return nil, errors.Errorf("%s: the data set has no targets", what)
		}
		if b.out, err = match(what, "target", ds.Targets(), t.OutputNames()); err != nil {
			return nil, err
		}
		b.ys = make([]*tensor.Dense, len(b.out))
	}
	return b, nil
}

// match pairs data tensors with the model's names (inputs or outputs).
func match(what, kind string, have []datasets.Spec, want []string) ([]int, error) {
	named := 0
	for _, s := range have {
		if s.Name != "" {
			named++
		}
	}
	idx := make([]int, len(have))
	switch {
	case named == 0:
		if len(have) != len(want) {
			return nil, errors.Errorf("%s: the model has %d %s(s) (%s), the data has %d", what, len(want), kind, strings.Join(want, ", "), len(have))
		}
		for i := range idx {
			idx[i] = i
		}
		return idx, nil
	case named != len(have):
		return nil, errors.Errorf("%s: name every %s of the data or none", what, kind)
	}
	pos := map[string]int{}
	for i, n := range want {
		pos[n] = i
	}
	seen := map[string]bool{}
	for j, s := range have {
		i, ok := pos[s.Name]
		if !ok {
			return nil, errors.Errorf("%s: the data has %s %q; the model's %ss are %s", what, kind, s.Name, kind, strings.Join(want, ", "))
		}
		idx[j] = i
		seen[s.Name] = true
	}
	for _, n := range want {
		if !seen[n] {
			return nil, errors.Errorf("%s: the data has no %s %q (it has %s)", what, kind, n, specNames(have))
		}
	}
	return idx, nil
}

func specNames(ss []datasets.Spec) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = fmt.Sprintf("%q", s.Name)
	}
	return strings.Join(names, ", ")
}

// gather copies the examples at idx into the program's inputs (and targets).
func (b *binding) gather(ds datasets.Multi, idx []int, p *program) error {
	for j, i := range b.in {
		b.xs[j] = p.xs[i]
	}
	for j, i := range b.out {
		b.ys[j] = p.ys[i]
	}
	if b.ys == nil {
		for j := range b.xs {
			if err := datasets.GatherInputMulti(ds, idx, j, b.xs[j]); err != nil {
				return err
			}
		}
		return nil
	}
	return ds.GatherMulti(idx, b.xs, b.ys)
}

// describeRunError turns an embedding's out-of-range id, a value unknown to a
// lookup without out-of-vocabulary ids, or a text that cannot be tokenized
// (empty, invalid UTF-8, no tokens) into an error naming the example of the data
// set (idx maps batch rows to examples). The lookup's error stays a
// *graph.LookupError and the tokenizer's a *graph.TokenizeError (found with
// errors.As), their Row set to the example.
func describeRunError(err error, idx []int) error {
	var ie *graph.IndexError
	if errors.As(err, &ie) && ie.Row >= 0 && ie.Row < len(idx) {
		return errors.Errorf("example %d: id %d (position %d) is out of range [0, %d) of an embedding", idx[ie.Row], ie.Value, ie.Pos, ie.Limit)
	}
	var le *graph.LookupError
	if errors.As(err, &le) && le.Row >= 0 && le.Row < len(idx) {
		e := *le
		e.Row = idx[le.Row]
		return &e
	}
	var te *graph.TokenizeError
	if errors.As(err, &te) && te.Row >= 0 && te.Row < len(idx) {
		e := *te
		e.Row = idx[te.Row]
		return &e
	}
	return err
}
