package interop

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"strings"

	"github.com/nlpodyssey/gopickle/types"
	"github.com/pkg/errors"
)

// maxPickleBytes bounds a torch file's data.pkl (the pickle that describes the
// tensors, not their values): 256 MiB.
const maxPickleBytes = 256 << 20

// ReadTorch reads a state_dict that PyTorch saved with
// torch.save(model.state_dict(), path) in its zip format (the default since
// torch 1.6): the archive's <prefix>/data.pkl pickle names the tensors and
// <prefix>/data/<key> records hold their raw storages (little-endian, or as a
// <prefix>/byteorder record says).
//
// The pickle reader resolves only collections.OrderedDict, the torch._utils
// rebuild functions of tensors and parameters and the torch.*Storage classes of
// float16, bfloat16, float32, float64, int8, int16, int32, int64, uint8 and
// bool; any other class (a pickled nn.Module, a NumPy array) is an error naming
// it, and nothing from the file is executed. Views are read as saved (storage
// offset, any strides, several tensors on one storage, scalars of shape ()),
// every index is checked against the storage's length and every size before
// memory is allocated, and values are widened to float64 exactly.
//
// Names keep the file's order. A checkpoint whose top level holds no tensor
// but a dict under "state_dict", "model_state_dict" or "model" is read from
// that dict; nested dicts of tensors are flattened with "." ("encoder.0.weight");
// values that are neither tensors nor dicts (an "epoch" number, a list) are
// skipped. Legacy files (torch < 1.6, or _use_new_zipfile_serialization=False)
// and TorchScript archives are refused with an error saying how to re-save.
// Malformed input gives an error naming the file, never a panic.
func ReadTorch(path string) (*StateDict, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "read torch file")
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, errors.Wrapf(err, "read torch file %s", path)
	}
	return readTorch(path, f, st.Size())
}

// ReadTorchFrom is ReadTorch on size bytes read from r (a file already open, a
// bytes.Reader); errors name the input "torch file".
func ReadTorchFrom(r io.ReaderAt, size int64) (*StateDict, error) {
	return readTorch("torch file", r, size)
}

func readTorch(name string, r io.ReaderAt, size int64) (sd *StateDict, err error) {
	defer func() {
		if p := recover(); p != nil {
			sd, err = nil, errors.Errorf("%s: malformed PyTorch file (%v)", name, p)
		}
	}()
	sd, err = readTorchZip(r, size)
	if err != nil {
		return nil, errors.Wrap(err, name)
	}
	return sd, nil
}

// legacyTorchHint says how to turn a legacy torch file into a readable one.
const legacyTorchHint = "re-save it with torch >= 1.6: torch.save(torch.load(old), new) " +
	"(without _use_new_zipfile_serialization=False)"

func readTorchZip(r io.ReaderAt, size int64) (*StateDict, error) {
	if size < 4 {
		return nil, errors.Errorf("%d bytes: too short for a PyTorch file", size)
	}
	head := make([]byte, 4)
	if _, err := r.ReadAt(head, 0); err != nil {
		return nil, errors.Wrap(err, "read the first bytes")
	}
	if !bytes.Equal(head, []byte("PK\x03\x04")) {
		return nil, notTorchZip(r, size, head)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && err != zip.ErrInsecurePath {
		return nil, errors.Wrap(err, "not a readable zip archive")
	}
	prefix, err := torchPrefix(zr)
	if err != nil {
		return nil, err
	}
	records := map[string]*zip.File{}
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, prefix) {
			records[f.Name[len(prefix):]] = f
		}
	}
	if _, ok := records["constants.pkl"]; ok {
		return nil, errors.New("a TorchScript archive (torch.jit.save), not a state dict: " +
			"save model.state_dict() with torch.save instead")
	}
	var order binary.ByteOrder = binary.LittleEndian
	if bo, ok := records["byteorder"]; ok {
		b, err := readZipRecord(bo, size, 16)
		if err != nil {
			return nil, err
		}
		switch strings.TrimSpace(string(b)) {
		case "little":
		case "big":
			order = binary.BigEndian
		default:
			return nil, errors.Errorf("record byteorder says %q, want little or big", b)
		}
	}
	pkl, err := readZipRecord(records["data.pkl"], size, maxPickleBytes)
	if err != nil {
		return nil, err
	}
	ld := &torchLoader{records: records, fileSize: size, order: order, storages: map[string]*torchStorage{}}
	root, err := unpickleRestricted(pkl, ld.persistentLoad)
	if err != nil {
		return nil, errors.Wrap(err, prefix+"data.pkl")
	}
	return ld.stateDict(root)
}

// notTorchZip explains why a file that is not a zip archive cannot be read.
func notTorchZip(r io.ReaderAt, size int64, head []byte) error {
	if head[0] == 0x80 {
		return errors.New("a legacy PyTorch file (torch < 1.6 or _use_new_zipfile_serialization=False), " +
			"which is not read: " + legacyTorchHint)
	}
	if size >= 262 {
		magic := make([]byte, 5)
		if _, err := r.ReadAt(magic, 257); err == nil && string(magic) == "ustar" {
			return errors.New("a legacy tar-format PyTorch file (torch < 0.4), which is not read: " + legacyTorchHint)
		}
	}
	return errors.Errorf("not a PyTorch file: it starts with % x, not a zip archive", head)
}

