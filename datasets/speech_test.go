package datasets

import (
	"context"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// needEspeak skips the test when espeak-ng is not installed.
func needEspeak(t *testing.T) {
	t.Helper()
	if _, err := FindEspeak(""); err != nil {
		t.Skip(err)
	}
}

func TestSpeechCommandsSmall(t *testing.T) {
	needEspeak(t)
	dir := t.TempDir()
	opts := []SpeechOption{WithSpeechCacheDir(dir), WithSpeechCounts(2, 1), WithSpeechSeed(3)}
	a, err := SpeechCommands(opts...)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Train) != 40 || len(a.Test) != 20 || len(a.Classes) != 20 || a.Generated != 60 {
		t.Fatalf("train %d test %d classes %d generated %d", len(a.Train), len(a.Test), len(a.Classes), a.Generated)
	}
	trainVoices := map[string]bool{}
	for i, c := range a.Train {
		trainVoices[c.Voice] = true
		if c.Label != i%20 || c.Text != a.Classes[c.Label] || len(c.Samples) != SpeechSampleRate {
			t.Errorf("train %d: label %d text %q, %d samples", i, c.Label, c.Text, len(c.Samples))
		}
	}
	for i, c := range a.Test {
		if trainVoices[c.Voice] {
			t.Errorf("test clip %d: voice %s also in training", i, c.Voice)
		}
		if peak := peakOf(c.Samples); !(peak > 0.2 && peak < 1.5) {
			t.Errorf("test clip %d: peak %g", i, peak)
		}
	}
	// Second call: everything from the cache, the same samples.
	b, err := SpeechCommands(opts...)
	if err != nil {
		t.Fatal(err)
	}
	if b.Generated != 0 || b.Dir != a.Dir {
		t.Errorf("second call generated %d in %s (first: %s)", b.Generated, b.Dir, a.Dir)
	}
	for i := range a.Train {
		if !slices.Equal(a.Train[i].Samples, b.Train[i].Samples) {
			t.Fatalf("train clip %d differs between the fresh and the cached run", i)
		}
	}
	// Another seed: other speeds and noise.
	c, err := SpeechCommands(WithSpeechCacheDir(dir), WithSpeechCounts(2, 1), WithSpeechSeed(4))
	if err != nil {
		t.Fatal(err)
	}
	if c.Dir == a.Dir || slices.Equal(a.Train[0].Samples, c.Train[0].Samples) {
		t.Error("seeds 3 and 4 give the same data")
	}
	if _, err := os.Stat(filepath.Join(a.Dir, "settings.txt")); err != nil {
		t.Error(err)
	}
}

func TestSpokenDigitsSmall(t *testing.T) {
	needEspeak(t)
	s, err := SpokenDigits(WithSpeechCacheDir(t.TempDir()), WithSpeechCounts(6, 3))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Train) != 6 || len(s.Test) != 3 || len(s.Classes) != 10 {
		t.Fatalf("train %d test %d classes %v", len(s.Train), len(s.Test), s.Classes)
	}
	for _, c := range append(s.Train, s.Test...) {
		if len(c.Digits) < 3 || len(c.Digits) > 7 || c.Label != -1 {
			t.Errorf("%q: digits %v label %d", c.Text, c.Digits, c.Label)
		}
		words := strings.Fields(c.Text)
		for j, d := range c.Digits {
			if j >= len(words) || words[j] != s.Classes[d] {
				t.Errorf("text %q, digits %v", c.Text, c.Digits)
				break
			}
		}
		// About 0.3 s per digit at most speeds: longer than 0.1 s per digit.
		if len(c.Samples) < len(c.Digits)*SpeechSampleRate/10 {
			t.Errorf("%q: %d samples", c.Text, len(c.Samples))
		}
	}
}

func TestSpeechMissingEspeak(t *testing.T) {
	_, err := SpeechCommands(WithSpeechCacheDir(t.TempDir()), WithSpeechCounts(1, 1),
		WithEspeak(filepath.Join(t.TempDir(), "no-espeak-ng-here")))
	if err == nil || !strings.Contains(err.Error(), EspeakInstall) {
		t.Fatalf("error %v, want one naming %q", err, EspeakInstall)
	}
}

