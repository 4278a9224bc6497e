package layers

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"sort"
	"strconv"

	"github.com/gokeras/gokeras/internal/atomicfile"
	"github.com/gokeras/gokeras/internal/safetensors"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// FormatVersion is the version of the model file format written by Save. Load
// reads this version and refuses others with a clear error.
const FormatVersion = 1

// Metadata keys of a model file; the rest of the metadata belongs to Extra.
const (
	metaFormat      = "format"
	metaVersion     = "format_version"
	metaConfig      = "model_config"
	metaAttachments = "attachments"
)

// Extra is what a model file holds beside the model: tensors (an optimizer's state)
// and metadata strings (the epoch, the learning rate), written by trainers.
type Extra struct {
	Tensors  map[string]*tensor.Dense
	Metadata map[string]string
}

// modelConfig is the architecture part of a file.
type modelConfig struct {
	Class  string        `json:"class_name"`
	Name   string        `json:"name"`
	DType  string        `json:"dtype"`
	Layers []LayerConfig `json:"layers"`
}

// Save writes the model (architecture, weights, attachments) to path, one
// safetensors file whose metadata holds the architecture as JSON and the checksums
// Load verifies. The file is written to a temporary name beside it, synced and
// renamed, so a failure leaves the previous file. If path is a symbolic link, the
// file it points to is replaced and the link stays; an existing file keeps its
// permissions, a new one gets 0666 less the umask; temporary files left by a
// save that was killed are removed by the next save of the same path.
func (s *Sequential) Save(path string) error {
	return atomicfile.Write(path, func(w io.Writer) error { return Encode(w, s, nil) })
}

// SaveTo writes the model to w (see Save).
func (s *Sequential) SaveTo(w io.Writer) error { return Encode(w, s, nil) }

// Save writes the model (architecture as Keras' functional config with every
// layer's inbound connections, weights, attachments) to path, atomically (see
// Sequential.Save for links, permissions and checksums).
func (m *Functional) Save(path string) error {
	return atomicfile.Write(path, func(w io.Writer) error { return Encode(w, m, nil) })
}

// SaveTo writes the model to w (see Save).
func (m *Functional) SaveTo(w io.Writer) error { return Encode(w, m, nil) }

// architecture returns the JSON architecture and the attachments of a built model.
func architecture(m Model) (arch []byte, attachments map[string]json.RawMessage, err error) {
	switch s := m.(type) {
	case *Sequential:
		cfg := modelConfig{Class: "Sequential", Name: s.Name(), DType: s.DType().String()}
		for i, l := range s.layers {
			c, err := configOf(l)
			if err != nil {
				return nil, nil, errors.Wrapf(err, "save: layer %d", i)
			}
			cfg.Layers = append(cfg.Layers, c)
		}
		arch, err = json.Marshal(cfg)
		return arch, s.attachments, errors.Wrap(err, "save: model config")
	case *Functional:
		fc, err := s.functionalConfig()
		if err != nil {
			return nil, nil, errors.Wrap(err, "save")
		}
		arch, err = json.Marshal(fc)
		return arch, s.attachments, errors.Wrap(err, "save: model config")
	}
	return nil, nil, errors.Errorf("save: model %T is neither *Sequential nor *Functional", m)
}

// Encode writes a built model and extra (may be nil) to w in the safetensors
// format. Weights are stored under their parameter names ("dense/kernel"); Python's
// safetensors reads them.
func Encode(w io.Writer, m Model, extra *Extra) error {
	if m == nil || !m.Built() {
		return errors.New("save: the model is not built")
	}
	cj, att, err := architecture(m)
	if err != nil {
		return err
	}
	aj, err := json.Marshal(att)
	if err != nil {
		return errors.Wrap(err, "save: attachments")
	}
	meta := map[string]string{metaFormat: "gokeras", metaVersion: strconv.Itoa(FormatVersion), metaConfig: string(cj), metaAttachments: string(aj)}
	paths, err := WeightPaths(m)
	if err != nil {
		return errors.Wrap(err, "save")
	}
	var ts []safetensors.Tensor
	names := map[string]bool{}
	for _, p := range m.Params() {
		ts = append(ts, safetensors.Tensor{Name: paths[p], Value: p.Value})
		names[paths[p]] = true
	}
	if extra != nil {
		for k, v := range extra.Metadata {
			if _, taken := meta[k]; taken {
				return errors.Errorf("save: extra metadata key %q is reserved", k)
			}
			meta[k] = v
		}
		for _, k := range sortedKeys(extra.Tensors) {
			if names[k] {
				return errors.Errorf("save: extra tensor %q has the name of a parameter", k)
			}
			ts = append(ts, safetensors.Tensor{Name: k, Value: extra.Tensors[k]})
		}
	}
	bw := bufio.NewWriter(w)
	if err := safetensors.Write(bw, ts, meta); err != nil {
		return errors.Wrap(err, "save")
	}
	return errors.Wrap(bw.Flush(), "save")
}

