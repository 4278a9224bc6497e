package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// quantized returns n frames per channel of values exactly representable in
// enc, covering both ends of the range.
func quantized(enc Encoding, channels, n int) [][]float64 {
	out := make([][]float64, channels)
	for c := range out {
		out[c] = make([]float64, n)
		for i := range out[c] {
			v := math.Sin(float64(i*(c+1))*0.37) * 0.999
			switch enc {
			case Float32:
				v = float64(float32(v))
			case Float64:
			default:
				s := float64(int64(1) << (enc.Bits() - 1))
				v = math.Min(math.Round(v*s), s-1) / s
			}
			out[c][i] = v
		}
		if n >= 2 && !enc.IsFloat() {
			s := float64(int64(1) << (enc.Bits() - 1))
			out[c][0], out[c][1] = -1, (s-1)/s
		}
	}
	return out
}

func TestWAVRoundTrip(t *testing.T) {
	for _, enc := range []Encoding{PCM8, PCM16, PCM24, PCM32, Float32, Float64} {
		for _, ch := range []int{1, 2, 3, 6} {
			for _, ext := range []bool{false, true} {
				for _, n := range []int{0, 1, 7, 100} {
					name := enc.String()
					c := &Clip{SampleRate: 11025, Samples: quantized(enc, ch, n)}
					var buf bytes.Buffer
					if err := WriteWAV(&buf, c, WithEncoding(enc), WithExtensible(ext)); err != nil {
						t.Fatalf("%s ch %d: %v", name, ch, err)
					}
					if buf.Len()%2 != 0 {
						t.Errorf("%s ch %d n %d: file of odd length %d (missing pad byte)", name, ch, n, buf.Len())
					}
					if got := binary.LittleEndian.Uint16(buf.Bytes()[20:]) == formatExtensible; got != ext {
						t.Errorf("%s ch %d: extensible %v, want %v", name, ch, got, ext)
					}
					back, err := ReadWAV(&buf)
					if err != nil {
						t.Fatalf("%s ch %d n %d: %v", name, ch, n, err)
					}
					if back.SampleRate != 11025 || back.Encoding != enc || back.Channels() != ch || back.Frames() != n {
						t.Fatalf("%s ch %d n %d: got rate %d enc %v ch %d frames %d", name, ch, n,
							back.SampleRate, back.Encoding, back.Channels(), back.Frames())
					}
					for k := range c.Samples {
						for i := range c.Samples[k] {
							if back.Samples[k][i] != c.Samples[k][i] {
								t.Fatalf("%s ch %d: sample [%d][%d] = %v, want %v", name, ch, k, i, back.Samples[k][i], c.Samples[k][i])
							}
						}
					}
				}
			}
		}
	}
}