func TestSpeechCancelled(t *testing.T) {
	needEspeak(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := SpeechCommands(WithSpeechCacheDir(t.TempDir()), WithSpeechContext(ctx)); err == nil {
		t.Fatal("cancelled context: no error")
	}
}

func TestSpeechBadOptions(t *testing.T) {
	train, _ := DefaultSpeechVoices()
	for name, o := range map[string]SpeechOption{
		"shared voice":  WithSpeechVoices(train, train[:1]),
		"no test voice": WithSpeechVoices(train, nil),
		"option voice":  WithSpeechVoices(train, []string{"-w"}),
		"counts":        WithSpeechCounts(0, 1),
		"speed":         WithSpeechSpeed(200, 100),
		"pitch":         WithSpeechPitch(0, 100),
		"snr":           WithSpeechSNR(30, 10),
		"shift":         WithSpeechShift(-time.Second),
		"digits":        WithDigitLength(0, 3),
		"workers":       WithSpeechWorkers(0),
		"timeout":       WithSpeechTimeout(0),
	} {
		if _, err := SpeechCommands(WithSpeechCacheDir(t.TempDir()), o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestDefaultSpeechVoicesDisjoint(t *testing.T) {
	train, test := DefaultSpeechVoices()
	lang := func(v string) string { return strings.SplitN(v, "+", 2)[0] }
	variant := func(v string) string { return strings.SplitN(v, "+", 2)[1] }
	seenVariant, trainLang, testLang := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, v := range train {
		seenVariant[variant(v)], trainLang[lang(v)] = true, true
	}
	for _, v := range test {
		testLang[lang(v)] = true
		if seenVariant[variant(v)] {
			t.Errorf("test voice %s shares its variant with training", v)
		}
	}
	if len(trainLang) != 8 || len(testLang) != 8 {
		t.Errorf("accents: %v in training, %v in test", trainLang, testLang)
	}
	if len(train) != 56 || len(test) != 40 {
		t.Errorf("%d train and %d test voices", len(train), len(test))
	}
}

func TestSpeechAugmentNoiseAndShift(t *testing.T) {
	c := &speechConfig{snrMin: 10, snrMax: 10, shift: 100 * time.Millisecond}
	clean := make([]float64, 4000)
	for i := range clean {
		clean[i] = math.Sin(float64(i) * 0.3)
	}
	got := c.augment(speechItem{seed: 9, label: 2}, clean, true)
	if len(got.Samples) != SpeechSampleRate || got.SNR != 10 {
		t.Fatalf("%d samples, SNR %g", len(got.Samples), got.SNR)
	}
	// The noise alone: the samples far from the speech (shift <= 1600 samples
	// around a centred 4000-sample signal leaves the first 4400 silent).
	noise := 0.0
	for _, v := range got.Samples[:4000] {
		noise += float64(v) * float64(v)
	}
	noise /= 4000
	signal := 0.0
	for _, v := range got.Samples[6000+1600 : 6000+4000-1600] {
		signal += float64(v) * float64(v)
	}
	signal /= 800
	if snr := 10 * math.Log10(signal/noise); math.Abs(snr-10) > 1 {
		t.Errorf("measured SNR %.2f dB, want 10", snr)
	}
	// Shifts cover both sides of the centre and stay within ±1600 samples.
	rng := rand.New(rand.NewSource(1))
	lo, hi := 0, 0
	for k := 0; k < 200; k++ {
		_, at := placeShifted(clean, SpeechSampleRate, 1600, rng)
		d := at - 6000
		lo, hi = min(lo, d), max(hi, d)
	}
	if lo > -1000 || hi < 1000 || lo < -1600 || hi > 1600 {
		t.Errorf("shifts in [%d, %d], want about ±1600", lo, hi)
	}
	// A clip longer than 1 s is cropped around its centre.
	long := make([]float64, 20000)
	part, at := placeShifted(long, SpeechSampleRate, 1600, rng)
	if len(part) != SpeechSampleRate || at != 0 || &part[0] != &long[2000] {
		t.Errorf("crop: %d samples at %d", len(part), at)
	}
}

func TestFixStreamHeader(t *testing.T) {
	b := make([]byte, 44+7)
	copy(b, "RIFF\xff\xff\xff\x7fWAVEfmt ")
	copy(b[36:], "data\xff\xff\xff\x7f")
	got := fixStreamHeader(b)
	if len(got) != 50 || got[4] != 42 || got[40] != 6 {
		t.Errorf("len %d riff %d data %d", len(got), got[4], got[40])
	}
}

func peakOf(x []float32) float64 {
	p := 0.0
	for _, v := range x {
		p = max(p, math.Abs(float64(v)))
	}
	return p
}

// TestSpeechGroupsSplit checks that one espeak-ng process per group is cut into
// one piece per word for every accent and every variant of the default voices
// (12 voices) at the extreme speeds, and that a piece is about as long as the
// word spoken alone.
func TestSpeechGroupsSplit(t *testing.T) {
	needEspeak(t)
	path, _ := FindEspeak("")
	c, err := newSpeechConfig(nil, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	accents := SpeechAccents()
	variants := []string{"m1", "m2", "m3", "m4", "f1", "f2", "f3", "m5", "m6", "m7", "f4", "f5"}
	words := SpeechWords()
	for k, variant := range variants {
		voice := accents[k%len(accents)] + "+" + variant
		speed := []int{c.speedMin, c.speedMax}[k%2]
		items := make([]speechItem, len(words))
		for i, w := range words {
			items[i] = speechItem{text: w, voice: voice, speed: speed, pitch: 50}
		}
		ssml := "<speak>" + strings.Join(words, `. <break time="`+speechBreak+`"/> `) + ".</speak>"
		x, err := c.speak(context.Background(), path, items[0], ssml, true)
		if err != nil {
			t.Fatal(err)
		}
		parts := splitAtGaps(x, minGap)
		if len(parts) != len(words) {
			t.Errorf("%s at %d wpm: %d pieces for %d words", voice, speed, len(parts), len(words))
			continue
		}
		if k > 0 {
			continue
		}
		for i, it := range items {
			alone, err := c.speak(context.Background(), path, it, it.text, false)
			if err != nil {
				t.Fatal(err)
			}
			a, b := len(trimSilence(alone, trimFraction)), len(trimSilence(parts[i], trimFraction))
			if math.Abs(float64(a-b)) > 0.35*float64(a) {
				t.Errorf("%s %q: %d samples alone, %d in a group", voice, it.text, a, b)
			}
		}
	}
}