// LoadOption sets how a model is loaded.
type LoadOption interface{ applyLoad(*loadConfig) }

type loadFunc func(*loadConfig)

func (f loadFunc) applyLoad(c *loadConfig) { f(c) }

type loadConfig struct {
	custom        map[string]LayerFactory
	maxActivation int
}

// WithCustomLayer lets Load rebuild layers of a class this package does not know.
func WithCustomLayer(class string, f LayerFactory) LoadOption {
	return loadFunc(func(c *loadConfig) { c.custom[class] = f })
}

// Load reads a model saved by Save: it rebuilds the layers from the architecture,
// builds them, and sets every weight. A truncated or corrupt file, an unknown format
// version, an unknown layer class, a missing, extra or misshapen tensor is an error
// naming what is wrong.
//
// Files written by Save carry checksums of their tensors and of their metadata
// (architecture, attachments, training state): a file whose bytes changed since is
// refused as corrupt. Files without checksums (written before they were added)
// load as before.
//
// A model file is not trusted: before any layer is built, its architecture is
// checked against MaxLoadLayers, MaxLoadCalls, MaxLoadRefs, MaxLoadConfigBytes and
// the nesting limit, and its inputs against WithMaxActivationValues; every weight
// is compared with the file's tensor of that name before it is allocated, and
// every tensor the model computes is checked against WithMaxActivationValues
// before the model is returned. So loading costs about what the file holds, and a
// loaded model cannot ask for tensors beyond those limits.
func Load(path string, opts ...LoadOption) (Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "load")
	}
	defer f.Close()
	m, _, err := Decode(bufio.NewReader(f), opts...)
	return m, errors.Wrapf(err, "%s", path)
}

// LoadFrom reads a model from r (see Load).
func LoadFrom(r io.Reader, opts ...LoadOption) (Model, error) {
	m, _, err := Decode(r, opts...)
	return m, err
}

// Decode reads a model and what the file holds beside it (see Load).
func Decode(r io.Reader, opts ...LoadOption) (m Model, extra *Extra, err error) {
	defer recoverTo(&err, "load")
	c := loadConfig{custom: map[string]LayerFactory{}, maxActivation: DefaultMaxActivationValues}
	for _, o := range opts {
		if o != nil {
			o.applyLoad(&c)
		}
	}
	if c.maxActivation < 1 || c.maxActivation > maxActivationValues {
		return nil, nil, errors.Errorf("load: WithMaxActivationValues(%d) is not in [1, %d]", c.maxActivation, maxActivationValues)
	}
	ts, meta, err := safetensors.Read(r)
	if err != nil {
		return nil, nil, errors.Wrap(err, "load")
	}
	if meta[metaFormat] != "gokeras" {
		return nil, nil, errors.New("load: not a gokeras model file (no \"format\": \"gokeras\" in its metadata)")
	}
	if v := meta[metaVersion]; v != strconv.Itoa(FormatVersion) {
		return nil, nil, errors.Errorf("load: model file format version %q is not supported (this gokeras reads version %d)", v, FormatVersion)
	}
	var att map[string]json.RawMessage
	if a := meta[metaAttachments]; a != "" && a != "null" {
		if err := json.Unmarshal([]byte(a), &att); err != nil {
			return nil, nil, errors.Wrap(err, "load: attachments")
		}
	}
	arch := []byte(meta[metaConfig])
	if err := checkArchitecture(arch, defaultArchLimits(c.maxActivation)); err != nil {
		return nil, nil, errors.Wrap(err, "load: model config")
	}
	if m, err = fromConfig(arch, registry{custom: c.custom}, att, ts, c.maxActivation); err != nil {
		return nil, nil, err
	}
	extra = &Extra{Tensors: map[string]*tensor.Dense{}, Metadata: map[string]string{}}
	for k, v := range meta {
		switch k {
		case metaFormat, metaVersion, metaConfig, metaAttachments:
		default:
			extra.Metadata[k] = v
		}
	}
	if err := setWeights(m, ts, extra); err != nil {
		return nil, nil, err
	}
	return m, extra, nil
}