func TestWAVDefaultsAndClipping(t *testing.T) {
	c, err := NewClip(8000, []float64{2, -2, 1, -1, 0.5, math.Inf(1)})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteWAV(&buf, c); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if tag := binary.LittleEndian.Uint16(b[20:]); tag != formatPCM {
		t.Fatalf("default format tag %d, want 1 (PCM)", tag)
	}
	back, err := ReadWAV(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if back.Encoding != PCM16 {
		t.Fatalf("default encoding %v, want PCM16", back.Encoding)
	}
	top := 32767.0 / 32768
	want := []float64{top, -1, top, -1, 0.5, top}
	for i, w := range want {
		if back.Samples[0][i] != w {
			t.Errorf("sample %d = %v, want %v", i, back.Samples[0][i], w)
		}
	}
	// PCM8 rounds to the nearest step and is unsigned on disk.
	buf.Reset()
	c8, _ := NewClip(8000, []float64{0, -1, 1, 0.5})
	if err := WriteWAV(&buf, c8, WithEncoding(PCM8)); err != nil {
		t.Fatal(err)
	}
	if got := buf.Bytes()[44:48]; !bytes.Equal(got, []byte{128, 0, 255, 192}) {
		t.Errorf("PCM8 bytes % x, want 80 00 ff c0", got)
	}
	// Stereo is written interleaved, left first.
	buf.Reset()
	st, _ := NewClip(8000, []float64{0.5, 0.25}, []float64{-0.5, -0.25})
	if err := WriteWAV(&buf, st); err != nil {
		t.Fatal(err)
	}
	var got [4]int16
	if err := binary.Read(bytes.NewReader(buf.Bytes()[44:]), binary.LittleEndian, &got); err != nil {
		t.Fatal(err)
	}
	if got != [4]int16{16384, -16384, 8192, -8192} {
		t.Errorf("interleaved frames %v", got)
	}
}

func TestWAVWriteErrors(t *testing.T) {
	nan := &Clip{SampleRate: 8000, Samples: [][]float64{{0, math.NaN()}}}
	cases := []struct {
		name string
		clip *Clip
		opts []WAVOption
		want string
	}{
		{"nil", nil, nil, "nil clip"},
		{"rate", &Clip{SampleRate: 0, Samples: [][]float64{{0}}}, nil, "sample rate"},
		{"no channels", &Clip{SampleRate: 8000}, nil, "no channels"},
		{"ragged", &Clip{SampleRate: 8000, Samples: [][]float64{{0, 1}, {0}}}, nil, "channel 1 has 1 frames"},
		{"nan pcm", nan, nil, "NaN at channel 0 frame 1"},
		{"bad encoding", &Clip{SampleRate: 8000, Samples: [][]float64{{0}}}, []WAVOption{WithEncoding(Encoding(42))}, "unknown encoding"},
	}
	for _, tc := range cases {
		var buf bytes.Buffer
		err := WriteWAV(&buf, tc.clip, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: %d bytes written before the error", tc.name, buf.Len())
		}
	}
	// NaN is fine in a float file.
	var buf bytes.Buffer
	if err := WriteWAV(&buf, nan, WithEncoding(Float32)); err != nil {
		t.Errorf("NaN as Float32: %v", err)
	}
}

// wavBytes assembles a RIFF file from chunks (id + body, padded); riffSize < 0
// means the correct size.
func wavBytes(riffSize int, chunks ...[]byte) []byte {
	body := []byte("WAVE")
	for _, c := range chunks {
		body = append(body, c...)
	}
	if riffSize < 0 {
		riffSize = len(body)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(riffSize))...)
	return append(out, body...)
}

func chunkBytes(id string, body []byte) []byte {
	out := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	out = append(out, body...)
	if len(body)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

func fmtBody(tag, channels, rate, blockAlign, bits int) []byte {
	var b []byte
	b = binary.LittleEndian.AppendUint16(b, uint16(tag))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*blockAlign))
	b = binary.LittleEndian.AppendUint16(b, uint16(blockAlign))
	return binary.LittleEndian.AppendUint16(b, uint16(bits))
}

