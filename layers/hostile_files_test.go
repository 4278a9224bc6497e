package layers_test

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gokeras/gokeras/internal/safetensors"
	"github.com/gokeras/gokeras/layers"
	"gorgonia.org/tensor"
)

// Hostile model files: small files whose architecture asks for far more than the
// file holds. Each is written by hand (metadata JSON and a small tensor table) with
// internal/safetensors, as an attacker would.

// hostileFile is a crafted model file.
type hostileFile struct {
	name string
	data []byte
	// want are fragments the load error must contain.
	want []string
}

// craft writes a gokeras model file of the given architecture JSON and tensors
// (name -> shape, filled with zeros, float32).
func craft(t testing.TB, arch string, shapes map[string][]int) []byte {
	t.Helper()
	var ts []safetensors.Tensor
	for _, name := range sortedNames(shapes) {
		s := shapes[name]
		n := 1
		for _, d := range s {
			n *= d
		}
		ts = append(ts, safetensors.Tensor{Name: name, Value: tensor.New(tensor.WithShape(s...), tensor.WithBacking(make([]float32, n)))})
	}
	meta := map[string]string{"format": "gokeras", "format_version": "1", "model_config": arch, "attachments": "null"}
	var buf bytes.Buffer
	if err := safetensors.Write(&buf, ts, meta); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sortedNames(m map[string][]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func seqArch(layers ...string) string {
	return `{"class_name":"Sequential","name":"sequential","dtype":"float32","layers":[` + strings.Join(layers, ",") + `]}`
}

func inputJSON(shape string) string {
	return `{"class_name":"InputLayer","name":"input_layer","config":{"shape":` + shape + `}}`
}

func denseJSON(name string, units string) string {
	return `{"class_name":"Dense","name":"` + name + `","config":{"units":` + units + `,"activation":"linear","use_bias":true,` +
		`"kernel_initializer":"glorot_uniform","bias_initializer":"zeros","kernel_regularizer":{"l1":0,"l2":0}}}`
}

func conv2DJSON(name string, filters, kernel string) string {
	return `{"class_name":"Conv2D","name":"` + name + `","config":{"activation":"relu","bias_initializer":"zeros","data_format":"channels_last",` +
		`"dilation_rate":[1,1],"filters":` + filters + `,"kernel_initializer":"glorot_uniform","kernel_regularizer":{"l1":0,"l2":0},` +
		`"kernel_size":` + kernel + `,"padding":"same","strides":[1,1],"use_bias":true}}`
}

// nestedResidual is depth Residual blocks, each the only layer of its parent's
// branch, around a Dense(2).
func nestedResidual(depth int) (string, map[string][]int) {
	inner := denseJSON("dense", "2")
	prefix := ""
	for i := 0; i < depth; i++ {
		prefix += fmt.Sprintf("r%d/", i)
	}
	// Short names: building prefixes each sub-layer with its block's name.
	for i := depth - 1; i >= 0; i-- {
		inner = `{"class_name":"Residual","name":"` + fmt.Sprintf("r%d", i) + `","config":{"activation":"linear","branch":[` + inner + `],"shortcut":[]}}`
	}
	return seqArch(inputJSON("[2]"), inner), map[string][]int{prefix + "dense/kernel": {2, 2}, prefix + "dense/bias": {2}}
}

// chainFunctional is a functional chain of n Activation layers, listed from the
// last to the first when reversed (a loader that makes the calls it can in passes
// over the list then makes only one per pass).
func chainFunctional(n int, reversed bool) string {
	var ls []string
	for k := 0; k < n; k++ {
		i := k
		if reversed {
			i = n - 1 - k
		}
		in := "in"
		if i > 0 {
			in = fmt.Sprintf("a%d", i-1)
		}
		ls = append(ls, fmt.Sprintf(`{"class_name":"Activation","name":"a%d","config":{"activation":"linear"},"inbound_nodes":[[["%s",0,0]]]}`, i, in))
	}
	ls = append(ls, `{"class_name":"InputLayer","name":"in","config":{"shape":[2]},"inbound_nodes":[]}`)
	if !reversed {
		ls = append(ls[len(ls)-1:], ls[:len(ls)-1]...)
	}
	return `{"class_name":"Functional","name":"f","dtype":"float32","layers":[` + strings.Join(ls, ",") +
		`],"input_layers":[["in",0,0]],"output_layers":[["a` + fmt.Sprint(n-1) + `",0,0]]}`
}

// manyLayers is a Sequential of n Activation layers.
func manyLayers(n int) string {
	ls := []string{inputJSON("[2]")}
	for i := 0; i < n; i++ {
		ls = append(ls, fmt.Sprintf(`{"class_name":"Activation","name":"a%d","config":{"activation":"linear"}}`, i))
	}
	return seqArch(ls...)
}

// hostileFiles are the cases of issue 11 item 6 and a few more of the same kind.
func hostileFiles(t testing.TB) []hostileFile {
	dense := map[string][]int{"dense/kernel": {4, 8}, "dense/bias": {8}}
	conv := map[string][]int{"conv2d/kernel": {3, 3, 2, 4}, "conv2d/bias": {4}}
	res, resT := nestedResidual(2000)
	res70, res70T := nestedResidual(70)
	return []hostileFile{
		{"Dense(3e7)", craft(t, seqArch(inputJSON("[4]"), denseJSON("dense", "30000000")), dense),
			[]string{"dense/kernel", "(4, 30000000)", "(4, 8)"}},
		{"Dense(1e9)", craft(t, seqArch(inputJSON("[4]"), denseJSON("dense", "1000000000")), dense),
			[]string{"dense/kernel", "(4, 1000000000)"}},
		{"Conv2D 1e9 filters", craft(t, seqArch(inputJSON("[6,6,2]"), conv2DJSON("conv2d", "1000000000", "[3,3]")), conv),
			[]string{"conv2d/kernel", "(3, 3, 2, 1000000000)"}},
		{"Conv2D 1e6x1e6 kernel", craft(t, seqArch(inputJSON("[6,6,2]"), conv2DJSON("conv2d", "4", "[1000000,1000000]")), conv),
			[]string{"conv2d/kernel", "(1000000, 1000000, 2, 4)"}},
		{"Input 2^32", craft(t, seqArch(inputJSON("[4294967296]"), denseJSON("dense", "8")), dense),
			[]string{"input_layer", "4294967296", "268435456"}},
		{"Input 2^32 no weights", craft(t, seqArch(inputJSON("[4294967296]"), `{"class_name":"Activation","name":"a","config":{"activation":"relu"}}`), nil),
			[]string{"input_layer", "4294967296"}},
		{"Residual 2000 deep", craft(t, res, resT), []string{"nested more than"}},
		{"Residual 70 deep", craft(t, res70, res70T), []string{`layer "r0" (Residual): layer "r64" (Residual): models and Residual blocks nested more than 64 deep`}},
		{"Conv2D 64x64 kernel on 2048x2048", craft(t, seqArch(inputJSON("[2048,2048,1]"), conv2DJSON("conv2d", "1", "[64,64]")),
			map[string][]int{"conv2d/kernel": {64, 64, 1, 1}, "conv2d/bias": {1}}),
			[]string{"conv2d", "im2col", "17179869184 values per example"}},
		{"ZeroPadding2D 1e9", craft(t, seqArch(inputJSON("[6,6,2]"),
			`{"class_name":"ZeroPadding2D","name":"zp","config":{"padding":[[1000000000,1000000000],[1000000000,1000000000]],"data_format":"channels_last"}}`,
			`{"class_name":"GlobalMaxPooling2D","name":"gp","config":{"data_format":"channels_last"}}`), nil),
			[]string{"zp", "values per example"}},
		{"Reshape overflow", craft(t, seqArch(inputJSON("[4]"),
			`{"class_name":"Reshape","name":"rs","config":{"target_shape":[4611686018427387905,4]}}`), nil),
			[]string{"rs", "target_shape", "not in [1, 2147483647]"}},
		{"Embedding(1e9, 1e3)", craft(t, `{"class_name":"Functional","name":"f","dtype":"float32","layers":[`+
			`{"class_name":"InputLayer","name":"ids","config":{"shape":[1],"dtype":"int64"},"inbound_nodes":[]},`+
			`{"class_name":"Embedding","name":"emb","config":{"input_dim":1000000000,"output_dim":1000,"mask_zero":false,"embeddings_initializer":"random_uniform"},"inbound_nodes":[[["ids",0,0]]]}],`+
			`"input_layers":[["ids",0,0]],"output_layers":[["emb",0,0]]}`, map[string][]int{"emb/embeddings": {10, 4}}),
			[]string{"emb/embeddings", "(1000000000, 1000)"}},
		{"CategoryEncoding(2e9)", craft(t, `{"class_name":"Functional","name":"f","dtype":"float32","layers":[`+
			`{"class_name":"InputLayer","name":"ids","config":{"shape":[1],"dtype":"int64"},"inbound_nodes":[]},`+
			`{"class_name":"CategoryEncoding","name":"ce","config":{"num_tokens":2000000000,"output_mode":"one_hot"},"inbound_nodes":[[["ids",0,0]]]}],`+
			`"input_layers":[["ids",0,0]],"output_layers":[["ce",0,0]]}`, nil),
			[]string{"ce", "values per example"}},
		{"StringLookup duplicate vocabulary", craft(t, `{"class_name":"Functional","name":"f","dtype":"float32","layers":[`+
			`{"class_name":"InputLayer","name":"s","config":{"shape":[1],"dtype":"string"},"inbound_nodes":[]},`+
			`{"class_name":"StringLookup","name":"lk","config":{"vocabulary":["a","b","a"],"num_oov_indices":1,"max_tokens":0},"inbound_nodes":[[["s",0,0]]]}],`+
			`"input_layers":[["s",0,0]],"output_layers":[["lk",0,0]]}`, nil),
			[]string{"lk", `"a" is listed twice`}},
		{"Normalization weights of another size", craft(t, seqArch(inputJSON("[4]"),
			`{"class_name":"Normalization","name":"norm","config":{"axis":-1,"invert":false}}`),
			map[string][]int{"norm/mean": {1000}, "norm/variance": {1000}}),
			[]string{"norm/mean", "(4)", "(1000)"}},
		{"Normalization on another axis", craft(t, seqArch(inputJSON("[4]"),
			`{"class_name":"Normalization","name":"norm","config":{"axis":0,"invert":false}}`),
			map[string][]int{"norm/mean": {4}, "norm/variance": {4}}),
			[]string{"norm", "axis", "only -1"}},
		{"Functional 20000 reversed", craft(t, chainFunctional(20000, true), nil), []string{"more than 10000 layers"}},
		{"Sequential 10001 layers", craft(t, manyLayers(10001), nil), []string{"more than 10000 layers"}},
	}
}

// TestLoadHostileFiles: each crafted file fails fast with a clear error, having
// allocated little (issue 11 item 6: Dense(3e7) took 1.8 GB and 16 s; Dense(1e9),
// Conv2D with 1e9 filters or a 1e6x1e6 kernel, an input of 2^32 crashed the
// process out of memory; Residual blocks 2,000 deep took 3 GB and a minute; a
// functional model listed backwards took time quadratic in its layers).
func TestLoadHostileFiles(t *testing.T) {
	for _, f := range hostileFiles(t) {
		t.Run(strings.ReplaceAll(f.name, " ", "_"), func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			m, err := layers.LoadFrom(bytes.NewReader(f.data))
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d-byte file: %v, %.1f MB allocated: %v", len(f.data), took.Round(time.Millisecond), float64(alloc)/1e6, err)
			if err == nil {
				t.Fatalf("loaded a model of %d layers without error", len(m.Layers()))
			}
			for _, w := range f.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if len(err.Error()) > 400 {
				t.Errorf("error of %d bytes: %.400s...", len(err.Error()), err)
			}
			// Loading may cost a small multiple of the file, never what the file
			// only declares.
			if limit := uint64(4<<20 + 50*len(f.data)); alloc > limit {
				t.Errorf("allocated %d bytes for a %d-byte file (limit %d)", alloc, len(f.data), limit)
			}
			if limit := 200*time.Millisecond + time.Duration(len(f.data))*200*time.Millisecond/(1<<20); took > limit {
				t.Errorf("took %v (limit %v)", took, limit)
			}
		})
	}
}

// TestMaxActivationValues: WithMaxActivationValues lowers (or raises) the bound on
// every tensor of a loaded model; the bound itself is checked.
func TestMaxActivationValues(t *testing.T) {
	_, data := savedModel(t) // Input(4), Dense(8), ...: at most 8 values per example
	if _, err := layers.LoadFrom(bytes.NewReader(data), layers.WithMaxActivationValues(8)); err != nil {
		t.Fatal(err)
	}
	_, err := layers.LoadFrom(bytes.NewReader(data), layers.WithMaxActivationValues(7))
	if err == nil || !strings.Contains(err.Error(), "layer dense: shape (8) holds 8 values per example, more than the 7") {
		t.Errorf("limit 7: %v", err)
	}
	_, err = layers.LoadFrom(bytes.NewReader(data), layers.WithMaxActivationValues(3))
	if err == nil || !strings.Contains(err.Error(), "input shape (4)") {
		t.Errorf("limit 3: %v", err)
	}
	for _, n := range []int{0, 1 << 31} {
		if _, err := layers.LoadFrom(bytes.NewReader(data), layers.WithMaxActivationValues(n)); err == nil || !strings.Contains(err.Error(), "WithMaxActivationValues") {
			t.Errorf("limit %d: %v", n, err)
		}
	}
}

// TestLoadOrderIsLinear: a functional file lists its layers in any order; loading
// one listed backwards costs about what loading it in order does (it was
// quadratic: 20,000 layers backwards took 17 s).
func TestLoadOrderIsLinear(t *testing.T) {
	const n = layers.MaxLoadLayers - 1
	fwd, rev := craft(t, chainFunctional(n, false), nil), craft(t, chainFunctional(n, true), nil)
	best := func(data []byte) time.Duration {
		var b time.Duration
		for i := 0; i < 3; i++ {
			start := time.Now()
			m, err := layers.LoadFrom(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Layers()) != n+1 {
				t.Fatalf("%d layers loaded, want %d", len(m.Layers()), n+1)
			}
			if d := time.Since(start); i == 0 || d < b {
				b = d
			}
		}
		return b
	}
	f, r := best(fwd), best(rev)
	t.Logf("%d layers in order: %v, backwards: %v", n, f, r)
	if r > 3*f+50*time.Millisecond {
		t.Errorf("backwards took %v, in order %v", r, f)
	}
}