// fromConfig rebuilds and builds the model of a file's architecture JSON. Every
// weight is checked against the file's tensors ts before it is made, and every
// tensor of the built model against maxActivation values per example.
func fromConfig(arch []byte, reg registry, att map[string]json.RawMessage, ts []safetensors.Tensor, maxActivation int) (Model, error) {
	var head struct {
		Class string `json:"class_name"`
		DType string `json:"dtype"`
	}
	if err := json.Unmarshal(arch, &head); err != nil {
		return nil, errors.Wrap(err, "load: model config")
	}
	dt := tensor.Float32
	switch head.DType {
	case "float32":
	case "float64":
		dt = tensor.Float64
	default:
		return nil, errors.Errorf("load: dtype %q is not supported (want float32 or float64)", head.DType)
	}
	var m Model
	switch head.Class {
	case "Sequential":
		var cfg modelConfig
		if err := json.Unmarshal(arch, &cfg); err != nil {
			return nil, errors.Wrap(err, "load: model config")
		}
		s, err := reg.sequential(cfg)
		if err != nil {
			return nil, errors.Wrap(err, "load")
		}
		s.attachments = att
		m = s
	case "Functional":
		var fc functionalConfig
		if err := json.Unmarshal(arch, &fc); err != nil {
			return nil, errors.Wrap(err, "load: model config")
		}
		f, err := reg.functional(fc)
		if err != nil {
			return nil, errors.Wrap(err, "load")
		}
		f.attachments = att
		m = f
	default:
		return nil, errors.Errorf("load: model class %q is not supported (want Sequential or Functional)", head.Class)
	}
	plan := make(weightPlan, len(ts))
	for _, t := range ts {
		plan[t.Name] = t.Value
	}
	if err := m.Build(WithDType(dt), withWeightPlan(plan)); err != nil {
		return nil, errors.Wrap(err, "load: build")
	}
	if err := checkActivations(m, maxActivation); err != nil {
		return nil, errors.Wrap(err, "load")
	}
	return m, nil
}

// setWeights copies the file's tensors into the model's parameters; tensors that
// are not parameters go to extra.
func setWeights(m Model, ts []safetensors.Tensor, extra *Extra) error {
	byName := map[string]*tensor.Dense{}
	for _, t := range ts {
		byName[t.Name] = t.Value
	}
	paths, err := WeightPaths(m)
	if err != nil {
		return errors.Wrap(err, "load")
	}
	for _, p := range m.Params() {
		name := paths[p]
		t, ok := byName[name]
		if !ok {
			return errors.Errorf("load: the file has no tensor %q (shape %v)", name, p.Value.Shape())
		}
		if t.Dtype() != p.Value.Dtype() || !t.Shape().Eq(p.Value.Shape()) {
			return errors.Errorf("load: tensor %q is %v %v, the model needs %v %v", name, t.Dtype(), t.Shape(), p.Value.Dtype(), p.Value.Shape())
		}
		switch d := p.Value.Data().(type) {
		case []float32:
			copy(d, t.Data().([]float32))
		case []float64:
			copy(d, t.Data().([]float64))
		}
		delete(byName, name)
	}
	for k, v := range byName {
		extra.Tensors[k] = v
	}
	return nil
}

func sortedKeys(m map[string]*tensor.Dense) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
