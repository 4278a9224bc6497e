package audio

import (
	"math"
	"strings"
	"testing"
)

func sine(freq, amp float64, rate, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)+0.3)
	}
	return x
}

// toneFit measures x (sampled at rate) away from its edges: the frequency from
// interpolated upward zero crossings, and the amplitude and RMS residual of a
// least-squares sine (any phase) at the expected frequency want.
func toneFit(x []float64, rate int, want float64) (freq, amp, resid float64) {
	lo, hi := len(x)/5, len(x)*4/5
	var first, last float64
	count := 0
	for i := lo; i < hi-1; i++ {
		if x[i] < 0 && x[i+1] >= 0 {
			tc := float64(i) + x[i]/(x[i]-x[i+1])
			if count == 0 {
				first = tc
			}
			last = tc
			count++
		}
	}
	if count < 2 {
		return 0, 0, math.Inf(1)
	}
	freq = float64(count-1) / (last - first) * float64(rate)
	var ss, sc, cc, xs, xc float64
	for i := lo; i < hi; i++ {
		ph := 2 * math.Pi * want * float64(i) / float64(rate)
		s, c := math.Sin(ph), math.Cos(ph)
		ss += s * s
		sc += s * c
		cc += c * c
		xs += x[i] * s
		xc += x[i] * c
	}
	det := ss*cc - sc*sc
	a := (xs*cc - xc*sc) / det
	b := (xc*ss - xs*sc) / det
	amp = math.Hypot(a, b)
	var e float64
	for i := lo; i < hi; i++ {
		ph := 2 * math.Pi * want * float64(i) / float64(rate)
		d := x[i] - a*math.Sin(ph) - b*math.Cos(ph)
		e += d * d
	}
	return freq, amp, math.Sqrt(e / float64(hi-lo))
}

func TestResampleSineSurvives(t *testing.T) {
	cases := []struct {
		name  string
		freq  float64
		rates []int // chain of rates
	}{
		{"16k->8k->16k 1kHz", 1000, []int{16000, 8000, 16000}},
		{"16k->8k->16k 3kHz", 3000, []int{16000, 8000, 16000}},
		{"44.1k->16k 1kHz", 1000, []int{44100, 16000}},
		{"44.1k->16k 6.5kHz", 6500, []int{44100, 16000}},
		{"8k->44.1k 440Hz", 440, []int{8000, 44100}},
		{"48k->44.1k 10kHz", 10000, []int{48000, 44100}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			const amp = 0.6
			x := sine(tc.freq, amp, tc.rates[0], tc.rates[0]/2)
			n0 := len(x)
			for i := 1; i < len(tc.rates); i++ {
				y, err := Resample(x, tc.rates[i-1], tc.rates[i])
				if err != nil {
					t.Fatal(err)
				}
				want := (len(x)*tc.rates[i] + tc.rates[i-1] - 1) / tc.rates[i-1]
				if len(y) != want {
					t.Fatalf("step %d: %d samples, want %d", i, len(y), want)
				}
				x = y
			}
			last := tc.rates[len(tc.rates)-1]
			if got := float64(len(x)) / float64(last); math.Abs(got-float64(n0)/float64(tc.rates[0])) > 1e-3 {
				t.Errorf("duration %v s, want %v", got, float64(n0)/float64(tc.rates[0]))
			}
			f, a, r := toneFit(x, last, tc.freq)
			t.Logf("freq %.4f Hz amp %.6f residual rms %.2e", f, a, r)
			if math.Abs(f-tc.freq) > 1e-3*tc.freq {
				t.Errorf("frequency %v Hz, want %v", f, tc.freq)
			}
			if math.Abs(a-amp) > 5e-4*amp {
				t.Errorf("amplitude %v, want %v", a, amp)
			}
			if r > 1e-4 {
				t.Errorf("residual rms %v: the tone is distorted", r)
			}
		})
	}
}

