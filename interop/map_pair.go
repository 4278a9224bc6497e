package interop

import (
	"strings"
)

// pairNamed pairs the layers WithModules names with their modules.
func pairNamed(cfg loadConfig, units []*unit, mods []*module, record func(*unit, *module, []*assign), probs *problems) {
	if len(cfg.modules) == 0 {
		return
	}
	unitByPath := map[string]*unit{}
	for _, u := range units {
		unitByPath[u.path] = u
	}
	modByName := map[string]*module{}
	for _, md := range mods {
		modByName[md.name] = md
	}
	given := map[*module]string{}
	for _, key := range sortedKeys(cfg.modules) {
		val := cfg.modules[key]
		u := unitByPath[key]
		if u == nil {
			probs.add("WithModules: the model has no layer with weights at %q (layers with weights: %s)", key, unitList(units, 12))
			continue
		}
		md := modByName[val]
		if md == nil && strings.HasSuffix(val, "@0") { // layer 0 of a one-layer RNN is its plain prefix
			if md = modByName[strings.TrimSuffix(val, "@0")]; md != nil && md.layer != 0 {
				md = nil
			}
		}
		if md == nil {
			probs.add("WithModules: %s → torch module %q: the state dict has no such module (modules: %s)", u.who(), val, moduleList(mods, 12))
			continue
		}
		if prev, dup := given[md]; dup {
			probs.add("WithModules: torch module %q is given to two layers, %q and %q", val, prev, key)
			continue
		}
		given[md] = key
		if msg := compat(u, md); msg != "" {
			probs.add("WithModules: %s and %s: %s", u.who(), md.describe(), msg)
			continue
		}
		as, err := mapUnit(u, md)
		if err != nil {
			probs.add("WithModules: %v", err)
			continue
		}
		record(u, md, as)
	}
}

// pairByOrder pairs the layers left with the modules left, in order: the k-th
// layer with weights with the k-th torch module. Without WithAllowUnused a
// module that does not fit its layer stops the pairing (false: the problem says
// which pair, and the rest would be noise). With it such a module is skipped and
// left unused, and a layer that no module fits stays unpaired (near says what
// the first module of its kind lacked).
func pairByOrder(cfg loadConfig, units []*unit, mods []*module, paired map[*unit]bool, taken map[*module]bool, record func(*unit, *module, []*assign), probs *problems) (ok bool, near map[*unit]string) {
	near = map[*unit]string{}
	var rest []*module
	for _, md := range mods {
		if !taken[md] {
			rest = append(rest, md)
		}
	}
	j := 0
	for _, u := range units {
		if paired[u] {
			continue
		}
		start, matched := j, false
		for j < len(rest) && !matched {
			md := rest[j]
			j++
			msg := compat(u, md)
			var as []*assign
			var err error
			if msg == "" {
				as, err = mapUnit(u, md)
			}
			switch {
			case msg == "" && err == nil && !cfg.allowUnused:
				record(u, md, as)
				matched = true
			case msg == "" && err == nil:
				if why := misfit(u, as); why == "" {
					record(u, md, as)
					matched = true
				} else if near[u] == "" {
					near[u] = why
				}
			case cfg.allowUnused:
				if err != nil && near[u] == "" {
					near[u] = err.Error()
				}
			case msg != "":
				probs.add("%s is paired by order with %s, but %s: pair them with WithModules (map[string]string{%q: \"<torch prefix>\"}) or give the weights with WithTensor", u.who(), md.describe(), msg, u.path)
				return false, near
			default:
				probs.add("%v", err)
				return false, near
			}
		}
		if !matched {
			j = start // leave the modules to the next layers
		}
	}
	return true, near
}

// misfit says why u's assignments do not resolve (a tensor missing, shapes
// that differ), or "".
func misfit(u *unit, as []*assign) string {
	if len(as) == 0 {
		return "no weight to fill"
	}
	for _, a := range as {
		cp := *a
		if why := cp.resolve(u.who()); why != "" {
			return why
		}
	}
	return ""
}

func unitList(units []*unit, n int) string {
	var s []string
	for i, u := range units {
		if i == n {
			s = append(s, "...")
			break
		}
		s = append(s, u.path+" ("+u.kind+")")
	}
	return strings.Join(s, ", ")
}

func moduleList(mods []*module, n int) string {
	var s []string
	for i, md := range mods {
		if i == n {
			s = append(s, "...")
			break
		}
		s = append(s, "\""+md.name+"\" ("+strings.Join(md.kinds, "/")+")")
	}
	return strings.Join(s, ", ")
}