func TestReadWAVChunks(t *testing.T) {
	pcm := chunkBytes("fmt ", fmtBody(1, 1, 8000, 2, 16))
	data := chunkBytes("data", []byte{0x00, 0x40, 0x00, 0xc0})
	// Unknown chunks of odd size before and after the data, with pad bytes.
	b := wavBytes(-1, chunkBytes("JUNK", []byte{1, 2, 3}), pcm, chunkBytes("LIST", []byte("abcde")), data, chunkBytes("cue ", []byte{9}))
	c, err := ReadWAV(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Samples[0]; len(got) != 2 || got[0] != 0.5 || got[1] != -0.5 {
		t.Fatalf("samples %v, want [0.5 -0.5]", got)
	}
	// Trailing bytes after the RIFF chunk are ignored.
	if _, err := ReadWAV(bytes.NewReader(append(b, "trailing junk"...))); err != nil {
		t.Errorf("trailing bytes: %v", err)
	}
	// A missing pad byte at the very end is tolerated.
	odd := wavBytes(-1, pcm, chunkBytes("data", []byte{0, 0}), []byte("note\x01\x00\x00\x00x"))
	if _, err := ReadWAV(bytes.NewReader(odd)); err != nil {
		t.Errorf("missing final pad byte: %v", err)
	}
}

func TestReadWAVErrors(t *testing.T) {
	pcm := chunkBytes("fmt ", fmtBody(1, 1, 8000, 2, 16))
	data := chunkBytes("data", []byte{0, 0, 0, 0})
	good := wavBytes(-1, pcm, data)
	ext := func(sub []byte, valid int) []byte {
		b := fmtBody(0xFFFE, 2, 8000, 4, 16)
		b = binary.LittleEndian.AppendUint16(b, 22)
		b = binary.LittleEndian.AppendUint16(b, uint16(valid))
		b = binary.LittleEndian.AppendUint32(b, 3)
		return chunkBytes("fmt ", append(b, sub...))
	}
	pcmGUID := append([]byte{1, 0}, guidSuffix...)
	badGUID := append([]byte{1, 0}, make([]byte, 14)...)
	alawGUID := append([]byte{6, 0}, guidSuffix...)
	cases := []struct {
		name   string
		b      []byte
		offset int64
		field  string
		msg    string
	}{
		{"empty", nil, 0, "RIFF header", "truncated"},
		{"not riff", append([]byte("RIFX"), good[4:]...), 0, "RIFF id", "not a RIFF file"},
		{"rf64", append([]byte("RF64"), good[4:]...), 0, "RIFF id", "not supported"},
		{"not wave", append(append([]byte{}, good[:8]...), append([]byte("AVI "), good[12:]...)...), 8, "RIFF form type", "not a WAVE file"},
		{"riff too big", wavBytes(1000, pcm, data), 4, "RIFF size", "truncated"},
		{"riff too small", wavBytes(2, pcm, data), 4, "RIFF size", "smaller"},
		{"truncated file", good[:len(good)-1], 4, "RIFF size", "truncated"},
		{"chunk too big", wavBytes(-1, pcm, append([]byte("data"), 0xff, 0, 0, 0, 0, 0)), 40, `"data" chunk size`, "truncated"},
		{"half header", wavBytes(-1, pcm, data, []byte("abc")), 48, "chunk header", "truncated"},
		{"no fmt", wavBytes(-1, chunkBytes("LIST", nil)), 12, "fmt chunk", "missing"},
		{"no data", wavBytes(-1, pcm), 12, "data chunk", "missing"},
		{"data first", wavBytes(-1, data, pcm), 12, "data chunk", "before the fmt"},
		{"two fmt", wavBytes(-1, pcm, pcm, data), 36, "fmt chunk", "second fmt"},
		{"two data", wavBytes(-1, pcm, data, data), 48, "data chunk", "second data"},
		{"short fmt", wavBytes(-1, chunkBytes("fmt ", fmtBody(1, 1, 8000, 2, 16)[:14]), data), 16, "fmt chunk size", "at least 16"},
		{"alaw", wavBytes(-1, chunkBytes("fmt ", fmtBody(6, 1, 8000, 1, 8)), data), 20, "fmt.formatTag", "A-law"},
		{"mp3", wavBytes(-1, chunkBytes("fmt ", fmtBody(0x55, 1, 8000, 1, 0)), data), 20, "fmt.formatTag", "MPEG Layer 3"},
		{"12-bit", wavBytes(-1, chunkBytes("fmt ", fmtBody(1, 1, 8000, 2, 12)), data), 34, "fmt.bitsPerSample", "12-bit"},
		{"16-bit float", wavBytes(-1, chunkBytes("fmt ", fmtBody(3, 1, 8000, 2, 16)), data), 34, "fmt.bitsPerSample", "16-bit IEEE"},
		{"0 channels", wavBytes(-1, chunkBytes("fmt ", fmtBody(1, 0, 8000, 0, 16)), data), 22, "fmt.channels", "0 channels"},
		{"0 rate", wavBytes(-1, chunkBytes("fmt ", fmtBody(1, 1, 0, 2, 16)), data), 24, "fmt.sampleRate", "out of range"},
		{"block align", wavBytes(-1, chunkBytes("fmt ", fmtBody(1, 2, 8000, 2, 16)), data), 32, "fmt.blockAlign", "want channels*bitsPerSample/8 = 4"},
		{"partial frame", wavBytes(-1, pcm, chunkBytes("data", []byte{0, 0, 0})), 40, "data chunk size", "whole number"},
		{"ext short", wavBytes(-1, chunkBytes("fmt ", append(fmtBody(0xFFFE, 2, 8000, 4, 16), 0, 0)), data), 16, "fmt chunk size", "needs 40"},
		{"ext guid", wavBytes(-1, ext(badGUID, 16), data), 44, "fmt.subFormat", "unknown sub-format"},
		{"ext alaw", wavBytes(-1, ext(alawGUID, 16), data), 44, "fmt.formatTag", "A-law"},
		{"ext valid bits", wavBytes(-1, ext(pcmGUID, 17), data), 38, "fmt.validBitsPerSample", "more than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadWAV(bytes.NewReader(tc.b))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T), want *FormatError", err, err)
			}
			if fe.Offset != tc.offset || fe.Field != tc.field || !strings.Contains(fe.Msg, tc.msg) {
				t.Fatalf("got offset %d field %q msg %q; want %d %q ~%q", fe.Offset, fe.Field, fe.Msg, tc.offset, tc.field, tc.msg)
			}
		})
	}
	// The sanity case itself reads.
	if _, err := ReadWAV(bytes.NewReader(good)); err != nil {
		t.Fatal(err)
	}
}

func TestReadWAVFileNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.wav")
	if err := os.WriteFile(path, []byte("RIFF\x04\x00\x00\x00WAVE"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadWAVFile(path)
	if err == nil || !strings.Contains(err.Error(), "broken.wav: offset 12: fmt chunk: missing") {
		t.Fatalf("error %v, want it to name the file, offset and field", err)
	}
	if _, err := ReadWAVFile(filepath.Join(t.TempDir(), "absent.wav")); err == nil {
		t.Fatal("absent file: no error")
	}
}

func TestWriteWAVFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.wav")
	c, _ := NewClip(16000, []float64{0, 0.25, -0.25})
	if err := WriteWAVFile(path, c, WithEncoding(Float32)); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadWAVFile(path)
	if err != nil || back.Encoding != Float32 || back.Samples[0][1] != 0.25 {
		t.Fatalf("read back %+v, %v", back, err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	// A failing write leaves the old file alone and no temporary file behind.
	bad := &Clip{SampleRate: 16000, Samples: [][]float64{{math.NaN()}}}
	err = WriteWAVFile(path, bad)
	if err == nil || !strings.Contains(err.Error(), "out.wav") {
		t.Fatalf("error %v, want one naming out.wav", err)
	}
	now, _ := os.ReadFile(path)
	if !bytes.Equal(now, first) {
		t.Error("failed write changed the existing file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after a failed write, want 1", len(entries))
	}
	// Overwrite works.
	if err := WriteWAVFile(path, c, WithEncoding(PCM24)); err != nil {
		t.Fatal(err)
	}
	if back, err := ReadWAVFile(path); err != nil || back.Encoding != PCM24 {
		t.Fatalf("after overwrite: %v %v", back, err)
	}
	if err := WriteWAVFile(filepath.Join(dir, "no", "such", "dir.wav"), c); err == nil {
		t.Error("missing directory: no error")
	}
}

func TestClipHelpers(t *testing.T) {
	c, err := NewClip(4, []float64{1, 0, 1, 0}, []float64{0, 0, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	if c.Channels() != 2 || c.Frames() != 4 || c.Duration() != 1 {
		t.Fatalf("channels %d frames %d duration %v", c.Channels(), c.Frames(), c.Duration())
	}
	if m := c.Mono(); m[0] != 0.5 || m[1] != 0 || m[2] != 1 || m[3] != 0.5 {
		t.Fatalf("mono %v", m)
	}
	if _, err := NewClip(0, []float64{1}); err == nil {
		t.Error("rate 0: no error")
	}
}
