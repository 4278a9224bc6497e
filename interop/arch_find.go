package interop

import (
	"strings"

	"github.com/pkg/errors"
)

// matrices returns the module prefixes X of the 2-D tensors "X.weight" whose
// second dimension is cols, outside the module prefixes skip, split by whether
// "X.bias" exists (nn.Linear) or not (nn.Embedding), in file order.
func matrices(sd *StateDict, cols int, skip ...string) (withBias, noBias []string) {
next:
	for _, n := range sd.Names() {
		if !strings.HasSuffix(n, ".weight") {
			continue
		}
		p := strings.TrimSuffix(n, ".weight")
		for _, s := range skip {
			if p == s || strings.HasPrefix(p, s+".") {
				continue next
			}
		}
		t := sd.Get(n)
		if len(t.Shape) != 2 || t.Shape[1] != cols || t.Shape[0] < 1 {
			continue
		}
		if sd.Get(p+".bias") != nil {
			withBias = append(withBias, p)
		} else {
			noBias = append(noBias, p)
		}
	}
	return withBias, noBias
}

// pickOne returns the one candidate, or among several the one whose name
// contains hint; otherwise an error describing what was looked for.
func pickOne(arch, what string, cands []string, hint string) (string, error) {
	if len(cands) == 1 {
		return cands[0], nil
	}
	var hinted []string
	for _, c := range cands {
		if hint != "" && strings.Contains(strings.ToLower(c), hint) {
			hinted = append(hinted, c)
		}
	}
	if len(hinted) == 1 {
		return hinted[0], nil
	}
	if len(cands) == 0 {
		return "", errors.Errorf("%s: no tensor is the %s, so the state dict is not a %s", arch, what, arch)
	}
	return "", errors.Errorf("%s: %d modules could be the %s (%s): the state dict is not a %s this importer can read",
		arch, len(cands), what, strings.Join(cands, ", "), arch)
}

// suffixed returns the prefixes p of the tensors named p+suffix, in file order.
func suffixed(sd *StateDict, suffix string) []string {
	var out []string
	for _, n := range sd.Names() {
		if strings.HasSuffix(n, suffix) {
			out = append(out, strings.TrimSuffix(n, suffix))
		}
	}
	return out
}
