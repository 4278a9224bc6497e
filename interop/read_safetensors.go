package interop

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"sort"

	"github.com/pkg/errors"
)

// maxSafetensorsHeader is the largest JSON header read: 100 MB, the limit of
// the reference (Rust) implementation.
const maxSafetensorsHeader = 100_000_000

// safetensorsDTypes maps safetensors' dtype codes to PyTorch's spelling.
var safetensorsDTypes = map[string]string{
	"F16": "float16", "BF16": "bfloat16", "F32": "float32", "F64": "float64",
	"I8": "int8", "I16": "int16", "I32": "int32", "I64": "int64", "U8": "uint8", "BOOL": "bool",
}

// ReadSafetensors reads every tensor of a safetensors file (Hugging Face's
// format: an 8-byte little-endian header length, a JSON header naming each
// tensor's dtype, shape and [begin, end) data offsets, then the data). Dtypes
// F16, BF16, F32, F64, I8, I16, I32, I64, U8 and BOOL are read, widened to
// float64 exactly, with DType in PyTorch's spelling ("bfloat16"); other dtypes
// are an error naming the tensor. The header is limited to 100 MB; the offsets
// must tile the data exactly (contiguous, from 0 to the end of the file) and
// each tensor's byte count must match its shape and dtype. Names come in file
// order (by data offset); the "__metadata__" entry is checked to be strings and
// otherwise ignored. gokeras' own model files (layers.Save) are safetensors
// files too: their weights read as plain tensors named by weight path
// ("dense/kernel").
func ReadSafetensors(path string) (*StateDict, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "read safetensors file")
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, errors.Wrapf(err, "read safetensors file %s", path)
	}
	sd, err := readSafetensors(f, st.Size())
	return sd, errors.Wrap(err, path)
}

// ReadSafetensorsFrom reads a safetensors file from r up to its end (see
// ReadSafetensors); memory grows with the bytes actually read, not with what
// the header claims. Errors name the input "safetensors".
func ReadSafetensorsFrom(r io.Reader) (*StateDict, error) {
	sd, err := readSafetensors(r, -1)
	return sd, errors.Wrap(err, "safetensors")
}

// safetensorsEntry is one tensor of the header.
type safetensorsEntry struct {
	name    string
	DType   string  `json:"dtype"`
	Shape   []int   `json:"shape"`
	Offsets []int64 `json:"data_offsets"`
}

// readSafetensors reads from r; size is the whole input's length, or -1 when
// unknown (then the data runs to r's end).
func readSafetensors(r io.Reader, size int64) (sd *StateDict, err error) {
	defer func() {
		if p := recover(); p != nil {
			sd, err = nil, errors.Errorf("malformed safetensors file (%v)", p)
		}
	}()
	return decodeSafetensors(r, size)
}

// decodeSafetensors is readSafetensors without the recover (the fuzz target
// calls it so that a panic fails the fuzzer).
func decodeSafetensors(r io.Reader, size int64) (*StateDict, error) {
	var lenBuf [8]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, errors.Wrap(err, "read the header length")
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > maxSafetensorsHeader || (size >= 0 && n > uint64(size-8)) {
		return nil, errors.Errorf("header length %d is beyond the limit (%d) or the file", n, maxSafetensorsHeader)
	}
	hdr := make([]byte, n)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, errors.Wrapf(err, "read the %d-byte header", n)
	}
	entries, err := parseSafetensorsHeader(hdr)
	if err != nil {
		return nil, err
	}
	var end int64
	if len(entries) > 0 {
		end = entries[len(entries)-1].Offsets[1]
	}
	if size >= 0 && end != size-8-int64(n) {
		return nil, errors.Errorf("the tensors cover %d bytes of data, the file holds %d", end, size-8-int64(n))
	}
	data, err := io.ReadAll(io.LimitReader(r, end))
	if err != nil {
		return nil, errors.Wrap(err, "read the data")
	}
	if int64(len(data)) != end {
		return nil, errors.Errorf("the tensors cover %d bytes of data, the file holds %d", end, len(data))
	}
	if size < 0 {
		if m, _ := r.Read(make([]byte, 1)); m > 0 {
			return nil, errors.Errorf("bytes follow the %d bytes of data the tensors cover", end)
		}
	}
	sd := NewStateDict()
	for _, e := range entries {
		dt := safetensorsDTypes[e.DType]
		dec := decoder(dt, binary.LittleEndian)
		item := dtypeSize(dt)
		raw := data[e.Offsets[0]:e.Offsets[1]]
		vals := make([]float64, len(raw)/item)
		for i := range vals {
			vals[i] = dec(raw[i*item:])
		}
		if err := sd.Add(&Tensor{Name: e.name, DType: dt, Shape: e.Shape, Data: vals}); err != nil {
			return nil, err
		}
	}
	return sd, nil
}

// parseSafetensorsHeader decodes and checks the JSON header, returning the
// tensors by data offset.
func parseSafetensorsHeader(hdr []byte) ([]*safetensorsEntry, error) {
	dec := json.NewDecoder(bytes.NewReader(hdr))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("header is not a JSON object")
	}
	var entries []*safetensorsEntry
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errors.Wrap(err, "header")
		}
		name, _ := tok.(string)
		if seen[name] {
			return nil, errors.Errorf("header names %q twice", name)
		}
		seen[name] = true
		if name == "__metadata__" {
			var meta map[string]string
			if err := dec.Decode(&meta); err != nil {
				return nil, errors.Wrap(err, "header: __metadata__ is not a map of strings")
			}
			continue
		}
		e := &safetensorsEntry{name: name}
		if err := dec.Decode(e); err != nil {
			return nil, errors.Wrapf(err, "header: tensor %q", name)
		}
		if err := e.check(); err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errors.New("header: the JSON object is not closed")
	}
	if dec.More() {
		return nil, errors.New("header: text after the JSON object")
	}
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := entries[i].Offsets, entries[j].Offsets
		return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1])
	})
	var at int64
	for _, e := range entries {
		if e.Offsets[0] != at {
			return nil, errors.Errorf("tensor %q starts at data byte %d, want %d (offsets must be contiguous)", e.name, e.Offsets[0], at)
		}
		at = e.Offsets[1]
	}
	return entries, nil
}

// check validates one header entry: a known dtype, a shape whose values fill
// exactly its [begin, end) bytes.
func (e *safetensorsEntry) check() error {
	dt, ok := safetensorsDTypes[e.DType]
	if !ok {
		return errors.Errorf("tensor %q: dtype %q is not read (F16, BF16, F32, F64, I8, I16, I32, I64, U8, BOOL are)", e.name, e.DType)
	}
	if len(e.Offsets) != 2 || e.Offsets[0] < 0 || e.Offsets[1] < e.Offsets[0] {
		return errors.Errorf("tensor %q: data_offsets %v are not [begin, end] with 0 <= begin <= end", e.name, e.Offsets)
	}
	if e.Shape == nil {
		e.Shape = []int{}
	}
	bytes := e.Offsets[1] - e.Offsets[0]
	n, err := countValues(e.Shape, int(bytes))
	if err != nil {
		return errors.Errorf("tensor %q: shape %v needs more than its %d bytes", e.name, e.Shape, bytes)
	}
	if int64(n*dtypeSize(dt)) != bytes {
		return errors.Errorf("tensor %q: shape %v of %s needs %d bytes, data_offsets %v give %d", e.name, e.Shape, e.DType, n*dtypeSize(dt), e.Offsets, bytes)
	}
	return nil
}
