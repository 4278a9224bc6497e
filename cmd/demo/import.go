package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/interop"
	"github.com/pkg/errors"
)

// importResult is what demo import prints with -json.
type importResult struct {
	Arch   string `json:"arch"`
	Torch  string `json:"torch"`
	Format string `json:"format"` // "torch" or "safetensors"
	Out    string `json:"out"`
	// Sizes are the sizes inferred from the tensors and the flags.
	Sizes map[string][]int `json:"sizes"`
	// Tensors is the number of state dict tensors copied, Weights the number of
	// gokeras weights filled, Parameters their values in all.
	Tensors    int      `json:"tensors"`
	Weights    int      `json:"weights"`
	Parameters int      `json:"parameters"`
	Input      string   `json:"input"`
	Output     string   `json:"output"`
	Notes      []string `json:"notes,omitempty"`
}

// importCmd is "demo import -torch F -arch NAME -out FILE [-input-shape H,W,C]
// [-steps N] [-heads N] [-json]".
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	torch := fs.String("torch", "", "PyTorch weights: a torch.save'd state_dict (.pt/.pth) or a safetensors file, told apart by content (required)")
	arch := fs.String("arch", "", "the architecture: "+strings.Join(interop.Architectures(), ", ")+" (required)")
	out := fs.String("out", "", "the gokeras model file to write (required)")
	shape := fs.String("input-shape", "", "resnet18: the image shape H,W,C the model takes, channels last (default 224,224,C with C from conv1)")
	steps := fs.Int("steps", 0, "lstm-classifier (required) and transformer-encoder (default: the positional table's length): the sequence length")
	heads := fs.Int("heads", 4, "transformer-encoder: attention heads (not stored in a state dict)")
	asJSON := fs.Bool("json", false, "print one JSON object (arch, sizes, tensors, weights, parameters, input, output)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: demo import -torch F.pt|F.safetensors -arch "+strings.Join(interop.Architectures(), "|")+
			" -out FILE [-input-shape 224,224,3] [-steps N] [-heads N] [-json]\n"+
			"builds the gokeras model of a known PyTorch architecture from its weights (sizes\n"+
			"read from the tensors' shapes), loads them and saves the model. Images are taken\n"+
			"channels last (NHWC); the model outputs what the PyTorch model returns (logits).\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return parseStatus(err)
	}
	var opts []interop.ArchOption
	status := func() int {
		switch {
		case fs.NArg() > 0:
			fmt.Fprintf(stderr, "demo import: unexpected arguments %q\n", fs.Args())
		case *torch == "" || *arch == "" || *out == "":
			fmt.Fprintln(stderr, "demo import: -torch, -arch and -out are required")
		case !knownArch(*arch):
			fmt.Fprintf(stderr, "demo import: -arch %q is unknown (known: %s)\n", *arch, strings.Join(interop.Architectures(), ", "))
		case *shape != "" && *arch != "resnet18":
			fmt.Fprintf(stderr, "demo import: -input-shape is for resnet18, not %s\n", *arch)
		case *steps != 0 && *arch == "resnet18":
			fmt.Fprintln(stderr, "demo import: -steps is for lstm-classifier and transformer-encoder, not resnet18")
		case *steps < 0 || *steps > 1<<20:
			fmt.Fprintf(stderr, "demo import: -steps %d must be in [1, %d]\n", *steps, 1<<20)
		case *heads < 1 || *heads > 1<<10:
			fmt.Fprintf(stderr, "demo import: -heads %d must be in [1, 1024]\n", *heads)
		case samePath(*torch, *out):
			fmt.Fprintf(stderr, "demo import: -out %s is the -torch file\n", *out)
		default:
			return exitOK
		}
		return exitUsage
	}()
	if status != exitOK {
		return status
	}
	if *shape != "" {
		dims, err := parseInputShape(*shape)
		if err != nil {
			fmt.Fprintf(stderr, "demo import: %v\n", err)
			return exitUsage
		}
		opts = append(opts, interop.WithInputShape(dims[0], dims[1], dims[2]))
	}
	opts = append(opts, interop.WithSteps(*steps), interop.WithHeads(*heads))
	res, err := importTorch(*torch, *arch, *out, opts)
	if err != nil {
		fmt.Fprintf(stderr, "demo import: %s\n", errorText(ctx, err))
		return exitFailure
	}
	if *asJSON {
		b, err := json.Marshal(res)
		if err != nil {
			fmt.Fprintf(stderr, "demo import: %v\n", err)
			return exitFailure
		}
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	writeImportSummary(stdout, res)
	return exitOK
}

// knownArch reports whether name is one of interop.Architectures().
func knownArch(name string) bool {
	for _, a := range interop.Architectures() {
		if a == name {
			return true
		}
	}
	return false
}

// samePath reports whether a and b name the same existing file.
func samePath(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA != nil || errB != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return os.SameFile(fa, fb)
}

// parseInputShape reads "H,W,C" of positive sizes up to 16384 (C up to 4096).
func parseInputShape(s string) ([]int, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return nil, errors.Errorf("-input-shape %q: want H,W,C (three sizes, as 224,224,3)", s)
	}
	dims := make([]int, 3)
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 1 || v > 16384 || (i == 2 && v > 4096) {
			return nil, errors.Errorf("-input-shape %q: %q is not a size in [1, 16384] (channels up to 4096)", s, p)
		}
		dims[i] = v
	}
	return dims, nil
}

// importTorch imports the weights, saves the model to out (atomically, with
// the model's Save) and describes what was done.
func importTorch(torch, arch, out string, opts []interop.ArchOption) (*importResult, error) {
	a, plan, err := interop.ImportTorch(torch, arch, opts...)
	if err != nil {
		return nil, err
	}
	if err := a.Model.Save(out); err != nil {
		return nil, errors.Wrapf(err, "save %s", out)
	}
	res := &importResult{Arch: arch, Torch: torch, Format: a.Format, Out: out, Sizes: a.Sizes, Weights: len(plan)}
	used := map[string]bool{}
	notes := map[string]bool{}
	for _, as := range plan {
		for _, s := range as.Sources {
			used[s] = true
		}
		if as.Note != "" && !notes[as.Note] {
			notes[as.Note] = true
			res.Notes = append(res.Notes, as.Note)
		}
	}
	res.Tensors = len(used)
	for _, p := range a.Model.Params() {
		res.Parameters += p.Size()
	}
	in := a.Model.Inputs()[0]
	res.Input = in.String()
	res.Output = fmtShape(a.Model.OutputShape())
	return res, nil
}

// writeImportSummary prints the result in a few lines.
func writeImportSummary(w io.Writer, r *importResult) {
	fmt.Fprintf(w, "imported %s (%s) as %s: %d tensors into %d weights, %d parameters\n",
		r.Torch, r.Format, r.Arch, r.Tensors, r.Weights, r.Parameters)
	keys := make([]string, 0, len(r.Sizes))
	for k := range r.Sizes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		v := r.Sizes[k]
		if len(v) == 1 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, v[0]))
		} else {
			parts = append(parts, fmt.Sprintf("%s=%s", k, strings.Trim(strings.ReplaceAll(fmt.Sprint(v), " ", ","), "[]")))
		}
	}
	fmt.Fprintf(w, "sizes: %s\n", strings.Join(parts, " "))
	fmt.Fprintf(w, "input: %s; output: %s\n", r.Input, r.Output)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "saved: %s\n", r.Out)
}
