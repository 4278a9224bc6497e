package interop

import (
	"fmt"
	"math"
	"strings"

	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// assign is an Assignment with what Load needs to carry it out.
type assign struct {
	Assignment
	param    *graph.Param
	conv     conversion
	sources  []*Tensor
	missing  []string // source names absent from the state dict
	value    *Tensor  // the converted value, once resolved
	explicit bool
}

// resolve converts the sources and checks the shape; it returns the problem, or "".
func (a *assign) resolve(who string) string {
	a.Conversion = a.conv.desc
	if len(a.missing) > 0 {
		return fmt.Sprintf("%s weight %s shape %s: the state dict has no tensor %s", who, a.Weight, fmtShape(a.Shape), strings.Join(a.missing, ", "))
	}
	src := make([]string, len(a.sources))
	for i, t := range a.sources {
		src[i] = t.Name + " shape " + fmtShape(t.Shape)
	}
	from := strings.Join(src, ", ")
	if from == "" {
		from = "nothing"
	}
	v, err := a.conv.fn(a.sources)
	if err == nil && v == nil {
		err = errors.New("no value")
	}
	if err != nil {
		return fmt.Sprintf("%s weight %s shape %s ← %s %s: %v", who, a.Weight, fmtShape(a.Shape), from, a.conv.desc, err)
	}
	a.Converted = append([]int(nil), v.Shape...)
	if !sameShape(v.Shape, a.Shape) || len(v.Data) != a.param.Size() {
		conv := ""
		if a.conv.desc != "as is" {
			conv = " " + a.conv.desc + " to " + fmtShape(v.Shape)
		}
		return fmt.Sprintf("%s weight %s shape %s ← %s%s: shapes differ", who, a.Weight, fmtShape(a.Shape), from, conv)
	}
	if a.param.Value.Dtype() == tensor.Float32 {
		for i, x := range v.Data {
			if math.Abs(x) > math.MaxFloat32 && !math.IsInf(x, 0) {
				return fmt.Sprintf("%s weight %s ← %s: value %g at index %d is beyond float32's range", who, a.Weight, from, x, i)
			}
		}
	}
	a.value = v
	return ""
}

// problems collects what stops a load, to report them all at once.
type problems []string

func (p *problems) add(format string, args ...interface{}) {
	*p = append(*p, fmt.Sprintf(format, args...))
}

func (p problems) err() error {
	switch len(p) {
	case 0:
		return nil
	case 1:
		return errors.New(p[0])
	}
	const most = 40
	list := p
	more := ""
	if len(list) > most {
		more = fmt.Sprintf("\n  ... and %d more", len(list)-most)
		list = list[:most]
	}
	return errors.Errorf("%d problems:\n  %s%s", len(p), strings.Join(list, "\n  "), more)
}

// compat says why u cannot take md's tensors, or "".
func compat(u *unit, md *module) string {
	kind, bidir := u.counterpart()
	switch {
	case kind == "":
		return "automatic mapping knows no PyTorch counterpart of " + u.kind + " (give its weights with WithTensor or WithConverter)"
	case !md.is(kind):
		return "kinds differ (" + u.kind + " takes nn." + kind + ")"
	case bidir && !md.bidir:
		return "the layer is bidirectional, the torch module is not"
	case !bidir && md.bidir:
		return "the torch module is bidirectional (wrap the layer in layers.Bidirectional)"
	}
	return ""
}

// plan works out every assignment and resolves it; the error lists every problem.
func plan(m layers.Model, sd *StateDict, opts []LoadOption) (out []*assign, err error) {
	defer func() { // a safety net: a bug here must not take the caller down
		if r := recover(); r != nil {
			out, err = nil, errors.Errorf("internal error while mapping the state dict: %v", r)
		}
	}()
	var cfg loadConfig
	for _, o := range opts {
		if o != nil {
			o.applyLoad(&cfg)
		}
	}
	if m == nil {
		return nil, errors.New("nil model")
	}
	if sd == nil {
		return nil, errors.New("nil state dict")
	}
	if !m.Built() {
		if err := m.Build(); err != nil {
			return nil, errors.Wrap(err, "build the model")
		}
	}
	wpaths, err := layers.WeightPaths(m)
	if err != nil {
		return nil, err
	}
	units, err := collectUnits(m, wpaths)
	if err != nil {
		return nil, err
	}
	owner := map[*graph.Param]*unit{}
	byPath := map[string]*graph.Param{}
	for _, u := range units {
		for _, p := range u.weights {
			owner[p] = u
			byPath[wpaths[p]] = p
		}
	}
	var probs problems
	explicit, explicitTensors := explicitAssigns(cfg, sd, owner, byPath, &probs)
	mods := detectModules(sd)
	auto := map[*graph.Param]*assign{}
	paired := map[*unit]bool{}
	taken := map[*module]bool{}
	pairedWith := map[*unit]*module{}
	record := func(u *unit, md *module, as []*assign) {
		paired[u], taken[md] = true, true
		pairedWith[u] = md
		for _, a := range as {
			auto[a.param] = a
		}
	}
	// what automatic mapping still has to pair
	var openUnits []*unit
	for _, u := range units {
		for _, p := range u.weights {
			if explicit[p] == nil {
				openUnits = append(openUnits, u)
				break
			}
		}
	}
	var openMods []*module
	for _, md := range mods {
		for _, l := range md.locals {
			if !explicitTensors[md.full(l)] && l != "num_batches_tracked" {
				openMods = append(openMods, md)
				break
			}
		}
	}
	pairNamed(cfg, units, openMods, record, &probs)
	named := map[*unit]bool{}
	for u := range paired {
		named[u] = true
	}
	ok, near := pairByOrder(cfg, openUnits, openMods, paired, taken, record, &probs)
	if !ok {
		return nil, probs.err()
	}
	// the final assignments, in model order: explicit ones override
	used := map[string]bool{}
	doubted := map[*unit]bool{}
	var doubts []string // layers paired by order whose tensors do not fit
	for _, u := range units {
		for _, p := range u.weights {
			a := explicit[p]
			if a == nil {
				a = auto[p]
			}
			if a == nil {
				why := "no torch module is paired with the layer"
				if n := near[u]; n != "" {
					why = "no torch module fits the layer; the first of its kind: " + n
				}
				if paired[u] {
					why = "the rule for its kind does not fill it"
				}
				probs.add("%s weight %s shape %s: nothing in the state dict fills it (%s; pair modules with WithModules or give the weight with WithTensor)", u.who(), wpaths[p], fmtShape(p.Value.Shape()), why)
				continue
			}
			if msg := a.resolve(u.who()); msg != "" {
				probs.add("%s", msg)
				if md := pairedWith[u]; md != nil && !named[u] && !a.explicit && !doubted[u] {
					doubted[u] = true
					doubts = append(doubts, fmt.Sprintf("%q ← %q", u.path, md.name))
				}
			}
			for _, t := range a.sources {
				used[t.Name] = true
			}
			out = append(out, a)
		}
	}
	if len(doubts) > 0 {
		probs.add("these layers were paired with torch modules by order: %s; if a pair is wrong, pair them by name with WithModules", strings.Join(doubts, ", "))
	}
	var unused []string
	for _, n := range sd.Names() {
		if !used[n] && !strings.HasSuffix(n, "num_batches_tracked") {
			unused = append(unused, n+" "+fmtShape(sd.Get(n).Shape))
		}
	}
	if len(unused) > 0 && !cfg.allowUnused {
		what := fmt.Sprintf("%d tensors of the state dict are not used", len(unused))
		if len(unused) == 1 {
			what = "1 tensor of the state dict is not used"
		}
		probs.add("%s: %s (WithAllowUnused(true) allows this; WithModules or WithTensor map them)", what, strings.Join(unused, ", "))
	}
	return out, probs.err()
}

// explicitAssigns makes the WithTensor and WithConverter assignments.
func explicitAssigns(cfg loadConfig, sd *StateDict, owner map[*graph.Param]*unit, byPath map[string]*graph.Param, probs *problems) (map[*graph.Param]*assign, map[string]bool) {
	out := map[*graph.Param]*assign{}
	tensors := map[string]bool{}
	for _, e := range cfg.explicit {
		if e.err != nil {
			probs.add("%v", e.err)
			continue
		}
		p := byPath[e.weight]
		if p == nil {
			probs.add("WithTensor/WithConverter: the model has no weight %q (its weights: %s)", e.weight, someKeys(byPath, 12))
			continue
		}
		if out[p] != nil {
			probs.add("WithTensor/WithConverter: weight %q is given twice", e.weight)
			continue
		}
		u := owner[p]
		a := &assign{param: p, conv: e.conv, explicit: true}
		a.Explicit = true
		a.Weight, a.Layer, a.Kind = e.weight, u.path, u.kind
		a.Shape = append([]int(nil), p.Value.Shape()...)
		for _, n := range e.sources {
			a.Sources = append(a.Sources, n)
			t := sd.Get(n)
			if t == nil {
				a.missing = append(a.missing, n)
				a.SourceShapes = append(a.SourceShapes, nil)
				continue
			}
			tensors[n] = true
			a.sources = append(a.sources, t)
			a.SourceShapes = append(a.SourceShapes, append([]int(nil), t.Shape...))
		}
		out[p] = a
	}
	return out, tensors
}

// someKeys lists up to n keys of m, sorted.
func someKeys(m map[string]*graph.Param, n int) string {
	ks := make(map[string]string, len(m))
	for k := range m {
		ks[k] = ""
	}
	list := sortedKeys(ks)
	if len(list) > n {
		list = append(list[:n], fmt.Sprintf("... %d more", len(ks)-n))
	}
	return strings.Join(list, ", ")
}
