package audio

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/pkg/errors"
)

// ReadWAV reads a whole WAV file from r into a Clip (planar float64 samples,
// see the package doc for scaling). It accepts RIFF/WAVE files whose fmt chunk
// is PCM (tag 1: 8-bit unsigned, 16, 24, 32-bit signed), IEEE float (tag 3: 32
// or 64-bit) or WAVE_FORMAT_EXTENSIBLE (tag 0xFFFE) with one of those
// sub-formats, any number of channels from 1 to 65535. Unknown chunks (LIST,
// fact, cue, ...) are skipped, chunks of odd size are followed by their pad
// byte (a missing pad byte at the very end of the file is tolerated), and
// bytes after the RIFF chunk are ignored. Anything else (RF64, compressed
// formats, truncated chunks, sizes that do not add up, a data size that is not
// a whole number of frames) is a *FormatError naming the offset and field.
// The whole input is read into memory first.
func ReadWAV(r io.Reader) (*Clip, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, errors.Wrap(err, "audio: read WAV")
	}
	return decodeWAV(b, "")
}

// ReadWAVFile reads the WAV file at path, as ReadWAV; errors name the file.
func ReadWAVFile(path string) (*Clip, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.Wrap(err, "audio: read WAV")
	}
	return decodeWAV(b, path)
}

// wavFormat is the decoded fmt chunk.
type wavFormat struct {
	enc        Encoding
	channels   int
	rate       int
	blockAlign int
}

