package interop

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// module is a torch module found in a state dict: its tensors by local name
// (relative to prefix), and what kind of module they look like.
type module struct {
	name    string   // what WithModules names: the prefix, or "<prefix>@<k>" for layer k of a multi-layer RNN
	prefix  string   // "layer1.0.conv1"; "" at the top level
	kinds   []string // "Linear", "Embedding", "Conv2d", "LSTM", ... (several when the tensors fit several)
	locals  []string // local names in file order
	tensors map[string]*Tensor
	order   int // file position of the first tensor
	layer   int // an RNN's layer index
	bidir   bool
}

// full is the state dict's name of the local tensor name.
func (md *module) full(local string) string { return join(md.prefix, local) }

func join(prefix, local string) string {
	if prefix == "" {
		return local
	}
	return prefix + "." + local
}

func (md *module) is(kind string) bool {
	for _, k := range md.kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// describe names the module in messages: `torch module "fc1" (Linear: weight
// (10, 4), bias (10))`.
func (md *module) describe() string {
	parts := make([]string, len(md.locals))
	for i, l := range md.locals {
		parts[i] = l + " " + fmtShape(md.tensors[l].Shape)
	}
	k := strings.Join(md.kinds, " or ")
	if md.bidir {
		k = "bidirectional " + k
	}
	return fmt.Sprintf("torch module %q (%s: %s)", md.name, k, strings.Join(parts, ", "))
}

// group is the tensors sharing one prefix (the name before the last dot).
type group struct {
	prefix string
	locals []string
	t      map[string]*Tensor
	first  int
	used   bool
}

var rnnLocal = regexp.MustCompile(`^(weight_ih|weight_hh|bias_ih|bias_hh)_l(\d+)(_reverse)?$`)

// detectModules groups sd's tensors into torch modules, in file order:
// TransformerEncoderLayer (self_attn.*, linear1, linear2, norm1, norm2),
// MultiheadAttention (in_proj_* or q/k/v_proj_weight, out_proj.*), one module per
// layer of nn.LSTM/GRU/RNN, and leaf modules (Linear, Conv1d, Conv2d, BatchNorm,
// LayerNorm, Embedding) classified by their tensors' names and ranks.
func detectModules(sd *StateDict) []*module {
	var groups []*group
	byPrefix := map[string]*group{}
	for i, name := range sd.Names() {
		prefix, local := "", name
		if k := strings.LastIndex(name, "."); k >= 0 {
			prefix, local = name[:k], name[k+1:]
		}
		g := byPrefix[prefix]
		if g == nil {
			g = &group{prefix: prefix, t: map[string]*Tensor{}, first: i * 1000} // room for an RNN's layers
			byPrefix[prefix] = g
			groups = append(groups, g)
		}
		g.locals = append(g.locals, local)
		g.t[local] = sd.Get(name)
	}
	var mods []*module
	absorb := func(md *module, g *group, rel string) {
		for _, l := range g.locals {
			local := join(rel, l)
			md.locals = append(md.locals, local)
			md.tensors[local] = g.t[l]
		}
		if g.first < md.order {
			md.order = g.first
		}
		g.used = true
	}
	isMHA := func(g *group) bool { return g.t["in_proj_weight"] != nil || g.t["q_proj_weight"] != nil }
	// transformer encoder layers
	for _, g := range groups {
		if g.used || !isMHA(g) || !(g.prefix == "self_attn" || strings.HasSuffix(g.prefix, ".self_attn")) {
			continue
		}
		p := strings.TrimSuffix(strings.TrimSuffix(g.prefix, "self_attn"), ".")
		parts := []string{"self_attn.out_proj", "linear1", "linear2", "norm1", "norm2"}
		ok := true
		for _, s := range parts {
			if q := byPrefix[join(p, s)]; q == nil || q.used {
				ok = false
			}
		}
		if !ok {
			continue
		}
		md := &module{name: p, prefix: p, kinds: []string{"TransformerEncoderLayer"}, tensors: map[string]*Tensor{}, order: g.first}
		absorb(md, g, "self_attn")
		for _, s := range parts {
			absorb(md, byPrefix[join(p, s)], s)
		}
		mods = append(mods, md)
	}
	// attention
	for _, g := range groups {
		if g.used || !isMHA(g) {
			continue
		}
		md := &module{name: g.prefix, prefix: g.prefix, kinds: []string{"MultiheadAttention"}, tensors: map[string]*Tensor{}, order: g.first}
		absorb(md, g, "")
		if q := byPrefix[join(g.prefix, "out_proj")]; q != nil && !q.used {
			absorb(md, q, "out_proj")
		}
		mods = append(mods, md)
	}
	for _, g := range groups {
		if g.used {
			continue
		}
		if g.t["weight_ih_l0"] != nil {
			mods = append(mods, rnnModules(g)...)
			g.used = true
			continue
		}
		md := &module{name: g.prefix, prefix: g.prefix, tensors: map[string]*Tensor{}, order: g.first}
		absorb(md, g, "")
		md.kinds = leafKinds(g.t)
		mods = append(mods, md)
	}
	sort.SliceStable(mods, func(i, j int) bool { return mods[i].order < mods[j].order })
	return mods
}

// leafKinds classifies a module of plain tensors.
func leafKinds(t map[string]*Tensor) []string {
	if t["running_mean"] != nil || t["running_var"] != nil {
		return []string{"BatchNorm"}
	}
	w := t["weight"]
	if w == nil {
		return []string{"unknown"}
	}
	switch len(w.Shape) {
	case 1:
		return []string{"LayerNorm"}
	case 2:
		if t["bias"] == nil {
			return []string{"Linear", "Embedding"}
		}
		return []string{"Linear"}
	case 3:
		return []string{"Conv1d"}
	case 4:
		return []string{"Conv2d"}
	}
	return []string{"unknown"}
}

// rnnModules splits an nn.LSTM/GRU/RNN into one module per layer ("lstm" when
// it has one layer, "lstm@0", "lstm@1", ... otherwise). The kind comes from the
// ratio of weight_ih_l0's rows to weight_hh_l0's columns (4 LSTM, 3 GRU, 1 RNN).
func rnnModules(g *group) []*module {
	kind := "unknown"
	if ih, hh := g.t["weight_ih_l0"], g.t["weight_hh_l0"]; hh != nil && len(ih.Shape) == 2 && len(hh.Shape) == 2 && hh.Shape[1] > 0 && ih.Shape[0]%hh.Shape[1] == 0 {
		switch ih.Shape[0] / hh.Shape[1] {
		case 4:
			kind = "LSTM"
		case 3:
			kind = "GRU"
		case 1:
			kind = "RNN"
		}
	}
	byLayer := map[int]*module{}
	var mods []*module
	var other *module
	for _, l := range g.locals {
		m := rnnLocal.FindStringSubmatch(l)
		if m == nil {
			if other == nil { // proj weights (weight_hr_l0) and the like: nothing maps them
				other = &module{name: g.prefix + "@other", prefix: g.prefix, kinds: []string{"unknown"}, tensors: map[string]*Tensor{}, order: g.first}
			}
			other.locals = append(other.locals, l)
			other.tensors[l] = g.t[l]
			continue
		}
		k, _ := strconv.Atoi(m[2])
		md := byLayer[k]
		if md == nil {
			md = &module{prefix: g.prefix, kinds: []string{kind}, tensors: map[string]*Tensor{}, order: g.first, layer: k}
			byLayer[k] = md
			mods = append(mods, md)
		}
		if m[3] != "" {
			md.bidir = true
		}
		md.locals = append(md.locals, l)
		md.tensors[l] = g.t[l]
	}
	sort.SliceStable(mods, func(i, j int) bool { return mods[i].layer < mods[j].layer })
	for i, md := range mods {
		md.name = g.prefix
		if len(mods) > 1 {
			md.name = g.prefix + "@" + strconv.Itoa(md.layer)
		}
		md.order = g.first + i // layers in order, before anything after the RNN
	}
	if other != nil {
		other.order = g.first + len(mods)
		mods = append(mods, other)
	}
	return mods
}
