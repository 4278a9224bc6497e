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
// safetensors file whose metadata holds the architecture as JSON. The file is
// written to a temporary name and renamed, so a failure leaves the previous file.
func (s *Sequential) Save(path string) error {
	return atomicfile.Write(path, func(w io.Writer) error { return Encode(w, s, nil) })
}

// SaveTo writes the model to w (see Save).
func (s *Sequential) SaveTo(w io.Writer) error { return Encode(w, s, nil) }

// Encode writes a built model and extra (may be nil) to w in the safetensors
// format. Weights are stored under their parameter names ("dense/kernel"); Python's
// safetensors reads them.
func Encode(w io.Writer, s *Sequential, extra *Extra) error {
	if !s.Built() {
		return errors.New("save: the model is not built")
	}
	cfg := modelConfig{Class: "Sequential", Name: s.name, DType: s.dtype.String()}
	for i, l := range s.layers {
		c, ok := l.(Configurable)
		if !ok {
			return errors.Errorf("save: layer %d (%s, %s) has no Config method, so it cannot be saved", i, l.Name(), l.Type())
		}
		cfg.Layers = append(cfg.Layers, c.Config())
	}
	cj, err := json.Marshal(cfg)
	if err != nil {
		return errors.Wrap(err, "save: model config")
	}
	aj, err := json.Marshal(s.attachments)
	if err != nil {
		return errors.Wrap(err, "save: attachments")
	}
	meta := map[string]string{metaFormat: "gokeras", metaVersion: strconv.Itoa(FormatVersion), metaConfig: string(cj), metaAttachments: string(aj)}
	var ts []safetensors.Tensor
	names := map[string]bool{}
	for _, p := range s.Params() {
		ts = append(ts, safetensors.Tensor{Name: p.Name, Value: p.Value})
		names[p.Name] = true
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

type loadConfig struct{ custom map[string]LayerFactory }

// WithCustomLayer lets Load rebuild layers of a class this package does not know.
func WithCustomLayer(class string, f LayerFactory) LoadOption {
	return loadFunc(func(c *loadConfig) { c.custom[class] = f })
}

// Load reads a model saved by Save: it rebuilds the layers from the architecture,
// builds them, and sets every weight. A truncated or corrupt file, an unknown format
// version, an unknown layer class, a missing, extra or misshapen tensor is an error
// naming what is wrong.
func Load(path string, opts ...LoadOption) (*Sequential, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "load")
	}
	defer f.Close()
	m, _, err := Decode(bufio.NewReader(f), opts...)
	return m, errors.Wrapf(err, "%s", path)
}

// LoadFrom reads a model from r (see Load).
func LoadFrom(r io.Reader, opts ...LoadOption) (*Sequential, error) {
	m, _, err := Decode(r, opts...)
	return m, err
}

// Decode reads a model and what the file holds beside it (see Load).
func Decode(r io.Reader, opts ...LoadOption) (m *Sequential, extra *Extra, err error) {
	defer recoverTo(&err, "load")
	c := loadConfig{custom: map[string]LayerFactory{}}
	for _, o := range opts {
		o.applyLoad(&c)
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
	var cfg modelConfig
	if err := json.Unmarshal([]byte(meta[metaConfig]), &cfg); err != nil {
		return nil, nil, errors.Wrap(err, "load: model config")
	}
	if m, err = fromConfig(cfg, c.custom); err != nil {
		return nil, nil, err
	}
	if a := meta[metaAttachments]; a != "" && a != "null" {
		if err := json.Unmarshal([]byte(a), &m.attachments); err != nil {
			return nil, nil, errors.Wrap(err, "load: attachments")
		}
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

func fromConfig(cfg modelConfig, custom map[string]LayerFactory) (*Sequential, error) {
	if cfg.Class != "Sequential" {
		return nil, errors.Errorf("load: model class %q is not supported (want Sequential)", cfg.Class)
	}
	dt := tensor.Float32
	switch cfg.DType {
	case "float32":
	case "float64":
		dt = tensor.Float64
	default:
		return nil, errors.Errorf("load: dtype %q is not supported (want float32 or float64)", cfg.DType)
	}
	var ls []Layer
	for i, lc := range cfg.Layers {
		var l Layer
		var err error
		if f, ok := custom[lc.Class]; ok {
			l, err = f(lc)
		} else {
			l, err = builtinLayer(lc)
		}
		if err != nil {
			return nil, errors.Wrapf(err, "load: layer %d", i)
		}
		if l == nil {
			return nil, errors.Errorf("load: layer %d (%s) has unknown class %q (known: %s; pass others with WithCustomLayer)", i, lc.Name, lc.Class, knownClasses(custom))
		}
		ls = append(ls, l)
	}
	m := NewSequential(ls...)
	if cfg.Name != "" {
		m.name = cfg.Name
	}
	if err := m.Build(WithDType(dt)); err != nil {
		return nil, errors.Wrap(err, "load: build")
	}
	return m, nil
}

// setWeights copies the file's tensors into the model's parameters; tensors that
// are not parameters go to extra.
func setWeights(m *Sequential, ts []safetensors.Tensor, extra *Extra) error {
	byName := map[string]*tensor.Dense{}
	for _, t := range ts {
		byName[t.Name] = t.Value
	}
	for _, p := range m.Params() {
		t, ok := byName[p.Name]
		if !ok {
			return errors.Errorf("load: the file has no tensor %q (shape %v)", p.Name, p.Value.Shape())
		}
		if t.Dtype() != p.Value.Dtype() || !t.Shape().Eq(p.Value.Shape()) {
			return errors.Errorf("load: tensor %q is %v %v, the model needs %v %v", p.Name, t.Dtype(), t.Shape(), p.Value.Dtype(), p.Value.Shape())
		}
		switch d := p.Value.Data().(type) {
		case []float32:
			copy(d, t.Data().([]float32))
		case []float64:
			copy(d, t.Data().([]float64))
		}
		delete(byName, p.Name)
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
