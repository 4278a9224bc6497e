package interop

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"

	"github.com/pkg/errors"
)

// ImportTorch reads the PyTorch weights at path, builds the gokeras model of
// architecture name for them (BuildArchitecture, with opts) and loads them
// (Load with a.LoadOptions()). The file may be a torch.save'd state_dict
// (.pt/.pth, a zip) or a safetensors file, whatever its extension: the format is
// told by the content (a zip's "PK\x03\x04", or safetensors' 8-byte header
// length followed by "{"). It returns the loaded model with what was inferred,
// and Plan's assignments (one per gokeras weight: which tensors filled it).
func ImportTorch(path, name string, opts ...ArchOption) (*Arch, []Assignment, error) {
	sd, format, err := readWeightsFile(path)
	if err != nil {
		return nil, nil, err
	}
	a, err := BuildArchitecture(name, sd, opts...)
	if err != nil {
		return nil, nil, errors.Wrap(err, path)
	}
	a.Format = format
	plan, err := Plan(a.Model, sd, a.LoadOptions()...)
	if err != nil {
		return nil, nil, errors.Wrapf(err, "%s as %s", path, name)
	}
	if err := Load(a.Model, sd, a.LoadOptions()...); err != nil {
		return nil, nil, errors.Wrapf(err, "%s as %s", path, name)
	}
	return a, plan, nil
}

// weightsFormat tells a torch zip from a safetensors file by their first bytes:
// "torch" or "safetensors", or an error naming the file.
func weightsFormat(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", errors.Wrap(err, "read weights")
	}
	defer f.Close()
	head := make([]byte, 9)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", errors.Wrapf(err, "read weights %s", path)
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "torch", nil
	case n == 9 && head[8] == '{' && binary.LittleEndian.Uint64(head) > 1:
		return "safetensors", nil
	case n >= 2 && head[0] == 0x80 && head[1] <= 5:
		return "", errors.Errorf("read weights %s: a pickle without the zip container (torch.save with _use_new_zipfile_serialization=False, PyTorch < 1.6): save it again with a recent PyTorch", path)
	}
	return "", errors.Errorf("read weights %s: neither a torch.save zip (PK header) nor a safetensors file (8-byte length, then a JSON header)", path)
}

// readWeightsFile reads path with ReadTorch or ReadSafetensors, as its content says.
func readWeightsFile(path string) (*StateDict, string, error) {
	format, err := weightsFormat(path)
	if err != nil {
		return nil, "", err
	}
	var sd *StateDict
	if format == "torch" {
		sd, err = ReadTorch(path)
	} else {
		sd, err = ReadSafetensors(path)
	}
	return sd, format, err
}
