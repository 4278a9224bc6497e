package layers

import (
	"sort"
	"strings"

	"github.com/pkg/errors"
)

// AttachmentClassNames is the name of the attachment that holds a classifier's
// class names: a JSON object from each output's name to the names of its classes,
// in class id order ({"species": ["setosa", "versicolor", "virginica"]}). Use
// SetClassNames and ClassNames rather than reading it directly.
const AttachmentClassNames = "class_names"

// SetClassNames names the classes of the only output of m, in class id order, so
// that what shows predictions (confusion matrices, demo predict and serve) prints
// "virginica" instead of 2. The names are saved with the model (an attachment,
// AttachmentClassNames) and come back with Load. Names must be non-empty and
// distinct; once the model is built their number must match the output: one name
// per unit, or two for an output of one unit (a sigmoid: class 0 below 0.5, class 1
// above).
func SetClassNames(m Model, names ...string) error {
	out, err := onlyOutput(m, "set class names")
	if err != nil {
		return err
	}
	return SetOutputClassNames(m, out, names...)
}

// SetOutputClassNames names the classes of the output named output (see
// SetClassNames); for models of several outputs.
func SetOutputClassNames(m Model, output string, names ...string) error {
	if m == nil {
		return errors.New("set class names: nil model")
	}
	spec, err := outputSpec(m, output)
	if err != nil {
		return errors.Wrap(err, "set class names")
	}
	if err := checkClassNames(spec, names); err != nil {
		return errors.Wrapf(err, "set class names of output %q", output)
	}
	all, err := classNameMap(m)
	if err != nil {
		return errors.Wrap(err, "set class names")
	}
	if all == nil {
		all = map[string][]string{}
	}
	all[output] = append([]string(nil), names...)
	return m.Attach(AttachmentClassNames, all)
}

// ClassNames returns the class names of the only output of m, or nil (and no
// error) when none were set. Names read from a file are checked as SetClassNames
// checks them, so a caller may index them by any class id the output gives.
func ClassNames(m Model) ([]string, error) {
	out, err := onlyOutput(m, "class names")
	if err != nil {
		return nil, err
	}
	return OutputClassNames(m, out)
}

// OutputClassNames returns the class names of the output named output, or nil
// when none were set (see ClassNames).
func OutputClassNames(m Model, output string) ([]string, error) {
	if m == nil {
		return nil, errors.New("class names: nil model")
	}
	all, err := classNameMap(m)
	if err != nil {
		return nil, errors.Wrap(err, "class names")
	}
	names, ok := all[output]
	if !ok {
		return nil, nil
	}
	spec, err := outputSpec(m, output)
	if err != nil {
		return nil, errors.Wrap(err, "class names")
	}
	if err := checkClassNames(spec, names); err != nil {
		return nil, errors.Wrapf(err, "class names of output %q", output)
	}
	return append([]string(nil), names...), nil
}

func classNameMap(m Model) (map[string][]string, error) {
	var all map[string][]string
	if _, err := m.Attachment(AttachmentClassNames, &all); err != nil {
		return nil, err
	}
	return all, nil
}

// outputSpecs returns m's outputs; an unbuilt Sequential is connected
// first (which names its layers, as Build does, and makes no weights).
func outputSpecs(m Model) ([]Spec, error) {
	if s, ok := m.(*Sequential); ok && s.f == nil {
		if err := s.connect(nil); err != nil {
			return nil, err
		}
	}
	return m.Outputs(), nil
}

func onlyOutput(m Model, what string) (string, error) {
	if m == nil {
		return "", errors.Errorf("%s: nil model", what)
	}
	outs, err := outputSpecs(m)
	if err != nil {
		return "", errors.Wrap(err, what)
	}
	if len(outs) != 1 {
		names := make([]string, len(outs))
		for i, o := range outs {
			names[i] = o.Name
		}
		return "", errors.Errorf("%s: the model has %d outputs (%s): name one (SetOutputClassNames, OutputClassNames)", what, len(outs), strings.Join(names, ", "))
	}
	return outs[0].Name, nil
}

// outputSpec returns the output named output; for an unbuilt model its shape
// comes from a built copy (see describeTarget), or is nil when none can be made.
func outputSpec(m Model, output string) (Spec, error) {
	outs, err := outputSpecs(m)
	if err != nil {
		return Spec{}, err
	}
	if !m.Built() {
		if d, copyErr, buildErr := describeTarget(m); copyErr == nil && buildErr == nil {
			outs = d.Outputs()
		}
	}
	var names []string
	for _, o := range outs {
		if o.Name == output {
			return o, nil
		}
		names = append(names, o.Name)
	}
	sort.Strings(names)
	return Spec{}, errors.Errorf("no output %q (the model's outputs are %s)", output, strings.Join(names, ", "))
}

// checkClassNames checks names against an output: non-empty, distinct, and, once
// the output's shape is known, one per unit (two for a single unit).
func checkClassNames(out Spec, names []string) error {
	if len(names) == 0 {
		return errors.New("no names")
	}
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		if n == "" {
			return errors.Errorf("class %d has an empty name", i)
		}
		if seen[n] {
			return errors.Errorf("two classes are named %q", n)
		}
		seen[n] = true
	}
	if out.Shape == nil {
		return nil
	}
	units := 1
	for _, d := range out.Shape {
		units *= d
	}
	want := units
	if units == 1 {
		want = 2
	}
	if len(names) != want {
		return errors.Errorf("%d names for an output of shape %s, which gives %d classes", len(names), fmtShape(out.Shape), want)
	}
	return nil
}
