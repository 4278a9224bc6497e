package interop

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// ReadNPZ reads the arrays of a NumPy .npz archive (np.savez or
// np.savez_compressed) into a StateDict, each named after its member without
// ".npy" and read as ReadNPY reads a .npy file. Names keep the archive's order,
// except that when every name is NumPy's positional "arr_<n>" (np.savez(*arrays),
// how Keras' get_weights() list is saved) they are ordered by n (arr_10 after
// arr_9) whatever the archive's order. A member that is not a .npy file is an
// error, as is a member claiming more bytes than the archive can hold.
func ReadNPZ(path string) (*StateDict, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "read npz file")
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, errors.Wrapf(err, "read npz file %s", path)
	}
	sd, err := readNPZ(f, st.Size())
	return sd, errors.Wrap(err, path)
}

// ReadNPZFrom is ReadNPZ on size bytes of r; errors name the input "npz".
func ReadNPZFrom(r io.ReaderAt, size int64) (*StateDict, error) {
	sd, err := readNPZ(r, size)
	return sd, errors.Wrap(err, "npz")
}

func readNPZ(r io.ReaderAt, size int64) (sd *StateDict, err error) {
	defer func() {
		if p := recover(); p != nil {
			sd, err = nil, errors.Errorf("malformed npz archive (%v)", p)
		}
	}()
	zr, err := zip.NewReader(r, size)
	if err != nil && err != zip.ErrInsecurePath {
		return nil, errors.Wrap(err, "not a readable zip archive")
	}
	files := append([]*zip.File(nil), zr.File...)
	if positional(files) {
		sort.SliceStable(files, func(i, j int) bool { return arrIndex(files[i].Name) < arrIndex(files[j].Name) })
	}
	sd = NewStateDict()
	for _, f := range files {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		if !strings.HasSuffix(f.Name, ".npy") {
			return nil, errors.Errorf("member %q is not a .npy array", f.Name)
		}
		raw, err := readZipRecord(f, size, size*1100+64)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(f.Name, ".npy")
		t, err := readNPY(bytes.NewReader(raw), name, int64(len(raw)))
		if err != nil {
			return nil, errors.Wrapf(err, "member %q", f.Name)
		}
		if err := sd.Add(t); err != nil {
			return nil, err
		}
	}
	return sd, nil
}

// arrIndex is n of a member "arr_<n>.npy", or -1.
func arrIndex(name string) int {
	s := strings.TrimSuffix(name, ".npy")
	if !strings.HasPrefix(s, "arr_") {
		return -1
	}
	n, err := strconv.Atoi(s[4:])
	if err != nil || n < 0 || strconv.Itoa(n) != s[4:] {
		return -1
	}
	return n
}

// positional reports whether every member is "arr_<n>.npy".
func positional(files []*zip.File) bool {
	for _, f := range files {
		if arrIndex(f.Name) < 0 {
			return false
		}
	}
	return len(files) > 0
}
