package audio

import "fmt"

// Encoding is how samples are stored in a WAV file's data chunk.
type Encoding int

// The sample encodings that ReadWAV and WriteWAV support. EncodingUnknown is the
// zero value (a clip made in memory); WriteWAV treats it as the default, PCM16.
const (
	EncodingUnknown Encoding = iota
	PCM8                     // 8-bit unsigned integer, offset 128
	PCM16                    // 16-bit signed integer, little endian
	PCM24                    // 24-bit signed integer, little endian, packed in 3 bytes
	PCM32                    // 32-bit signed integer, little endian
	Float32                  // 32-bit IEEE 754 float, little endian
	Float64                  // 64-bit IEEE 754 float, little endian
)

// Bits returns the container size of one sample in bits (8, 16, 24, 32 or
// 64), or 0 for EncodingUnknown and values outside the list.
func (e Encoding) Bits() int {
	switch e {
	case PCM8:
		return 8
	case PCM16:
		return 16
	case PCM24:
		return 24
	case PCM32, Float32:
		return 32
	case Float64:
		return 64
	}
	return 0
}

// IsFloat reports whether e stores IEEE floats (Float32, Float64).
func (e Encoding) IsFloat() bool { return e == Float32 || e == Float64 }

// String returns the constant's name, e.g. "PCM16".
func (e Encoding) String() string {
	switch e {
	case EncodingUnknown:
		return "EncodingUnknown"
	case PCM8:
		return "PCM8"
	case PCM16:
		return "PCM16"
	case PCM24:
		return "PCM24"
	case PCM32:
		return "PCM32"
	case Float32:
		return "Float32"
	case Float64:
		return "Float64"
	}
	return fmt.Sprintf("Encoding(%d)", int(e))
}

// WAV format tags (the fmt chunk's wFormatTag) that the reader knows by name.
const (
	formatPCM        = 0x0001
	formatFloat      = 0x0003
	formatExtensible = 0xFFFE
)

// formatTagName names common compressed WAV format tags for error messages.
func formatTagName(tag uint16) string {
	switch tag {
	case 0x0002:
		return "Microsoft ADPCM"
	case 0x0006:
		return "A-law"
	case 0x0007:
		return "mu-law"
	case 0x0011:
		return "IMA ADPCM"
	case 0x0031:
		return "GSM 6.10"
	case 0x0050:
		return "MPEG"
	case 0x0055:
		return "MPEG Layer 3"
	case 0x0161, 0x0162, 0x0163:
		return "Windows Media Audio"
	case 0x2000:
		return "AC-3"
	}
	return "unknown"
}

// guidSuffix is bytes 2..15 of every KSDATAFORMAT_SUBTYPE GUID of the form
// {0000XXXX-0000-0010-8000-00AA00389B71}, as stored in a WAVE_FORMAT_EXTENSIBLE
// fmt chunk (the first two bytes hold the format tag).
const guidSuffix = "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71"
