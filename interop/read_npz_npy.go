package interop

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// maxNPYHeader bounds a .npy header (NumPy itself refuses more than 10000
// bytes unless told otherwise): 1 MiB.
const maxNPYHeader = 1 << 20

// npyHeader is what a .npy header says.
type npyHeader struct {
	dtype   string // PyTorch spelling
	order   binary.ByteOrder
	fortran bool
	shape   []int
}

// ReadNPY reads one NumPy .npy file (format versions 1, 2 and 3) into a Tensor
// named after the file without ".npy". Dtypes <f2, <f4, <f8, |i1, <i2, <i4,
// <i8, |u1 and |b1 are read, big-endian ones (">f4") too, widened to float64
// exactly; an array saved in Fortran order is transposed to row-major (Shape is
// the array's shape either way). Object arrays ('|O', pickled Python objects)
// are refused, as is any other dtype, naming it.
func ReadNPY(path string) (*Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "read npy file")
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, errors.Wrapf(err, "read npy file %s", path)
	}
	t, err := readNPY(f, strings.TrimSuffix(filepath.Base(path), ".npy"), st.Size())
	return t, errors.Wrap(err, path)
}

// ReadNPYFrom reads a .npy array from r (see ReadNPY) into a Tensor called
// name; memory grows with the bytes actually read.
func ReadNPYFrom(r io.Reader, name string) (*Tensor, error) {
	t, err := readNPY(r, name, -1)
	return t, errors.Wrapf(err, "npy %q", name)
}

// readNPY parses a .npy stream of size bytes (-1: unknown, read to its end).
func readNPY(r io.Reader, name string, size int64) (t *Tensor, err error) {
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, errors.Errorf("malformed npy data (%v)", p)
		}
	}()
	return decodeNPY(r, name, size)
}

// decodeNPY is readNPY without the recover (the fuzz target calls it so that
// a panic fails the fuzzer).
func decodeNPY(r io.Reader, name string, size int64) (*Tensor, error) {
	pre := make([]byte, 8)
	if _, err := io.ReadFull(r, pre); err != nil {
		return nil, errors.Wrap(err, "read the magic")
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return nil, errors.Errorf("not a .npy file: it starts with %q", pre[:6])
	}
	var hlen int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, errors.Wrap(err, "read the header length")
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, errors.Wrap(err, "read the header length")
		}
		n := binary.LittleEndian.Uint32(b[:])
		if n > maxNPYHeader {
			return nil, errors.Errorf("header of %d bytes, more than the %d allowed", n, maxNPYHeader)
		}
		hlen = int(n)
	default:
		return nil, errors.Errorf("npy format version %d.%d is not read (1, 2 and 3 are)", pre[6], pre[7])
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, errors.Wrapf(err, "read the %d-byte header", hlen)
	}
	h, err := parseNPYHeader(string(hdr))
	if err != nil {
		return nil, err
	}
	item := dtypeSize(h.dtype)
	dataLen := int64(-1)
	if size >= 0 {
		dataLen = size - int64(len(pre)) - int64(hlen) - 2
		if pre[6] > 1 {
			dataLen -= 2
		}
	}
	limit := 1 << 59 // values, so that limit·8 bytes fits an int64
	if dataLen >= 0 {
		limit = int(dataLen)
	}
	n, err := countValues(h.shape, limit)
	if err != nil {
		return nil, errors.Wrapf(err, "array of %s", h.dtype)
	}
	need := int64(n) * int64(item)
	if dataLen >= 0 && dataLen != need {
		return nil, errors.Errorf("shape %v of %s needs %d bytes of data, the file holds %d", h.shape, h.dtype, need, dataLen)
	}
	raw, err := io.ReadAll(io.LimitReader(r, need))
	if err != nil {
		return nil, errors.Wrap(err, "read the data")
	}
	if int64(len(raw)) != need {
		return nil, errors.Errorf("shape %v of %s needs %d bytes of data, the file holds %d", h.shape, h.dtype, need, len(raw))
	}
	return h.tensor(name, raw), nil
}

// tensor decodes raw (n values in h's dtype, byte order and memory order) into
// a row-major Tensor.
func (h *npyHeader) tensor(name string, raw []byte) *Tensor {
	dec := decoder(h.dtype, h.order)
	item := dtypeSize(h.dtype)
	vals := make([]float64, len(raw)/item)
	if !h.fortran || len(h.shape) < 2 {
		for i := range vals {
			vals[i] = dec(raw[i*item:])
		}
	} else {
		// Column-major strides: dimension 0 varies fastest.
		stride := make([]int, len(h.shape))
		s := 1
		for i := range h.shape {
			stride[i] = s
			s *= h.shape[i]
		}
		idx := make([]int, len(h.shape))
		for k := range vals {
			at := 0
			for i, j := range idx {
				at += j * stride[i]
			}
			vals[k] = dec(raw[at*item:])
			for i := len(idx) - 1; i >= 0; i-- {
				idx[i]++
				if idx[i] < h.shape[i] {
					break
				}
				idx[i] = 0
			}
		}
	}
	shape := append([]int{}, h.shape...)
	return &Tensor{Name: name, DType: h.dtype, Shape: shape, Data: vals}
}

