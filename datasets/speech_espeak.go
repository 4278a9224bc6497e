package datasets

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/xml"
	"os/exec"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/audio"
	"github.com/pkg/errors"
)

// EspeakInstall is the command that installs espeak-ng on Debian and Ubuntu.
const EspeakInstall = "apt-get install espeak-ng"

// FindEspeak returns the path of the espeak-ng program (program: a name looked
// up in PATH or a path; "" means "espeak-ng"), or an error naming the install
// command EspeakInstall when it cannot be found. Tests that need espeak-ng skip
// with this error.
func FindEspeak(program string) (string, error) {
	if program == "" {
		program = "espeak-ng"
	}
	path, err := exec.LookPath(program)
	if err != nil {
		return "", errors.Errorf("%s not found (%v): run `%s` (Debian, Ubuntu) or `brew install espeak-ng` (macOS)",
			program, err, EspeakInstall)
	}
	return path, nil
}

// speechBreak is the pause between the utterances of one espeak-ng process;
// a gap of minGap or more without sound separates two utterances.
const (
	speechBreak = "700ms"
	minGap      = SpeechSampleRate * 3 / 10 // 300 ms
)

// speakGroup returns the clean clips of items (which share voice, speed and
// pitch) at SpeechSampleRate: mono, resampled, trimmed of leading and trailing
// silence. Several items are spoken by one espeak-ng process, separated by
// pauses of speechBreak, and cut apart at the silent gaps; when the gaps do not
// give one piece per item, each item is spoken by a process of its own.
func (c *speechConfig) speakGroup(ctx context.Context, path string, items []speechItem) ([][]float64, error) {
	if len(items) > 1 {
		texts := make([]string, len(items))
		for i, it := range items {
			var b bytes.Buffer
			if err := xml.EscapeText(&b, []byte(it.text)); err != nil {
				return nil, err
			}
			texts[i] = b.String() + "."
		}
		ssml := "<speak>" + strings.Join(texts, " <break time=\""+speechBreak+"\"/> ") + "</speak>"
		x, err := c.speak(ctx, path, items[0], ssml, true)
		if err != nil {
			return nil, err
		}
		if parts := splitAtGaps(x, minGap); len(parts) == len(items) {
			for i := range parts {
				parts[i] = trimSilence(parts[i], trimFraction)
			}
			return parts, nil
		}
	}
	out := make([][]float64, len(items))
	for i, it := range items {
		x, err := c.speak(ctx, path, it, it.text, false)
		if err != nil {
			return nil, err
		}
		out[i] = trimSilence(x, trimFraction)
	}
	return out, nil
}

// trimFraction: samples below this fraction of a clip's peak count as silence
// when trimming (-50 dB).
const trimFraction = 0.003

// speak runs espeak-ng once on text (SSML when ssml) in it's voice, speed and
// pitch and returns its output at SpeechSampleRate, mono.
func (c *speechConfig) speak(ctx context.Context, path string, it speechItem, text string, ssml bool) ([]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	args := []string{"-v", it.voice, "-s", strconv.Itoa(it.speed), "-p", strconv.Itoa(it.pitch), "--stdout"}
	if ssml {
		args = append(args, "-m")
	}
	cmd := exec.CommandContext(ctx, path, append(args, text)...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, errors.Wrapf(ctx.Err(), "espeak-ng -v %s %q", it.voice, it.text)
		}
		return nil, errors.Wrapf(err, "espeak-ng -v %s %q: %s", it.voice, it.text, strings.TrimSpace(stderr.String()))
	}
	clip, err := audio.ReadWAV(bytes.NewReader(fixStreamHeader(out.Bytes())))
	if err != nil {
		return nil, errors.Wrapf(err, "espeak-ng -v %s %q: output", it.voice, it.text)
	}
	x := clip.Mono()
	if clip.SampleRate != SpeechSampleRate {
		if x, err = audio.Resample(x, clip.SampleRate, SpeechSampleRate); err != nil {
			return nil, errors.Wrapf(err, "espeak-ng -v %s %q: resample", it.voice, it.text)
		}
	}
	if len(trimSilence(x, trimFraction)) == 0 {
		return nil, errors.Errorf("espeak-ng -v %s %q: silent output (is the voice installed? espeak-ng --voices=en)",
			it.voice, it.text)
	}
	return x, nil
}

// splitAtGaps cuts x at every run of at least gap samples below 0.1% of its
// peak and returns the sounding pieces (each with the quiet edges that
// trimSilence removes later).
func splitAtGaps(x []float64, gap int) [][]float64 {
	peak := 0.0
	for _, v := range x {
		peak = max(peak, abs(v))
	}
	th := 1e-3 * peak
	var parts [][]float64
	start, last := -1, -1 // first and last loud sample of the current piece
	for i, v := range x {
		if abs(v) <= th {
			continue
		}
		if start >= 0 && i-last > gap {
			parts = append(parts, x[start:last+1])
			start = -1
		}
		if start < 0 {
			start = i
		}
		last = i
	}
	if start >= 0 {
		parts = append(parts, x[start:last+1])
	}
	return parts
}

// fixStreamHeader sets the RIFF and data sizes of a canonical 44-byte WAV
// header to the bytes present: espeak-ng --stdout writes a streaming header
// whose sizes are 0x7FFFFFFF-ish placeholders. Other input is returned as is.
func fixStreamHeader(b []byte) []byte {
	if len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" || string(b[36:40]) != "data" {
		return b
	}
	data := len(b) - 44
	data -= data % 2 // whole 16-bit samples
	b = b[:44+data]
	binary.LittleEndian.PutUint32(b[4:8], uint32(len(b)-8))
	binary.LittleEndian.PutUint32(b[40:44], uint32(data))
	return b
}

// trimSilence returns the part of x from the first to the last sample whose
// magnitude reaches frac times the peak (empty for a silent x).
func trimSilence(x []float64, frac float64) []float64 {
	peak := 0.0
	for _, v := range x {
		peak = max(peak, abs(v))
	}
	if peak == 0 {
		return nil
	}
	th := frac * peak
	first, last := 0, len(x)-1
	for first < len(x) && abs(x[first]) < th {
		first++
	}
	for last > first && abs(x[last]) < th {
		last--
	}
	return x[first : last+1]
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
