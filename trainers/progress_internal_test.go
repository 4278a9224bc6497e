package trainers

import (
	"testing"
	"time"
)

// TestFmtDuration: fast steps show microseconds, not "0ms".
func TestFmtDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                       "0µs",
		850 * time.Microsecond:  "850µs",
		12 * time.Millisecond:   "12ms",
		1500 * time.Millisecond: "1.5s",
		123 * time.Second:       "2m3s",
	} {
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