// torchPrefix finds the one "<prefix>/data.pkl" of the archive and returns
// "<prefix>/".
func torchPrefix(zr *zip.Reader) (string, error) {
	prefix, found := "", 0
	for _, f := range zr.File {
		dir, base := "", f.Name
		if i := strings.LastIndexByte(f.Name, '/'); i >= 0 {
			dir, base = f.Name[:i+1], f.Name[i+1:]
		}
		if base == "data.pkl" && strings.Count(dir, "/") <= 1 {
			prefix = dir
			found++
		}
	}
	switch found {
	case 0:
		return "", errors.New("zip archive without a data.pkl record: not a file of torch.save")
	case 1:
		return prefix, nil
	}
	return "", errors.Errorf("zip archive with %d data.pkl records, want one", found)
}

// readZipRecord reads the whole record f, after checking that the size it
// claims fits the file (stored) or deflate's largest ratio (compressed) and is
// at most limit bytes; a checksum error is an error.
func readZipRecord(f *zip.File, fileSize int64, limit int64) ([]byte, error) {
	if f == nil {
		return nil, errors.New("missing record")
	}
	n := f.UncompressedSize64
	bound := uint64(fileSize)
	if f.Method != zip.Store {
		bound = 1032*f.CompressedSize64 + 64
	}
	if n > bound || f.CompressedSize64 > uint64(fileSize) {
		return nil, errors.Errorf("record %s claims %d bytes, more than a file of %d bytes can hold", f.Name, n, fileSize)
	}
	if n > uint64(limit) {
		return nil, errors.Errorf("record %s holds %d bytes, more than the %d allowed", f.Name, n, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errors.Wrapf(err, "record %s", f.Name)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, int64(n)+1))
	if err != nil {
		return nil, errors.Wrapf(err, "record %s", f.Name)
	}
	if uint64(len(b)) != n {
		return nil, errors.Errorf("record %s holds %d bytes, its header says %d", f.Name, len(b), n)
	}
	return b, nil
}

// torchStorage is one storage record: numel values of dtype, raw bytes.
type torchStorage struct {
	key   string
	dtype string
	numel int
	raw   []byte
	order binary.ByteOrder
}

// torchView is a tensor as _rebuild_tensor_v2 describes it: a strided view of
// a storage. Its values are read only when it is added to the state dict.
type torchView struct {
	storage *torchStorage
	offset  int
	size    []int
	stride  []int
}

// torchLoader resolves the pickle's persistent ids to storage records, each
// read once.
type torchLoader struct {
	records  map[string]*zip.File
	fileSize int64
	order    binary.ByteOrder
	storages map[string]*torchStorage
	stored   int // values in all storages read
}

// persistentLoad reads ('storage', torch.XStorage, key, location, numel).
func (l *torchLoader) persistentLoad(id interface{}) (interface{}, error) {
	t, ok := id.(*types.Tuple)
	if !ok || t.Len() < 5 {
		return nil, errors.Errorf("persistent id %s is not a 5-tuple ('storage', class, key, location, numel)", pyType(id))
	}
	if s, _ := t.Get(0).(string); s != "storage" {
		return nil, errors.Errorf("persistent id of kind %v, want 'storage'", t.Get(0))
	}
	cls, ok := t.Get(1).(*torchStorageClass)
	key, ok2 := t.Get(2).(string)
	numel, ok3 := t.Get(4).(int)
	if !ok || !ok2 || !ok3 || numel < 0 {
		return nil, errors.Errorf("persistent id (%s, %s, %s, %v) is not (storage class, key, location, numel)",
			pyType(t.Get(1)), pyType(t.Get(2)), pyType(t.Get(3)), t.Get(4))
	}
	if st, ok := l.storages[key]; ok {
		if st.dtype != cls.dtype || st.numel != numel {
			return nil, errors.Errorf("storage %q is named as %s of %d and as %s of %d", key, st.dtype, st.numel, cls.dtype, numel)
		}
		return st, nil
	}
	item := dtypeSize(cls.dtype)
	if int64(numel) > l.fileSize/int64(item) {
		return nil, errors.Errorf("storage %q claims %d %s values, more than the file's %d bytes hold", key, numel, cls.dtype, l.fileSize)
	}
	rec, ok := l.records["data/"+key]
	if !ok {
		return nil, errors.Errorf("storage %q: record data/%s is missing", key, key)
	}
	raw, err := readZipRecord(rec, l.fileSize, l.fileSize)
	if err != nil {
		return nil, errors.Wrapf(err, "storage %q", key)
	}
	if len(raw) < numel*item {
		return nil, errors.Errorf("storage %q claims %d %s values (%d bytes), its record holds %d bytes", key, numel, cls.dtype, numel*item, len(raw))
	}
	st := &torchStorage{key: key, dtype: cls.dtype, numel: numel, raw: raw[:numel*item], order: l.order}
	l.storages[key] = st
	l.stored += numel
	return st, nil
}
