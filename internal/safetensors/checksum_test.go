package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func sample(t *testing.T) ([]Tensor, map[string]string, []byte) {
	t.Helper()
	ts := []Tensor{
		{"w", tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}))},
		{"b", tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{-1.5, 1e300}))},
		{"s", tensor.New(tensor.FromScalar(float32(7)))},
	}
	meta := map[string]string{"config": `{"units":3}`, "epoch": "12"}
	var buf bytes.Buffer
	if err := Write(&buf, ts, meta); err != nil {
		t.Fatal(err)
	}
	return ts, meta, buf.Bytes()
}

type readResult struct {
	names  []string
	shapes []string
	values []interface{}
	meta   map[string]string
}

func readAll(b []byte) (readResult, error) {
	ts, meta, err := Read(bytes.NewReader(b))
	if err != nil {
		return readResult{}, err
	}
	var r readResult
	for _, t := range ts {
		r.names = append(r.names, t.Name)
		r.shapes = append(r.shapes, fmt.Sprint(t.Value.Shape()))
		r.values = append(r.values, t.Value.Data())
	}
	r.meta = meta
	return r, nil
}

// TestEveryBitFlipIsCaught: flipping any one bit of a file gives an error or the
// very same tensors and metadata, never other values.
func TestEveryBitFlipIsCaught(t *testing.T) {
	_, _, data := sample(t)
	want, err := readAll(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.meta) != 2 {
		t.Errorf("metadata %v: the checksum keys should not be returned", want.meta)
	}
	if v := want.values[len(want.values)-1]; v != float32(7) {
		t.Errorf("scalar read back as %v", v)
	}
	silent := 0
	for i := range data {
		for bit := 0; bit < 8; bit++ {
			b := append([]byte(nil), data...)
			b[i] ^= 1 << bit
			got, err := readAll(b)
			if err == nil && !reflect.DeepEqual(got, want) {
				silent++
				if silent < 5 {
					t.Errorf("byte %d bit %d flipped: read without error and with other content", i, bit)
				}
			}
		}
	}
	if silent > 0 {
		t.Errorf("%d of %d one-bit flips changed the content silently", silent, 8*len(data))
	}
}

func TestChecksumErrorsSayWhatIsCorrupt(t *testing.T) {
	_, _, data := sample(t)
	n := binary.LittleEndian.Uint64(data[:8])
	b := append([]byte(nil), data...)
	b[len(b)-1] ^= 0x10 // the scalar's last byte
	if _, _, err := Read(bytes.NewReader(b)); err == nil || !strings.Contains(err.Error(), "tensor data is corrupt") {
		t.Errorf("flipped data byte: %v", err)
	}
	b = append([]byte(nil), data...)
	k := bytes.Index(b[:8+n], []byte(`"epoch":"12"`))
	b[k+10] = '3'
	if _, _, err := Read(bytes.NewReader(b)); err == nil || !strings.Contains(err.Error(), "metadata is corrupt") {
		t.Errorf("edited metadata: %v", err)
	}
}

// header returns the JSON header of a file and its data.
func split(t *testing.T, b []byte) (map[string]json.RawMessage, []byte) {
	t.Helper()
	n := binary.LittleEndian.Uint64(b[:8])
	var h map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	return h, b[8+n:]
}

func join(h interface{}, data []byte) []byte {
	j, _ := json.Marshal(h)
	out := make([]byte, 8, 8+len(j)+len(data))
	binary.LittleEndian.PutUint64(out, uint64(len(j)))
	return append(append(out, j...), data...)
}

func TestFilesWithoutChecksumsAndOtherTools(t *testing.T) {
	_, _, data := sample(t)
	h, d := split(t, data)
	var meta map[string]string
	json.Unmarshal(h["__metadata__"], &meta)
	want, _ := readAll(data)

	// Without checksums (older gokeras, other tools): read as before.
	plain := map[string]string{}
	for k, v := range meta {
		if k != DataChecksumKey && k != MetadataChecksumKey {
			plain[k] = v
		}
	}
	h2 := map[string]interface{}{}
	for k, v := range h {
		h2[k] = v
	}
	h2["__metadata__"] = plain
	if got, err := readAll(join(h2, d)); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("file without checksums: %v", err)
	}
	// Without checksums, a flipped data byte goes unnoticed, as it always did.
	b := join(h2, d)
	b[len(b)-1] ^= 0x10
	if _, err := readAll(b); err != nil {
		t.Errorf("file without checksums, flipped byte: %v", err)
	}

	// Another tool rewrites the tensors in another order with the same metadata:
	// the checksums still hold.
	var es map[string]entry
	json.Unmarshal(join(h, nil)[8:], &es)
	delete(es, "__metadata__")
	order := []string{"s", "b", "w"}
	var nd []byte
	h3 := map[string]interface{}{"__metadata__": meta}
	for _, name := range order {
		e := es[name]
		chunk := d[e.Offsets[0]:e.Offsets[1]]
		e.Offsets = [2]int64{int64(len(nd)), int64(len(nd) + len(chunk))}
		nd = append(nd, chunk...)
		h3[name] = e
	}
	if got, err := readAll(join(h3, nd)); err != nil || !reflect.DeepEqual(got.meta, want.meta) || len(got.names) != 3 {
		t.Errorf("reordered file: %v", err)
	}

	// A SHA-256 checksum verifies too; an unknown algorithm is an error.
	h4 := map[string]interface{}{"__metadata__": plain}
	for k, v := range h {
		if k != "__metadata__" {
			h4[k] = v
		}
	}
	for alg, ok := range map[string]bool{"sha256": true, "md5": false} {
		m := map[string]string{}
		for k, v := range plain {
			m[k] = v
		}
		if ok {
			sum, err := metadataChecksum(alg, m)
			if err != nil {
				t.Fatal(err)
			}
			m[MetadataChecksumKey] = sum
		} else {
			m[MetadataChecksumKey] = alg + ":00"
		}
		h4["__metadata__"] = m
		_, err := readAll(join(h4, d))
		if ok && err != nil {
			t.Errorf("%s: %v", alg, err)
		}
		if !ok && (err == nil || !strings.Contains(err.Error(), "not supported")) {
			t.Errorf("%s: %v", alg, err)
		}
	}
}

func TestWriteRefusesChecksumKeys(t *testing.T) {
	a := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{1}))
	for _, k := range []string{DataChecksumKey, MetadataChecksumKey} {
		if err := Write(&bytes.Buffer{}, []Tensor{{"a", a}}, map[string]string{k: "x"}); err == nil || !strings.Contains(err.Error(), "reserved") {
			t.Errorf("%s: %v", k, err)
		}
	}
}

// TestChecksumByteOrder: hashing a tensor's memory (little-endian machines) and
// encoding it value by value (big-endian ones) give the same checksum.
func TestChecksumByteOrder(t *testing.T) {
	big := make([]float32, 70000) // more than one buffer
	for i := range big {
		big[i] = float32(i) * 0.37
	}
	ts := []Tensor{
		{"a", tensor.New(tensor.WithShape(len(big)), tensor.WithBacking(big))},
		{"b", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, -2, 3e300}))},
	}
	native, err := dataChecksum("crc32c", "m", ts)
	if err != nil {
		t.Fatal(err)
	}
	defer func(v bool) { littleEndian = v }(littleEndian)
	littleEndian = !littleEndian
	other, _ := dataChecksum("crc32c", "m", ts)
	littleEndian = false
	encoded, _ := dataChecksum("crc32c", "m", ts)
	if native != other || native != encoded {
		t.Errorf("checksums differ: %s %s %s", native, other, encoded)
	}
}
