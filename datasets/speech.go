package datasets

import (
	"github.com/pkg/errors"
)

// Speech data sets made by a speech synthesizer.
//
// SpeechCommands and SpokenDigits are recipes rather than files: they call the
// espeak-ng program (Debian/Ubuntu: `apt-get install espeak-ng`) once per clip,
// across English voices and voice variants, speeds and pitches, and keep what it
// says in a cache folder, so that only the first call pays for the synthesis.
// The split is by voice: a voice (language + variant, "en-us+m3") of the test
// split never speaks in the training split, and by default neither does its
// variant, the speaker (see DefaultSpeechVoices).
//
// Pipeline of one clip:
//
//  1. espeak-ng -v VOICE -s SPEED -p PITCH --stdout TEXT (22050 Hz mono 16-bit),
//     with SPEED (words per minute) and PITCH (0-99) drawn uniformly from their
//     ranges and VOICE taken in turn from the split's voices; to save process
//     start-ups one process says a group of texts (SpeechCommands: the 20
//     words; SpokenDigits: 5 sequences) as SSML with 700 ms breaks, cut apart
//     at the silences (each text gets a process of its own if the cut does not
//     give one piece per text);
//  2. resampled to 16 kHz (audio.Resample) and trimmed of the leading and
//     trailing silence (samples below 0.3% of the clip's peak, -50 dB);
//  3. cached as a 16-bit WAV file (the clean clip: steps 1-2 only);
//  4. augmented on every load: scaled to a peak drawn from [0.3, 0.9], placed
//     with a random time shift, and mixed with white Gaussian noise at an SNR
//     drawn from the stated range (decibels, signal power measured over the
//     speech samples).
//
// Everything random is drawn from the seed and the clip's index, so a seed gives
// the same clips (bit for bit for one espeak-ng version) whatever the number of
// workers and whether the clean clips came from the cache or from espeak-ng.

// SpeechSampleRate is the sample rate of every clip, in hertz.
const SpeechSampleRate = 16000

// SpeechClip is one spoken example.
type SpeechClip struct {
	// Samples is the mono signal at SpeechSampleRate, nominally in [-1, 1]:
	// exactly SpeechSampleRate samples (1 s) for SpeechCommands, the speech with
	// its random leading and trailing silence for SpokenDigits.
	Samples []float32
	// Label is the index of the word in SpeechSet.Classes (SpeechCommands), -1
	// for a digit sequence.
	Label int
	// Digits is the transcript of a SpokenDigits clip, 3 to 7 digits 0-9 by
	// default; nil for SpeechCommands.
	Digits []int
	// Text is what espeak-ng was asked to say ("yes", "three one four").
	Text string
	// Voice is the espeak-ng voice and variant, "en-us+m3".
	Voice string
	// Speed (words per minute) and Pitch (0-99) are espeak-ng's -s and -p.
	Speed, Pitch int
	// SNR is the signal-to-noise ratio of the added noise in dB (+Inf: none).
	SNR float64
}

// SpeechSet is a speech data set split by voice.
type SpeechSet struct {
	// Train and Test are the clips of the two splits, spoken by TrainVoices and
	// TestVoices (disjoint).
	Train, Test []SpeechClip
	// Classes are the words, in label order: SpeechWords for SpeechCommands, the
	// ten digit names "zero".."nine" for SpokenDigits (a digit d is class d).
	Classes []string
	// SampleRate is SpeechSampleRate.
	SampleRate int
	// TrainVoices and TestVoices are the voices of the two splits.
	TrainVoices, TestVoices []string
	// Dir is the cache folder of these settings.
	Dir string
	// Generated counts the clips espeak-ng rendered in this call (0: every
	// clean clip came from the cache).
	Generated int
}

// SpeechWords returns the 20 words of SpeechCommands in label order: the ten
// digits "zero" .. "nine" (labels 0-9), then the ten commands of Google's Speech
// Commands "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"
// (labels 10-19). Each call returns a fresh slice.
func SpeechWords() []string {
	return append(digitNames(), "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
}

// digitNames returns "zero" .. "nine".
func digitNames() []string {
	return []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
}

// SpeechCommands returns the 20 words of SpeechWords spoken by espeak-ng, 1 s
// clips at 16 kHz (padded with silence or cropped around the centre, then
// shifted), split by voice. Defaults (see each SpeechOption): 112 clips per word
// for training and 40 per word for testing (2,240 and 800 clips: each word twice
// by each of the 56 training voices, once by each of the 40 test voices), voices
// DefaultSpeechVoices, speed 120-200 wpm, pitch 25-75, SNR 10-30 dB, time shift
// up to ±100 ms, seed 1, GOMAXPROCS workers. A rendition (the 20 words in one
// voice, speed and pitch) is one espeak-ng process: the first call of these
// defaults runs 152 processes for 3,040 clips, under a minute on two cores
// (measured 40 s on two cores shared with other jobs); later calls read the
// cache in a few seconds.
//
// It returns an error naming `apt-get install espeak-ng` when a clip is not
// cached and espeak-ng cannot be found.
func SpeechCommands(opts ...SpeechOption) (*SpeechSet, error) {
	c, err := newSpeechConfig(opts, 112, 40)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.SpeechCommands")
	}
	s, err := c.generate(wordPlan(c))
	return s, errors.Wrap(err, "datasets.SpeechCommands")
}

// SpokenDigits returns sequences of 3 to 7 digits (WithDigitLength) spoken by
// espeak-ng as words ("three one four"), with their transcript in
// SpeechClip.Digits, split by voice. A clip is the speech with up to the time
// shift (default 100 ms) of silence before and after it, plus noise. Defaults
// as for SpeechCommands except the counts: 800 training and 200 test sequences
// (five sequences per espeak-ng process), well under a minute on two cores the
// first time.
func SpokenDigits(opts ...SpeechOption) (*SpeechSet, error) {
	c, err := newSpeechConfig(opts, 800, 200)
	if err != nil {
		return nil, errors.Wrap(err, "datasets.SpokenDigits")
	}
	s, err := c.generate(digitPlan(c))
	return s, errors.Wrap(err, "datasets.SpokenDigits")
}
