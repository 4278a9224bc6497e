package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// MaxHeader is the largest header Read accepts (100 MB, as the reference
// implementation), so that a corrupt length cannot make it allocate without bound.
const MaxHeader = 100 << 20

// Tensor is one named tensor of a file.
type Tensor struct {
	Name  string
	Value *tensor.Dense
}

type entry struct {
	Dtype   string   `json:"dtype"`
	Shape   []int    `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

// Write writes tensors (float32 or float64, in the given order) and metadata. It
// adds to the metadata the checksums of the tensors and of the metadata
// (DataChecksumKey, MetadataChecksumKey), which Read verifies; metadata may not
// hold those keys itself.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header := map[string]interface{}{}
	meta := make(map[string]string, len(metadata)+2)
	for k, v := range metadata {
		if k == DataChecksumKey || k == MetadataChecksumKey {
			return errors.Errorf("safetensors: metadata key %q is reserved for the checksum Write records", k)
		}
		meta[k] = v
	}
	for _, t := range tensors {
		if t.Value == nil {
			return errors.Errorf("safetensors: tensor %q has no value", t.Name)
		}
	}
	var err error
	if meta[MetadataChecksumKey], err = metadataChecksum(checksumAlgorithm, meta); err != nil {
		return errors.Wrap(err, "safetensors")
	}
	if meta[DataChecksumKey], err = dataChecksum(checksumAlgorithm, meta[MetadataChecksumKey], tensors); err != nil {
		return errors.Wrap(err, "safetensors")
	}
	header["__metadata__"] = meta
	var off int64
	for _, t := range tensors {
		if _, dup := header[t.Name]; dup || t.Name == "__metadata__" || t.Name == "" {
			return errors.Errorf("safetensors: tensor name %q is empty, reserved or repeated", t.Name)
		}
		dt, size, err := dtypeOf(t.Value.Dtype())
		if err != nil {
			return errors.Wrapf(err, "safetensors: tensor %s", t.Name)
		}
		n := int64(t.Value.Shape().TotalSize()) * size
		shape := []int(t.Value.Shape().Clone())
		if t.Value.IsScalar() {
			shape = []int{}
		}
		header[t.Name] = entry{Dtype: dt, Shape: shape, Offsets: [2]int64{off, off + n}}
		off += n
	}
	h, err := json.Marshal(header)
	if err != nil {
		return errors.Wrap(err, "safetensors: header")
	}
	if pad := (8 - len(h)%8) % 8; pad > 0 {
		h = append(h, bytes.Repeat([]byte{' '}, pad)...)
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(h)))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return errors.Wrap(err, "safetensors: write")
	}
	if _, err := w.Write(h); err != nil {
		return errors.Wrap(err, "safetensors: write")
	}
	buf := make([]byte, 0, 1<<16)
	for _, t := range tensors {
		switch d := t.Value.Data().(type) {
		case float32: // a scalar
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(d))
		case float64:
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(d))
		case []float32:
			for _, v := range d {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
				if len(buf) >= 1<<16 {
					if _, err := w.Write(buf); err != nil {
						return errors.Wrap(err, "safetensors: write")
					}
					buf = buf[:0]
				}
			}
		case []float64:
			for _, v := range d {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
				if len(buf) >= 1<<16 {
					if _, err := w.Write(buf); err != nil {
						return errors.Wrap(err, "safetensors: write")
					}
					buf = buf[:0]
				}
			}
		}
	}
	if len(buf) > 0 {
		if _, err := w.Write(buf); err != nil {
			return errors.Wrap(err, "safetensors: write")
		}
	}
	return nil
}

// Read reads a whole file: its tensors (sorted by offset) and metadata. Every
// length, offset and shape is checked against the data actually present. When the
// metadata records checksums (files written by Write do), the tensors and the
// metadata are checked against them: a mismatch is an error saying which part is
// corrupt. Files without checksums (written by other tools, or by gokeras before
// checksums) are read as they are. The checksum keys are not in the metadata
// returned.
func Read(r io.Reader) ([]Tensor, map[string]string, error) {
	var lenBuf [8]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, nil, errors.Wrap(err, "safetensors: truncated before the header length")
	}
	hlen := binary.LittleEndian.Uint64(lenBuf[:])
	if hlen == 0 || hlen > MaxHeader {
		return nil, nil, errors.Errorf("safetensors: header length %d is not in (0, %d]", hlen, MaxHeader)
	}
	// Read what is there rather than allocating what a corrupt length announces.
	h, err := io.ReadAll(io.LimitReader(r, int64(hlen)))
	if err != nil || uint64(len(h)) != hlen {
		return nil, nil, errors.Errorf("safetensors: truncated header: %d bytes announced, %d present", hlen, len(h))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(h, &raw); err != nil {
		return nil, nil, errors.Wrap(err, "safetensors: header is not a JSON object")
	}
	var meta map[string]string
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, errors.Wrap(err, "safetensors: __metadata__ is not a map of strings")
		}
		delete(raw, "__metadata__")
	}
	type named struct {
		name string
		e    entry
	}
	entries := make([]named, 0, len(raw))
	for name, msg := range raw {
		var e entry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, nil, errors.Wrapf(err, "safetensors: tensor %s", name)
		}
		entries = append(entries, named{name, e})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].e.Offsets[0] < entries[j].e.Offsets[0] })
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, errors.Wrap(err, "safetensors: read data")
	}
	var end int64
	raws := make([]rawTensor, 0, len(entries))
	for _, ne := range entries {
		e := ne.e
		size, err := sizeOf(e.Dtype)
		if err != nil {
			return nil, nil, errors.Wrapf(err, "safetensors: tensor %s", ne.name)
		}
		n := int64(1)
		for _, d := range e.Shape {
			if d <= 0 || n > math.MaxInt32/int64(d) {
				return nil, nil, errors.Errorf("safetensors: tensor %s has an invalid shape %v", ne.name, e.Shape)
			}
			n *= int64(d)
		}
		if e.Offsets[0] != end || e.Offsets[1]-e.Offsets[0] != n*size {
			return nil, nil, errors.Errorf("safetensors: tensor %s: offsets %v do not follow the previous tensor (at %d) or do not match shape %v of %s",
				ne.name, e.Offsets, end, e.Shape, e.Dtype)
		}
		if e.Offsets[1] > int64(len(data)) {
			return nil, nil, errors.Errorf("safetensors: truncated: tensor %s ends at byte %d, the data has %d", ne.name, e.Offsets[1], len(data))
		}
		end = e.Offsets[1]
		raws = append(raws, rawTensor{name: ne.name, e: e, b: data[e.Offsets[0]:e.Offsets[1]]})
	}
	if end != int64(len(data)) {
		return nil, nil, errors.Errorf("safetensors: %d bytes of data after the last tensor", int64(len(data))-end)
	}
	if sum, ok := meta[MetadataChecksumKey]; ok {
		if err := verify("metadata", sum, func(alg string) (string, error) { return metadataChecksum(alg, meta) }); err != nil {
			return nil, nil, err
		}
	}
	if sum, ok := meta[DataChecksumKey]; ok {
		if err := verify("tensor data", sum, func(alg string) (string, error) { return dataChecksumRaw(alg, meta[MetadataChecksumKey], raws) }); err != nil {
			return nil, nil, err
		}
	}
	delete(meta, MetadataChecksumKey)
	delete(meta, DataChecksumKey)
	out := make([]Tensor, len(raws))
	for i, r := range raws {
		out[i] = Tensor{Name: r.name, Value: decode(r.e.Dtype, r.e.Shape, r.b)}
	}
	return out, meta, nil
}

func dtypeOf(dt tensor.Dtype) (string, int64, error) {
	switch dt {
	case tensor.Float32:
		return "F32", 4, nil
	case tensor.Float64:
		return "F64", 8, nil
	}
	return "", 0, errors.Errorf("dtype %v is not supported (want float32 or float64)", dt)
}

func sizeOf(dt string) (int64, error) {
	switch dt {
	case "F32":
		return 4, nil
	case "F64":
		return 8, nil
	}
	return 0, errors.Errorf("dtype %q is not supported (want F32 or F64)", dt)
}

func decode(dt string, shape []int, b []byte) *tensor.Dense {
	opts := []tensor.ConsOpt{}
	if len(shape) > 0 {
		opts = append(opts, tensor.WithShape(shape...))
	}
	if dt == "F32" {
		v := make([]float32, len(b)/4)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		if len(shape) == 0 {
			return tensor.New(tensor.FromScalar(v[0]))
		}
		return tensor.New(append(opts, tensor.WithBacking(v))...)
	}
	v := make([]float64, len(b)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	if len(shape) == 0 {
		return tensor.New(tensor.FromScalar(v[0]))
	}
	return tensor.New(append(opts, tensor.WithBacking(v))...)
}
