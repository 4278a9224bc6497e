package datasets

import (
	"math/rand"
	"strings"
)

// SpeechAccents are the eight English accents (espeak-ng languages) of the
// default voices: American, British, Received Pronunciation, Caribbean,
// Scottish, New York City, Lancaster and West Midlands.
func SpeechAccents() []string {
	return []string{"en-us", "en-gb", "en-gb-x-rp", "en-029", "en-gb-scotland", "en-us-nyc",
		"en-gb-x-gbclan", "en-gb-x-gbcwmd"}
}

// DefaultSpeechVoices returns the default voices of SpeechCommands and
// SpokenDigits: every accent of SpeechAccents with a speaker variant, the
// variants of the two splits disjoint. A test speaker (variant: formants, pitch
// and voice quality) is never heard in training, in any accent; the accents,
// like the dialects of Google's Speech Commands, occur in both splits.
//
//	train: 8 accents x variants m1 m2 m3 m4 f1 f2 f3: 56 voices ("en-us+m1", ...)
//	test:  8 accents x variants m5 m6 m7 f4 f5:        40 voices
//
// To hold out accents as well, give the splits voices of different accents
// with WithSpeechVoices. Measured with the "kws" recipe (which reaches 0.97 on
// these defaults): training on the first four accents and testing on the last
// four (variants split as here, 2,000 and 500 clips) gives 0.85, "go", "no" and
// "two", and "down" and "nine", sounding alike across those accents. Each call
// returns fresh slices.
func DefaultSpeechVoices() (train, test []string) {
	cross := func(langs, variants []string) []string {
		var out []string
		for _, l := range langs {
			for _, v := range variants {
				out = append(out, l+"+"+v)
			}
		}
		return out
	}
	train = cross(SpeechAccents(), []string{"m1", "m2", "m3", "m4", "f1", "f2", "f3"})
	test = cross(SpeechAccents(), []string{"m5", "m6", "m7", "f4", "f5"})
	return train, test
}

// speechItem is one clip to make: what to say, how, and its labels.
type speechItem struct {
	text         string
	label        int
	digits       []int
	voice        string
	speed, pitch int
	seed         int64 // the clip's own seed (augmentation)
	// group: consecutive items of a split with the same group share voice,
	// speed and pitch and are spoken by one espeak-ng process.
	group int
}

// speechPlan lists the clips of both splits.
type speechPlan struct {
	kind        string // "words" or "digits"
	classes     []string
	fixedLength bool // 1 s clips (words) or speech plus silence (digits)
	train, test []speechItem
}

// clipSeed derives the seed of clip i of a split from the data set's seed.
func clipSeed(seed int64, split, i int) int64 {
	z := uint64(seed) ^ uint64(split)<<56 ^ uint64(i)*0x9E3779B97F4A7C15
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return int64(z ^ z>>31)
}

// draw returns a group's speed and pitch, drawn from seed.
func (c *speechConfig) draw(seed int64) (speed, pitch int) {
	rng := rand.New(rand.NewSource(seed))
	speed = c.speedMin + rng.Intn(c.speedMax-c.speedMin+1)
	pitch = c.pitchMin + rng.Intn(c.pitchMax-c.pitchMin+1)
	return speed, pitch
}

// digitGroup is the number of digit sequences spoken by one espeak-ng process.
const digitGroup = 5

// wordPlan: rendition r (clips r*20 .. r*20+19 of a split, the 20 words in
// label order) is spoken by voice r mod V at a speed and pitch of its own, so
// every voice says every word equally often (give or take one).
func wordPlan(c *speechConfig) speechPlan {
	words := SpeechWords()
	p := speechPlan{kind: "words", classes: words, fixedLength: true}
	for s, per := range []int{c.train, c.test} {
		voices := [][]string{c.trainVoices, c.testVoices}[s]
		items := make([]speechItem, 0, per*len(words))
		for r := 0; r < per; r++ {
			speed, pitch := c.draw(clipSeed(c.seed, s+2, r))
			for w, word := range words {
				items = append(items, speechItem{text: word, label: w, voice: voices[r%len(voices)],
					speed: speed, pitch: pitch, seed: clipSeed(c.seed, s, len(items)), group: r})
			}
		}
		if s == 0 {
			p.train = items
		} else {
			p.test = items
		}
	}
	return p
}

// digitPlan: sequence i of a split belongs to group g = i/digitGroup, spoken by
// voice g mod V at a speed and pitch of its own; its length and digits are
// drawn from its seed.
func digitPlan(c *speechConfig) speechPlan {
	names := digitNames()
	p := speechPlan{kind: "digits", classes: names}
	for s, n := range []int{c.train, c.test} {
		voices := [][]string{c.trainVoices, c.testVoices}[s]
		items := make([]speechItem, n)
		for i := range items {
			seed := clipSeed(c.seed, s, i)
			rng := rand.New(rand.NewSource(seed ^ 0x5eed))
			digits := make([]int, c.digitsMin+rng.Intn(c.digitsMax-c.digitsMin+1))
			words := make([]string, len(digits))
			for j := range digits {
				digits[j] = rng.Intn(10)
				words[j] = names[digits[j]]
			}
			g := i / digitGroup
			speed, pitch := c.draw(clipSeed(c.seed, s+2, g))
			items[i] = speechItem{text: strings.Join(words, " "), label: -1, digits: digits,
				voice: voices[g%len(voices)], speed: speed, pitch: pitch, seed: seed, group: g}
		}
		if s == 0 {
			p.train = items
		} else {
			p.test = items
		}
	}
	return p
}