// npyDTypes maps a .npy type code (without its byte-order character) to
// PyTorch's spelling.
var npyDTypes = map[string]string{
	"f2": "float16", "f4": "float32", "f8": "float64", "i1": "int8", "i2": "int16",
	"i4": "int32", "i8": "int64", "u1": "uint8", "b1": "bool",
}

// parseNPYHeader reads the Python dict literal of a .npy header:
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
func parseNPYHeader(s string) (*npyHeader, error) {
	p := &pyLiteral{s: strings.TrimRight(s, " \n\x00")}
	d, err := p.dict()
	if err != nil {
		return nil, errors.Wrapf(err, "header %q", s)
	}
	descr, ok := d["descr"].(string)
	if !ok {
		return nil, errors.Errorf("header %q: descr is not a string (structured arrays are not read)", s)
	}
	if strings.Contains(descr, "O") {
		return nil, errors.Errorf("an object array (descr %q, pickled Python objects) is not read", descr)
	}
	h := &npyHeader{order: binary.LittleEndian}
	if len(descr) >= 2 {
		switch descr[0] {
		case '<', '|', '=':
		case '>':
			h.order = binary.BigEndian
		default:
			descr = "?" + descr
		}
		h.dtype = npyDTypes[descr[1:]]
	}
	if h.dtype == "" {
		return nil, errors.Errorf("dtype %q is not read (<f2 <f4 <f8 |i1 <i2 <i4 <i8 |u1 |b1 and their > forms are)", descr)
	}
	if h.fortran, ok = d["fortran_order"].(bool); !ok {
		return nil, errors.Errorf("header %q: fortran_order is not True or False", s)
	}
	shape, ok := d["shape"].([]int)
	if !ok {
		return nil, errors.Errorf("header %q: shape is not a tuple of ints", s)
	}
	for _, v := range shape {
		if v < 0 {
			return nil, errors.Errorf("header %q: negative dimension in shape %v", s, shape)
		}
	}
	h.shape = shape
	return h, nil
}

// pyLiteral parses the small subset of Python literals .npy headers use: a
// dict of str keys to str, True/False and tuples of ints.
type pyLiteral struct {
	s   string
	pos int
}

func (p *pyLiteral) skip() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\n') {
		p.pos++
	}
}

func (p *pyLiteral) eat(c byte) bool {
	p.skip()
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *pyLiteral) dict() (map[string]interface{}, error) {
	if !p.eat('{') {
		return nil, errors.New("not a dict")
	}
	d := map[string]interface{}{}
	for !p.eat('}') {
		k, err := p.value()
		if err != nil {
			return nil, err
		}
		key, ok := k.(string)
		if !ok || !p.eat(':') {
			return nil, errors.Errorf("expected a str key and ':' at byte %d", p.pos)
		}
		if d[key], err = p.value(); err != nil {
			return nil, err
		}
		if !p.eat(',') {
			if !p.eat('}') {
				return nil, errors.Errorf("expected ',' or '}' at byte %d", p.pos)
			}
			break
		}
	}
	p.skip()
	if p.pos != len(p.s) {
		return nil, errors.Errorf("text after the dict at byte %d", p.pos)
	}
	return d, nil
}

func (p *pyLiteral) value() (interface{}, error) {
	p.skip()
	rest := p.s[p.pos:]
	switch {
	case strings.HasPrefix(rest, "True"):
		p.pos += 4
		return true, nil
	case strings.HasPrefix(rest, "False"):
		p.pos += 5
		return false, nil
	case strings.HasPrefix(rest, "'") || strings.HasPrefix(rest, "\""):
		end := strings.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return nil, errors.Errorf("unterminated string at byte %d", p.pos)
		}
		p.pos += end + 2
		return rest[1 : end+1], nil
	case p.eat('('):
		shape := []int{}
		for !p.eat(')') {
			p.skip()
			start := p.pos
			for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
				p.pos++
			}
			v, err := strconv.Atoi(p.s[start:p.pos])
			if err != nil {
				return nil, errors.Errorf("expected an int at byte %d", start)
			}
			shape = append(shape, v)
			if !p.eat(',') {
				if !p.eat(')') {
					return nil, errors.Errorf("expected ',' or ')' at byte %d", p.pos)
				}
				break
			}
		}
		return shape, nil
	}
	return nil, errors.Errorf("unexpected %q at byte %d", bytes.TrimSpace([]byte(rest[:min(len(rest), 10)])), p.pos)
}
