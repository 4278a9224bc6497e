package audio

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/pkg/errors"
)

// WAVOption configures WriteWAV and WriteWAVFile.
type WAVOption func(*wavConfig)

type wavConfig struct {
	enc        Encoding
	extensible int // -1 auto, 0 off, 1 on
}

// WithEncoding sets the sample encoding written. Default: PCM16 (also used for
// EncodingUnknown). Clip.Encoding is not consulted: pass WithEncoding(c.Encoding)
// to write a clip back as it was read.
func WithEncoding(e Encoding) WAVOption { return func(c *wavConfig) { c.enc = e } }

// WithExtensible forces (true) or forbids (false) a WAVE_FORMAT_EXTENSIBLE fmt
// chunk. Default: extensible only for more than two channels; plain PCM (tag 1)
// or IEEE float (tag 3) otherwise, which every reader understands.
func WithExtensible(on bool) WAVOption {
	return func(c *wavConfig) {
		c.extensible = 0
		if on {
			c.extensible = 1
		}
	}
}

// WriteWAV writes c to w as a RIFF/WAVE file: interleaved frames, little
// endian, scaled as the package doc states (integer encodings clip to their
// range; float encodings store the value as is). Float files carry a fact
// chunk. A NaN sample in an integer encoding, an invalid clip, or a file over
// 4 GiB is an error; nothing is written in the first two cases.
func WriteWAV(w io.Writer, c *Clip, opts ...WAVOption) error {
	cfg := wavConfig{enc: PCM16, extensible: -1}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.enc == EncodingUnknown {
		cfg.enc = PCM16
	}
	if err := c.Validate(); err != nil {
		return errors.Wrap(err, "audio: write WAV")
	}
	bits := cfg.enc.Bits()
	if bits == 0 {
		return errors.Errorf("audio: write WAV: unknown encoding %v", cfg.enc)
	}
	if !cfg.enc.IsFloat() {
		for ch, row := range c.Samples {
			for i, v := range row {
				if math.IsNaN(v) {
					return errors.Errorf("audio: write WAV: NaN at channel %d frame %d cannot be stored as %v", ch, i, cfg.enc)
				}
			}
		}
	}
	channels := c.Channels()
	frames := c.Frames()
	blockAlign := channels * bits / 8
	if blockAlign > math.MaxUint16 {
		return errors.Errorf("audio: write WAV: %d channels of %d bits make a %d-byte frame, over the format's 65535", channels, bits, blockAlign)
	}
	ext := cfg.extensible == 1 || (cfg.extensible == -1 && channels > 2)
	tag := uint16(formatPCM)
	if cfg.enc.IsFloat() {
		tag = formatFloat
	}

	var hdr []byte
	put16 := func(v int) { hdr = binary.LittleEndian.AppendUint16(hdr, uint16(v)) }
	put32 := func(v int) { hdr = binary.LittleEndian.AppendUint32(hdr, uint32(v)) }
	fmtSize := 16
	switch {
	case ext:
		fmtSize = 40
	case cfg.enc.IsFloat():
		fmtSize = 18
	}
	dataSize := uint64(frames) * uint64(blockAlign)
	factSize := 0
	if cfg.enc.IsFloat() {
		factSize = 12
	}
	riffSize := 4 + 8 + uint64(fmtSize) + uint64(factSize) + 8 + dataSize + dataSize%2
	if riffSize > math.MaxUint32 {
		return errors.Errorf("audio: write WAV: %d bytes of samples do not fit a RIFF file (4 GiB)", dataSize)
	}
	hdr = append(hdr, "RIFF"...)
	put32(int(riffSize))
	hdr = append(hdr, "WAVEfmt "...)
	put32(fmtSize)
	if ext {
		put16(formatExtensible)
	} else {
		put16(int(tag))
	}
	put16(channels)
	put32(c.SampleRate)
	put32(c.SampleRate * blockAlign)
	put16(blockAlign)
	put16(bits)
	if ext {
		put16(22)
		put16(bits) // valid bits
		mask := 0
		switch channels {
		case 1:
			mask = 0x4 // front centre
		case 2:
			mask = 0x3 // front left, front right
		}
		put32(mask)
		put16(int(tag))
		hdr = append(hdr, guidSuffix...)
	} else if cfg.enc.IsFloat() {
		put16(0) // cbSize
	}
	if cfg.enc.IsFloat() {
		hdr = append(hdr, "fact"...)
		put32(4)
		put32(frames)
	}
	hdr = append(hdr, "data"...)
	put32(int(dataSize))

	bw := bufio.NewWriterSize(w, 1<<16)
	if _, err := bw.Write(hdr); err != nil {
		return errors.Wrap(err, "audio: write WAV header")
	}
	buf := make([]byte, blockAlign)
	for i := 0; i < frames; i++ {
		p := 0
		for ch := 0; ch < channels; ch++ {
			p += encodeSample(buf[p:], c.Samples[ch][i], cfg.enc)
		}
		if _, err := bw.Write(buf); err != nil {
			return errors.Wrap(err, "audio: write WAV samples")
		}
	}
	if dataSize%2 == 1 {
		if err := bw.WriteByte(0); err != nil {
			return errors.Wrap(err, "audio: write WAV pad byte")
		}
	}
	return errors.Wrap(bw.Flush(), "audio: write WAV")
}

// encodeSample stores v in dst with encoding e and returns the bytes used.
func encodeSample(dst []byte, v float64, e Encoding) int {
	quant := func(bits uint) int64 {
		scale := float64(int64(1) << (bits - 1))
		x := math.Round(v * scale)
		if x > scale-1 {
			return int64(scale - 1)
		}
		if x < -scale {
			return int64(-scale)
		}
		return int64(x)
	}
	switch e {
	case PCM8:
		dst[0] = byte(quant(8) + 128)
		return 1
	case PCM16:
		binary.LittleEndian.PutUint16(dst, uint16(quant(16)))
		return 2
	case PCM24:
		q := uint32(quant(24))
		dst[0], dst[1], dst[2] = byte(q), byte(q>>8), byte(q>>16)
		return 3
	case PCM32:
		binary.LittleEndian.PutUint32(dst, uint32(quant(32)))
		return 4
	case Float32:
		binary.LittleEndian.PutUint32(dst, math.Float32bits(float32(v)))
		return 4
	default: // Float64
		binary.LittleEndian.PutUint64(dst, math.Float64bits(v))
		return 8
	}
}

// WriteWAVFile writes c to path atomically: the file is written to a temporary
// file in the same directory, synced, and renamed over path, so readers see
// either the old file or the whole new one. The new file has mode 0644. Options
// as for WriteWAV.
func WriteWAVFile(path string, c *Clip, opts ...WAVOption) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return errors.Wrapf(err, "audio: write WAV %s", path)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = WriteWAV(tmp, c, opts...); err != nil {
		return errors.Wrapf(err, "file %s", path)
	}
	if err = tmp.Sync(); err != nil {
		return errors.Wrapf(err, "audio: write WAV %s", path)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return errors.Wrapf(err, "audio: write WAV %s", path)
	}
	if err = tmp.Close(); err != nil {
		return errors.Wrapf(err, "audio: write WAV %s", path)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return errors.Wrapf(err, "audio: write WAV %s", path)
	}
	return nil
}
