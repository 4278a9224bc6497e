package interop

import (
	"bytes"
	"encoding/binary"

	"github.com/pkg/errors"
)

// Kinds of opcode arguments in the pickle protocols 0 to 5.
const (
	argNone  = iota // no argument
	argFixed        // a fixed number of bytes
	argLen1         // a 1-byte length, then that many bytes
	argLen4         // a 4-byte little-endian length, then that many bytes
	argLen8         // an 8-byte little-endian length, then that many bytes
	argLine         // bytes up to and including a newline
	argLines        // two newline-terminated lines
	argFrame        // an 8-byte frame length; the frame's opcodes follow inline
)

type pickleOp struct {
	kind int
	n    int // bytes of a fixed argument
}

// pickleOps lists every opcode of pickle protocols 0 to 5 with its argument.
var pickleOps = map[byte]pickleOp{
	'(': {argNone, 0}, '.': {argNone, 0}, '0': {argNone, 0}, '1': {argNone, 0},
	'2': {argNone, 0}, 'N': {argNone, 0}, 'a': {argNone, 0}, 'b': {argNone, 0},
	'd': {argNone, 0}, '}': {argNone, 0}, 'e': {argNone, 0}, 'l': {argNone, 0},
	']': {argNone, 0}, 'o': {argNone, 0}, 'R': {argNone, 0}, 's': {argNone, 0},
	't': {argNone, 0}, ')': {argNone, 0}, 'u': {argNone, 0}, 'Q': {argNone, 0},
	0x81: {argNone, 0}, 0x85: {argNone, 0}, 0x86: {argNone, 0}, 0x87: {argNone, 0},
	0x88: {argNone, 0}, 0x89: {argNone, 0}, 0x8f: {argNone, 0}, 0x90: {argNone, 0},
	0x91: {argNone, 0}, 0x92: {argNone, 0}, 0x93: {argNone, 0}, 0x94: {argNone, 0},
	0x97: {argNone, 0}, 0x98: {argNone, 0},
	'I': {argLine, 0}, 'L': {argLine, 0}, 'S': {argLine, 0}, 'V': {argLine, 0},
	'F': {argLine, 0}, 'P': {argLine, 0}, 'g': {argLine, 0}, 'p': {argLine, 0},
	'c': {argLines, 0}, 'i': {argLines, 0},
	'J': {argFixed, 4}, 'K': {argFixed, 1}, 'M': {argFixed, 2}, 'h': {argFixed, 1},
	'j': {argFixed, 4}, 'q': {argFixed, 1}, 'r': {argFixed, 4}, 'G': {argFixed, 8},
	0x80: {argFixed, 1}, 0x82: {argFixed, 1}, 0x83: {argFixed, 2}, 0x84: {argFixed, 4},
	'U': {argLen1, 0}, 0x8c: {argLen1, 0}, 'C': {argLen1, 0}, 0x8a: {argLen1, 0},
	'T': {argLen4, 0}, 'X': {argLen4, 0}, 'B': {argLen4, 0}, 0x8b: {argLen4, 0},
	0x8d: {argLen8, 0}, 0x8e: {argLen8, 0}, 0x96: {argLen8, 0},
	0x95: {argFrame, 0},
}

// maxPickleLine bounds a newline-terminated argument (a GLOBAL's module name, a
// protocol-0 integer).
const maxPickleLine = 4096

// scanPickle walks the opcodes of the pickle in data up to its STOP without
// building anything, and checks that every opcode is known and every length it
// claims fits in the bytes that remain, so that the unpickler never allocates a
// buffer the data cannot fill. It returns the number of opcodes.
func scanPickle(data []byte) (int, error) {
	pos, ops := 0, 0
	for pos < len(data) {
		at := pos
		code := data[pos]
		pos++
		ops++
		op, ok := pickleOps[code]
		if !ok {
			return ops, errors.Errorf("pickle: unknown opcode 0x%02x at byte %d", code, at)
		}
		rest := len(data) - pos
		need := 0
		switch op.kind {
		case argNone:
			if code == '.' {
				return ops, nil
			}
		case argFixed:
			need = op.n
		case argLen1:
			if rest < 1 {
				return ops, errors.Errorf("pickle: opcode 0x%02x at byte %d is cut short", code, at)
			}
			need = 1 + int(data[pos])
		case argLen4:
			if rest < 4 {
				return ops, errors.Errorf("pickle: opcode 0x%02x at byte %d is cut short", code, at)
			}
			n := int32(binary.LittleEndian.Uint32(data[pos:]))
			if n < 0 {
				return ops, errors.Errorf("pickle: opcode 0x%02x at byte %d claims a negative length %d", code, at, n)
			}
			need = 4 + int(n)
		case argLen8, argFrame:
			if rest < 8 {
				return ops, errors.Errorf("pickle: opcode 0x%02x at byte %d is cut short", code, at)
			}
			n := binary.LittleEndian.Uint64(data[pos:])
			if n > uint64(rest-8) {
				return ops, errors.Errorf("pickle: opcode 0x%02x at byte %d claims %d bytes, only %d remain", code, at, n, rest-8)
			}
			need = 8
			if op.kind == argLen8 {
				need += int(n)
			}
		case argLine, argLines:
			lines := 1
			if op.kind == argLines {
				lines = 2
			}
			for l := 0; l < lines; l++ {
				nl := bytes.IndexByte(data[pos+need:min(len(data), pos+need+maxPickleLine)], '\n')
				if nl < 0 {
					return ops, errors.Errorf("pickle: opcode 0x%02x at byte %d has no line end within %d bytes", code, at, maxPickleLine)
				}
				need += nl + 1
			}
		}
		if need > rest {
			return ops, errors.Errorf("pickle: opcode 0x%02x at byte %d claims %d bytes, only %d remain", code, at, need, rest)
		}
		pos += need
	}
	return ops, errors.New("pickle: no STOP opcode: the pickle is truncated")
}