func TestResampleRemovesAliases(t *testing.T) {
	// 6 kHz is above the 4 kHz Nyquist frequency of 8 kHz: it must be filtered
	// out, not folded to 2 kHz.
	x := sine(6000, 0.8, 16000, 8000)
	y, err := Resample(x, 16000, 8000)
	if err != nil {
		t.Fatal(err)
	}
	var e float64
	for _, v := range y[len(y)/5 : len(y)*4/5] {
		e += v * v
	}
	rms := math.Sqrt(e / float64(len(y)*3/5))
	if rms > 1e-3 {
		t.Errorf("6 kHz tone after 16k->8k has rms %v, want < 1e-3 (aliasing)", rms)
	}
}

func TestResampleBasics(t *testing.T) {
	// DC passes with gain 1 away from the edges.
	dc := make([]float64, 4000)
	for i := range dc {
		dc[i] = 0.5
	}
	y, err := Resample(dc, 44100, 16000)
	if err != nil {
		t.Fatal(err)
	}
	for i := 200; i < len(y)-200; i++ {
		if math.Abs(y[i]-0.5) > 1e-4 {
			t.Fatalf("DC sample %d = %v, want 0.5", i, y[i])
		}
	}
	// Equal rates copy; empty input gives empty output.
	x := []float64{1, 2, 3}
	same, _ := Resample(x, 8000, 8000)
	same[0] = 9
	if x[0] != 1 {
		t.Error("equal rates returned the input slice, not a copy")
	}
	if e, err := Resample(nil, 8000, 16000); err != nil || len(e) != 0 {
		t.Errorf("empty: %v %v", e, err)
	}
	// Upsampling by 2 keeps the original samples (the sinc interpolates).
	s := sine(500, 0.5, 8000, 2000)
	u, _ := Resample(s, 8000, 16000)
	for i := 300; i < 1700; i++ {
		if math.Abs(u[2*i]-s[i]) > 1e-3 {
			t.Fatalf("upsampled u[%d] = %v, want s[%d] = %v", 2*i, u[2*i], i, s[i])
		}
	}
	// An awkward ratio works, and the taps computed per sample (no polyphase
	// table) give the same result as the table.
	a, _ := Resample(s, 8000, 7919)
	f, amp, _ := toneFit(a, 7919, 500)
	if math.Abs(f-500) > 0.5 || math.Abs(amp-0.5) > 1e-3 {
		t.Errorf("8000->7919: freq %v amp %v", f, amp)
	}
	noTable, _ := Resample(s, 8000, 7919, func(c *resampleConfig) { c.tableLimit = 0 })
	for i := range a {
		if math.Abs(a[i]-noTable[i]) > 1e-12 {
			t.Fatalf("sample %d: table %v, no table %v", i, a[i], noTable[i])
		}
	}
	c, _ := NewClip(8000, s, s)
	rc, err := ResampleClip(c, 16000)
	if err != nil || rc.SampleRate != 16000 || rc.Channels() != 2 || rc.Frames() != 4000 {
		t.Fatalf("ResampleClip: %+v %v", rc, err)
	}
}

func TestResampleErrors(t *testing.T) {
	cases := []struct {
		from, to int
		opts     []ResampleOption
		want     string
	}{
		{0, 8000, nil, "rates must be > 0"},
		{8000, -1, nil, "rates must be > 0"},
		{8000, 16000, []ResampleOption{WithZeroCrossings(0)}, "zero crossings"},
		{8000, 16000, []ResampleOption{WithRolloff(1.5)}, "rolloff"},
		{8000, 16000, []ResampleOption{WithRolloff(math.NaN())}, "rolloff"},
		{8000, 16000, []ResampleOption{WithKaiserBeta(-1)}, "Kaiser beta"},
	}
	for _, tc := range cases {
		_, err := Resample([]float64{1}, tc.from, tc.to, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d->%d: error %v, want %q", tc.from, tc.to, err, tc.want)
		}
	}
	if _, err := ResampleClip(&Clip{}, 8000); err == nil {
		t.Error("ResampleClip of an invalid clip: no error")
	}
}
