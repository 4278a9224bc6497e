package audio

import "github.com/pkg/errors"

// Clip is audio in memory: Samples[c][i] is channel c at frame i (planar
// layout), as float64 nominally in [-1, 1]. Every row of Samples has the same
// length (Frames). SampleRate is in hertz. Encoding records how the clip was
// stored when it was read from a WAV file (zero for a clip made in memory).
type Clip struct {
	SampleRate int
	Samples    [][]float64
	Encoding   Encoding
}

// NewClip returns a clip with the given rate and channel rows after checking
// that the rate is positive, there is at least one channel and all channels
// have the same length. The rows are used as they are, not copied.
func NewClip(sampleRate int, channels ...[]float64) (*Clip, error) {
	c := &Clip{SampleRate: sampleRate, Samples: channels}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Channels returns the number of channels, len(Samples).
func (c *Clip) Channels() int { return len(c.Samples) }

// Frames returns the number of frames (samples per channel); 0 for a clip
// without channels.
func (c *Clip) Frames() int {
	if len(c.Samples) == 0 {
		return 0
	}
	return len(c.Samples[0])
}

// Duration returns the length in seconds, Frames / SampleRate (0 when the rate
// is not positive).
func (c *Clip) Duration() float64 {
	if c.SampleRate <= 0 {
		return 0
	}
	return float64(c.Frames()) / float64(c.SampleRate)
}

// Mono returns the average of the channels as one slice of length Frames (the
// channel itself, not a copy, for a mono clip).
func (c *Clip) Mono() []float64 {
	if len(c.Samples) == 1 {
		return c.Samples[0]
	}
	out := make([]float64, c.Frames())
	if len(c.Samples) == 0 {
		return out
	}
	for _, ch := range c.Samples {
		for i, v := range ch {
			out[i] += v
		}
	}
	inv := 1 / float64(len(c.Samples))
	for i := range out {
		out[i] *= inv
	}
	return out
}

// Validate checks that the rate is positive, there is at least one channel (and
// at most 65535, the WAV limit) and every channel has the same length.
func (c *Clip) Validate() error {
	if c == nil {
		return errors.New("audio: nil clip")
	}
	if c.SampleRate <= 0 {
		return errors.Errorf("audio: sample rate %d, want > 0", c.SampleRate)
	}
	if len(c.Samples) == 0 {
		return errors.New("audio: clip has no channels")
	}
	if len(c.Samples) > 65535 {
		return errors.Errorf("audio: %d channels, at most 65535", len(c.Samples))
	}
	n := len(c.Samples[0])
	for i, ch := range c.Samples {
		if len(ch) != n {
			return errors.Errorf("audio: channel %d has %d frames, channel 0 has %d", i, len(ch), n)
		}
	}
	return nil
}