// decodeWAV parses a complete WAV file held in b; name is used in errors.
func decodeWAV(b []byte, name string) (*Clip, error) {
	fail := func(off int, field, format string, args ...interface{}) error {
		return &FormatError{File: name, Offset: int64(off), Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if len(b) < 12 {
		return nil, fail(0, "RIFF header", "truncated: %d bytes, a WAV file starts with 12", len(b))
	}
	switch id := string(b[0:4]); id {
	case "RIFF":
	case "RF64", "BW64":
		return nil, fail(0, "RIFF id", "%s (64-bit WAV) is not supported", id)
	default:
		return nil, fail(0, "RIFF id", "not a RIFF file: starts with %q", id)
	}
	if form := string(b[8:12]); form != "WAVE" {
		return nil, fail(8, "RIFF form type", "not a WAVE file: form type %q", form)
	}
	riffSize := uint64(binary.LittleEndian.Uint32(b[4:8]))
	if riffSize < 4 {
		return nil, fail(4, "RIFF size", "size %d is smaller than the form type", riffSize)
	}
	if 8+riffSize > uint64(len(b)) {
		return nil, fail(4, "RIFF size", "truncated: RIFF size %d needs %d bytes, file has %d", riffSize, 8+riffSize, len(b))
	}
	end := int(8 + riffSize)

	var (
		f       *wavFormat
		data    []byte
		dataOff = -1
	)
	off := 12
	for off < end {
		if end-off < 8 {
			return nil, fail(off, "chunk header", "truncated: %d bytes left in the RIFF chunk, a chunk header has 8", end-off)
		}
		id := string(b[off : off+4])
		size := uint64(binary.LittleEndian.Uint32(b[off+4 : off+8]))
		body := off + 8
		if size > uint64(end-body) {
			return nil, fail(off+4, fmt.Sprintf("%q chunk size", id), "truncated: chunk size %d, only %d bytes left in the RIFF chunk", size, end-body)
		}
		chunk := b[body : body+int(size)]
		switch id {
		case "fmt ":
			if f != nil {
				return nil, fail(off, "fmt chunk", "second fmt chunk")
			}
			var err error
			if f, err = parseFormat(chunk, body, fail); err != nil {
				return nil, err
			}
		case "data":
			if f == nil {
				return nil, fail(off, "data chunk", "data chunk before the fmt chunk")
			}
			if dataOff >= 0 {
				return nil, fail(off, "data chunk", "second data chunk (first at offset %d)", dataOff-8)
			}
			data, dataOff = chunk, body
		}
		off = body + int(size)
		if size%2 == 1 && off < end {
			off++ // pad byte
		}
	}
	if f == nil {
		return nil, fail(12, "fmt chunk", "missing")
	}
	if dataOff < 0 {
		return nil, fail(12, "data chunk", "missing")
	}
	if len(data)%f.blockAlign != 0 {
		return nil, fail(dataOff-4, "data chunk size", "%d bytes is not a whole number of %d-byte frames", len(data), f.blockAlign)
	}
	return decodeSamples(data, f), nil
}

// parseFormat decodes and checks a fmt chunk whose body starts at file offset
// at.
func parseFormat(c []byte, at int, fail func(int, string, string, ...interface{}) error) (*wavFormat, error) {
	if len(c) < 16 {
		return nil, fail(at-4, "fmt chunk size", "%d bytes, want at least 16", len(c))
	}
	le16 := func(i int) int { return int(binary.LittleEndian.Uint16(c[i:])) }
	tag := le16(0)
	channels := le16(2)
	rate := binary.LittleEndian.Uint32(c[4:])
	blockAlign := le16(12)
	bits := le16(14)
	tagOff := at
	if tag == formatExtensible {
		if len(c) < 40 {
			return nil, fail(at-4, "fmt chunk size", "%d bytes, WAVE_FORMAT_EXTENSIBLE needs 40", len(c))
		}
		if cb := le16(16); cb < 22 {
			return nil, fail(at+16, "fmt.cbSize", "%d, WAVE_FORMAT_EXTENSIBLE needs 22", cb)
		}
		if valid := le16(18); valid > bits {
			return nil, fail(at+18, "fmt.validBitsPerSample", "%d is more than bitsPerSample %d", valid, bits)
		}
		if string(c[26:40]) != guidSuffix {
			return nil, fail(at+24, "fmt.subFormat", "unknown sub-format GUID % x", c[24:40])
		}
		tag = le16(24)
		tagOff = at + 24
	}
	var enc Encoding
	switch tag {
	case formatPCM:
		switch bits {
		case 8:
			enc = PCM8
		case 16:
			enc = PCM16
		case 24:
			enc = PCM24
		case 32:
			enc = PCM32
		default:
			return nil, fail(at+14, "fmt.bitsPerSample", "%d-bit integer PCM is not supported (8, 16, 24, 32)", bits)
		}
	case formatFloat:
		switch bits {
		case 32:
			enc = Float32
		case 64:
			enc = Float64
		default:
			return nil, fail(at+14, "fmt.bitsPerSample", "%d-bit IEEE float is not supported (32, 64)", bits)
		}
	default:
		return nil, fail(tagOff, "fmt.formatTag", "format tag 0x%04x (%s) is not supported: only uncompressed PCM and IEEE float", tag, formatTagName(uint16(tag)))
	}
	if channels == 0 {
		return nil, fail(at+2, "fmt.channels", "0 channels")
	}
	if rate == 0 || rate > math.MaxInt32 {
		return nil, fail(at+4, "fmt.sampleRate", "sample rate %d out of range", rate)
	}
	if want := channels * bits / 8; blockAlign != want {
		return nil, fail(at+12, "fmt.blockAlign", "%d, want channels*bitsPerSample/8 = %d", blockAlign, want)
	}
	return &wavFormat{enc: enc, channels: channels, rate: int(rate), blockAlign: blockAlign}, nil
}

// decodeSamples converts interleaved little-endian samples to planar float64.
func decodeSamples(data []byte, f *wavFormat) *Clip {
	frames := len(data) / f.blockAlign
	samples := make([][]float64, f.channels)
	for c := range samples {
		samples[c] = make([]float64, frames)
	}
	width := f.enc.Bits() / 8
	p := 0
	for i := 0; i < frames; i++ {
		for c := 0; c < f.channels; c++ {
			s := data[p : p+width]
			var v float64
			switch f.enc {
			case PCM8:
				v = (float64(s[0]) - 128) / 128
			case PCM16:
				v = float64(int16(binary.LittleEndian.Uint16(s))) / (1 << 15)
			case PCM24:
				u := int32(uint32(s[0])<<8|uint32(s[1])<<16|uint32(s[2])<<24) >> 8
				v = float64(u) / (1 << 23)
			case PCM32:
				v = float64(int32(binary.LittleEndian.Uint32(s))) / (1 << 31)
			case Float32:
				v = float64(math.Float32frombits(binary.LittleEndian.Uint32(s)))
			case Float64:
				v = math.Float64frombits(binary.LittleEndian.Uint64(s))
			}
			samples[c][i] = v
			p += width
		}
	}
	return &Clip{SampleRate: f.rate, Samples: samples, Encoding: f.enc}
}
