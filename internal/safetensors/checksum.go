package safetensors

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"math"
	"sort"
	"strings"
	"unsafe"

	"github.com/pkg/errors"
)

// Metadata keys of the checksums Write records and Read verifies. Read removes
// them from the metadata it returns.
const (
	// DataChecksumKey holds the checksum of the tensors: each tensor's name,
	// dtype, shape and bytes, taken in the order of the names (so that a tool
	// that rewrites the file in another tensor order keeps it valid), and of the
	// metadata checksum.
	DataChecksumKey = "data_checksum"
	// MetadataChecksumKey holds the checksum of the other metadata entries (the
	// architecture, attachments, training state), taken in the order of the keys.
	MetadataChecksumKey = "metadata_checksum"
)

// checksumAlgorithm is what Write records: CRC-32C (Castagnoli), computed in
// hardware on amd64 and arm64. It detects every error of up to 32 consecutive
// bits and misses a random corruption with probability 2^-32; it is not a
// signature (anyone who edits a file can recompute it). Read also verifies
// "sha256:" checksums.
const checksumAlgorithm = "crc32c"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func newHash(alg string) (hash.Hash, error) {
	switch alg {
	case "crc32c":
		return crc32.New(castagnoli), nil
	case "sha256":
		return sha256.New(), nil
	}
	return nil, errors.Errorf("checksum algorithm %q is not supported (want crc32c or sha256)", alg)
}

// digest is a running checksum over length-prefixed fields.
type digest struct {
	alg string
	h   hash.Hash
	buf []byte
}

func newDigest(alg string) (*digest, error) {
	h, err := newHash(alg)
	if err != nil {
		return nil, err
	}
	return &digest{alg: alg, h: h, buf: make([]byte, 0, 1<<16)}, nil
}

func (d *digest) flush() {
	d.h.Write(d.buf)
	d.buf = d.buf[:0]
}

func (d *digest) uint(v uint64) {
	d.buf = binary.AppendUvarint(d.buf, v)
	if len(d.buf) >= 1<<16-16 {
		d.flush()
	}
}

func (d *digest) str(s string) {
	d.uint(uint64(len(s)))
	d.flush()
	d.h.Write([]byte(s))
}

func (d *digest) header(name, dtype string, shape []int, nbytes int64) {
	d.str(name)
	d.str(dtype)
	d.uint(uint64(len(shape)))
	for _, s := range shape {
		d.uint(uint64(s))
	}
	d.uint(uint64(nbytes))
}

// littleEndian reports whether this machine stores numbers as the file does, so
// that a tensor's memory can be hashed as it is.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// float32s hashes v as the file stores it (little-endian).
func (d *digest) float32s(v []float32) {
	d.flush()
	if len(v) == 0 {
		return
	}
	if littleEndian {
		d.h.Write(unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v)))
		return
	}
	buf := d.buf[:cap(d.buf)]
	for len(v) > 0 {
		n := min(len(v), len(buf)/4)
		for i, x := range v[:n] {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
		}
		d.h.Write(buf[:4*n])
		v = v[n:]
	}
}

// float64s hashes v as the file stores it (little-endian).
func (d *digest) float64s(v []float64) {
	d.flush()
	if len(v) == 0 {
		return
	}
	if littleEndian {
		d.h.Write(unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 8*len(v)))
		return
	}
	buf := d.buf[:cap(d.buf)]
	for len(v) > 0 {
		n := min(len(v), len(buf)/8)
		for i, x := range v[:n] {
			binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(x))
		}
		d.h.Write(buf[:8*n])
		v = v[n:]
	}
}

func (d *digest) sum() string {
	d.flush()
	return d.alg + ":" + hex.EncodeToString(d.h.Sum(nil))
}

// metadataChecksum is the checksum of every metadata entry but the checksums.
func metadataChecksum(alg string, meta map[string]string) (string, error) {
	d, err := newDigest(alg)
	if err != nil {
		return "", err
	}
	keys := make([]string, 0, len(meta))
	for k := range meta {
		if k != DataChecksumKey && k != MetadataChecksumKey {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	d.uint(uint64(len(keys)))
	for _, k := range keys {
		d.str(k)
		d.str(meta[k])
	}
	return d.sum(), nil
}

// dataChecksum is the checksum of the tensors to be written. It covers the
// metadata's checksum too, so that a file that lost its metadata checksum (a
// flipped byte in that key) fails this one.
func dataChecksum(alg, metaSum string, tensors []Tensor) (string, error) {
	d, err := newDigest(alg)
	if err != nil {
		return "", err
	}
	d.str(metaSum)
	order := make([]int, len(tensors))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return tensors[order[a]].Name < tensors[order[b]].Name })
	d.uint(uint64(len(tensors)))
	for _, i := range order {
		t := tensors[i]
		dt, size, err := dtypeOf(t.Value.Dtype())
		if err != nil {
			return "", errors.Wrapf(err, "tensor %s", t.Name)
		}
		shape := []int(t.Value.Shape())
		if t.Value.IsScalar() {
			shape = nil
		}
		d.header(t.Name, dt, shape, int64(t.Value.Shape().TotalSize())*size)
		switch v := t.Value.Data().(type) {
		case []float32:
			d.float32s(v)
		case []float64:
			d.float64s(v)
		case float32:
			d.float32s([]float32{v})
		case float64:
			d.float64s([]float64{v})
		}
	}
	return d.sum(), nil
}

// rawTensor is a tensor of a file being read: its entry and its bytes.
type rawTensor struct {
	name string
	e    entry
	b    []byte
}

// dataChecksumRaw is dataChecksum of tensors as read from a file.
func dataChecksumRaw(alg, metaSum string, ts []rawTensor) (string, error) {
	d, err := newDigest(alg)
	if err != nil {
		return "", err
	}
	d.str(metaSum)
	order := make([]int, len(ts))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return ts[order[a]].name < ts[order[b]].name })
	d.uint(uint64(len(ts)))
	for _, i := range order {
		t := ts[i]
		d.header(t.name, t.e.Dtype, t.e.Shape, int64(len(t.b)))
		d.flush()
		d.h.Write(t.b)
	}
	return d.sum(), nil
}

// verify compares a recorded checksum ("alg:hex") with the one computed by sum.
func verify(what, recorded string, sum func(alg string) (string, error)) error {
	alg, _, ok := strings.Cut(recorded, ":")
	if !ok {
		return errors.Errorf("safetensors: %s checksum %q is not \"algorithm:hex\": the file is corrupt", what, recorded)
	}
	got, err := sum(alg)
	if err != nil {
		return errors.Wrapf(err, "safetensors: %s checksum", what)
	}
	if got != recorded {
		return errors.Errorf("safetensors: the %s is corrupt: its checksum is %s, the file records %s", what, got, recorded)
	}
	return nil
}
