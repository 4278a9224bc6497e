package audio

import "fmt"

// FormatError reports a WAV file that cannot be read: where (File, or
// "<reader>" for ReadWAV; the byte Offset from the start of the file; the Field,
// e.g. "fmt.bitsPerSample" or "data chunk size") and what is wrong (Msg).
type FormatError struct {
	File   string
	Offset int64
	Field  string
	Msg    string
}

// Error returns "audio: WAV FILE: offset N: FIELD: MSG".
func (e *FormatError) Error() string {
	f := e.File
	if f == "" {
		f = "<reader>"
	}
	return fmt.Sprintf("audio: WAV %s: offset %d: %s: %s", f, e.Offset, e.Field, e.Msg)
}
