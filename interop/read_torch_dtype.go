package interop

import (
	"encoding/binary"
	"math"
)

// dtypeSize is the bytes one value of dtype (PyTorch's spelling) takes, 0 for
// an unknown dtype.
func dtypeSize(dtype string) int {
	switch dtype {
	case "float16", "bfloat16", "int16":
		return 2
	case "float32", "int32":
		return 4
	case "float64", "int64":
		return 8
	case "int8", "uint8", "bool":
		return 1
	}
	return 0
}

// decoder returns the function that widens one stored value of dtype, in byte
// order, to float64 (exactly: float16 and bfloat16 included), or nil for an
// unknown dtype. The slice it is given holds at least dtypeSize(dtype) bytes.
func decoder(dtype string, order binary.ByteOrder) func([]byte) float64 {
	switch dtype {
	case "float16":
		return func(b []byte) float64 { return halfToFloat64(order.Uint16(b)) }
	case "bfloat16":
		return func(b []byte) float64 { return float64(math.Float32frombits(uint32(order.Uint16(b)) << 16)) }
	case "float32":
		return func(b []byte) float64 { return float64(math.Float32frombits(order.Uint32(b))) }
	case "float64":
		return func(b []byte) float64 { return math.Float64frombits(order.Uint64(b)) }
	case "int8":
		return func(b []byte) float64 { return float64(int8(b[0])) }
	case "uint8":
		return func(b []byte) float64 { return float64(b[0]) }
	case "bool":
		return func(b []byte) float64 {
			if b[0] != 0 {
				return 1
			}
			return 0
		}
	case "int16":
		return func(b []byte) float64 { return float64(int16(order.Uint16(b))) }
	case "int32":
		return func(b []byte) float64 { return float64(int32(order.Uint32(b))) }
	case "int64":
		return func(b []byte) float64 { return float64(int64(order.Uint64(b))) }
	}
	return nil
}

// halfToFloat64 decodes an IEEE 754 binary16 value exactly (subnormals,
// infinities and NaNs included).
func halfToFloat64(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(1024+frac, exp-25)
}
