package audio

import (
	"math"
	"math/cmplx"
	"strings"
	"sync"
	"testing"
)

func TestOptionErrors(t *testing.T) {
	cases := []struct {
		opts []Option
		want string
	}{
		{[]Option{WithNFFT(0)}, "nFFT 0"},
		{[]Option{WithNFFT(256), WithWinLength(300)}, "winLength 300"},
		{[]Option{WithHopLength(-1)}, "hop length -1"},
		{[]Option{WithWindow(WindowKind(9))}, "unknown window"},
		{[]Option{WithPadMode(PadMode(9))}, "unknown pad mode"},
		{[]Option{WithPower(0)}, "power 0"},
		{[]Option{WithAmin(0)}, "amin"},
		{[]Option{WithRef(-1)}, "ref"},
		{[]Option{WithLogOffset(-1)}, "log offset"},
		{[]Option{WithTopDB(math.NaN())}, "topDB"},
		{[]Option{WithMelScale(MelScale(7))}, "unknown mel scale"},
		{[]Option{WithMelNorm(MelNorm(7))}, "unknown mel norm"},
		{[]Option{WithNMels(0)}, "nMels 0"},
		{[]Option{WithFMin(9000)}, "mel range"},
		{[]Option{WithFMin(-1)}, "mel range"},
		{[]Option{WithNMels(10), WithNMFCC(11)}, "nMFCC 11"},
	}
	for _, tc := range cases {
		_, err := NewExtractor(16000, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
	}
	if _, err := NewExtractor(0); err == nil {
		t.Error("sample rate 0: no error")
	}
	if _, err := MelFilterbank(-5); err == nil {
		t.Error("MelFilterbank rate -5: no error")
	}
}

func TestNumFrames(t *testing.T) {
	cases := []struct {
		n, nFFT, hop int
		center       bool
		want         int
	}{
		{16000, 512, 160, true, 101},
		{16000, 512, 160, false, 97},
		{2400, 2048, 512, true, 5},
		{100, 512, 160, false, 0},
		{512, 512, 160, false, 1},
		{10, 7, 3, true, 4}, // odd nFFT: padded by 3 each side, 16 samples
	}
	for _, tc := range cases {
		if got := NumFrames(tc.n, tc.nFFT, tc.hop, tc.center); got != tc.want {
			t.Errorf("NumFrames(%d, %d, %d, %v) = %d, want %d", tc.n, tc.nFFT, tc.hop, tc.center, got, tc.want)
		}
	}
}

func TestWindow(t *testing.T) {
	cases := []struct {
		kind WindowKind
		n    int
		want []float64
	}{
		{HannPeriodic, 4, []float64{0, 0.5, 1, 0.5}},
		{HannSymmetric, 3, []float64{0, 1, 0}},
		{HannSymmetric, 1, []float64{1}},
		{HammingPeriodic, 2, []float64{0.08, 1}},
		{Rectangular, 3, []float64{1, 1, 1}},
	}
	for _, tc := range cases {
		got, err := Window(tc.kind, tc.n)
		if err != nil {
			t.Fatal(err)
		}
		for i := range tc.want {
			if math.Abs(got[i]-tc.want[i]) > 1e-15 {
				t.Errorf("window %d n %d: %v, want %v", tc.kind, tc.n, got, tc.want)
				break
			}
		}
	}
	if _, err := Window(HannPeriodic, 0); err == nil {
		t.Error("length 0: no error")
	}
}

func TestMelScale(t *testing.T) {
	cases := []struct {
		hz, mel float64
		s       MelScale
	}{
		{0, 0, MelSlaney},
		{500, 7.5, MelSlaney},
		{1000, 15, MelSlaney},
		{6400, 42, MelSlaney}, // 15 + 27 exactly at 6.4 kHz
		{0, 0, MelHTK},
		{700, 2595 * math.Log10(2), MelHTK},
	}
	for _, tc := range cases {
		if got := HzToMel(tc.hz, tc.s); math.Abs(got-tc.mel) > 1e-9 {
			t.Errorf("HzToMel(%v, %d) = %v, want %v", tc.hz, tc.s, got, tc.mel)
		}
		for _, f := range []float64{tc.hz, 123.4, 5678.9} {
			if back := MelToHz(HzToMel(f, tc.s), tc.s); math.Abs(back-f) > 1e-9*math.Max(1, f) {
				t.Errorf("scale %d: %v Hz round-trips to %v", tc.s, f, back)
			}
		}
	}
}

// naiveDFT is an O(n^2) real DFT for checking the FFT path.
func naiveDFT(x []float64) []complex128 {
	n := len(x)
	out := make([]complex128, n/2+1)
	for k := range out {
		for i, v := range x {
			out[k] += complex(v, 0) * cmplx.Exp(complex(0, -2*math.Pi*float64(k*i)/float64(n)))
		}
	}
	return out
}

func TestSTFTMatchesNaiveDFT(t *testing.T) {
	x := sine(440, 0.5, 8000, 900)
	for i := range x {
		x[i] += 0.1 * math.Cos(float64(i*i)*0.01)
	}
	for _, tc := range []struct{ nFFT, win, hop int }{{400, 400, 100}, {256, 200, 64}, {99, 60, 33}} {
		s, err := STFT(x, WithNFFT(tc.nFFT), WithWinLength(tc.win), WithHopLength(tc.hop), WithCenter(false))
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != NumFrames(len(x), tc.nFFT, tc.hop, false) || len(s[0]) != tc.nFFT/2+1 {
			t.Fatalf("shape %dx%d", len(s), len(s[0]))
		}
		w, _ := Window(HannPeriodic, tc.win)
		off := (tc.nFFT - tc.win) / 2
		for _, fr := range []int{0, len(s) - 1} {
			seg := make([]float64, tc.nFFT)
			for i := range w {
				seg[off+i] = w[i] * x[fr*tc.hop+off+i]
			}
			want := naiveDFT(seg)
			for k := range want {
				if cmplx.Abs(s[fr][k]-want[k]) > 1e-9 {
					t.Fatalf("nFFT %d frame %d bin %d: %v, want %v", tc.nFFT, fr, k, s[fr][k], want[k])
				}
			}
		}
	}
}

func TestPadding(t *testing.T) {
	// Rectangular window, hop 1: bin 0 of frame t is the sum of the padded
	// signal over [t, t+nFFT). Expected padded signals from numpy.pad.
	cases := []struct {
		x      []float64
		mode   PadMode
		padded []float64
	}{
		{[]float64{1, 2, 3}, PadReflect, []float64{1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3}},
		{[]float64{5}, PadReflect, []float64{5, 5, 5, 5, 5, 5, 5, 5, 5}},
		{[]float64{1, 2, 3}, PadConstant, []float64{0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0}},
	}
	for _, tc := range cases {
		s, err := STFT(tc.x, WithNFFT(8), WithHopLength(1), WithWindow(Rectangular), WithPadMode(tc.mode))
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != len(tc.x)+1 {
			t.Fatalf("%v: %d frames, want %d", tc.x, len(s), len(tc.x)+1)
		}
		for fr := range s {
			var want float64
			for _, v := range tc.padded[fr : fr+8] {
				want += v
			}
			if math.Abs(real(s[fr][0])-want) > 1e-12 {
				t.Errorf("%v mode %d frame %d: DC %v, want %v", tc.x, tc.mode, fr, real(s[fr][0]), want)
			}
		}
	}
}

func TestFeatureShapesAndErrors(t *testing.T) {
	x := sine(1000, 0.5, 16000, 16000)
	e, err := NewExtractor(16000, WithNFFT(512), WithHopLength(160), WithWinLength(400), WithNMels(40), WithNMFCC(13))
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.MFCC(x)
	if err != nil || len(m) != 101 || len(m[0]) != 13 {
		t.Fatalf("MFCC shape %dx?, err %v", len(m), err)
	}
	lm, _ := e.LogMelSpectrogram(x)
	if len(lm[0]) != 40 {
		t.Fatalf("log-mel has %d bands", len(lm[0]))
	}
	// The 1 kHz tone peaks in the mel band whose centre is nearest 1 kHz.
	fb, _ := MelFilterbank(16000, WithNFFT(512), WithNMels(40))
	peakBin := 32 // 1000 Hz * 512 / 16000
	best, bestBand := 0.0, -1
	for b := range fb {
		if fb[b][peakBin] > best {
			best, bestBand = fb[b][peakBin], b
		}
	}
	row := lm[50]
	argmax := 0
	for b := range row {
		if row[b] > row[argmax] {
			argmax = b
		}
	}
	if argmax != bestBand {
		t.Errorf("log-mel peak in band %d, want %d", argmax, bestBand)
	}
	// Magnitude is the square root of power.
	p, _ := Spectrogram(x[:2000], WithNFFT(256))
	mag, _ := Spectrogram(x[:2000], WithNFFT(256), WithPower(1))
	for i := range p {
		for k := range p[i] {
			if math.Abs(math.Sqrt(p[i][k])-mag[i][k]) > 1e-9 {
				t.Fatalf("power/magnitude mismatch at %d,%d", i, k)
			}
		}
	}
	if _, err := e.MFCC(nil); err == nil {
		t.Error("empty signal: no error")
	}
	if _, err := STFT(x[:100], WithNFFT(512), WithCenter(false)); err == nil {
		t.Error("short signal without centring: no error")
	}
	for _, f := range []func() error{
		func() error { _, err := MFCC(x, 16000, WithNMFCC(0)); return err },
		func() error { _, err := LogMelSpectrogram(x, 0); return err },
		func() error { _, err := MelSpectrogram(x, 16000, WithFMax(-3)); return err },
		func() error { _, err := Spectrogram(x, WithPower(-2)); return err },
	} {
		if f() == nil {
			t.Error("bad options: no error")
		}
	}
}

func TestPowerToDBAndDCT(t *testing.T) {
	s := [][]float64{{1, 10, 1e-12}, {100, 0, 1e-5}}
	db, err := PowerToDB(s)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{0, 10, -60}, {20, -60, -50}}
	if d := maxAbsDiff(t, "dB", db, want); d > 1e-12 {
		t.Errorf("PowerToDB %v, want %v", db, want)
	}
	if s[0][2] != 1e-12 {
		t.Error("PowerToDB modified its input")
	}
	raw, _ := PowerToDB(s, WithTopDB(0), WithRef(10))
	if math.Abs(raw[1][1]-(-110)) > 1e-12 || math.Abs(raw[0][0]-(-10)) > 1e-12 {
		t.Errorf("no top_db, ref 10: %v", raw)
	}
	// Orthonormal: a constant maps to its first coefficient, norms are kept.
	c, _ := DCT([]float64{2, 2, 2, 2}, 4)
	if math.Abs(c[0]-4) > 1e-12 || math.Abs(c[1])+math.Abs(c[2])+math.Abs(c[3]) > 1e-12 {
		t.Errorf("DCT of constant %v", c)
	}
	x := []float64{0.3, -1, 2, 0.5, 7}
	y, _ := DCT(x, 5)
	var nx, ny float64
	for i := range x {
		nx += x[i] * x[i]
		ny += y[i] * y[i]
	}
	if math.Abs(nx-ny) > 1e-12 {
		t.Errorf("DCT changed the norm: %v -> %v", nx, ny)
	}
	if _, err := DCT(x, 6); err == nil {
		t.Error("DCT k > n: no error")
	}
}

func TestLogOffsetAndConcurrency(t *testing.T) {
	x := sine(300, 0.2, 8000, 4000)
	mel, _ := MelSpectrogram(x, 8000, WithNFFT(256), WithNMels(20))
	ln, _ := LogMelSpectrogram(x, 8000, WithNFFT(256), WithNMels(20), WithLogOffset(1e-6))
	for i := range mel {
		for j := range mel[i] {
			if math.Abs(ln[i][j]-math.Log(mel[i][j]+1e-6)) > 1e-12 {
				t.Fatalf("log offset at %d,%d", i, j)
			}
		}
	}
	e, _ := NewExtractor(8000, WithNFFT(256), WithNMels(20))
	ref, _ := e.MFCC(x)
	var wg sync.WaitGroup
	errs := make([]float64, 4)
	for g := range errs {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			m, err := e.MFCC(x)
			if err != nil {
				errs[g] = math.Inf(1)
				return
			}
			for i := range ref {
				for j := range ref[i] {
					errs[g] = math.Max(errs[g], math.Abs(m[i][j]-ref[i][j]))
				}
			}
		}(g)
	}
	wg.Wait()
	for g, d := range errs {
		if d != 0 {
			t.Errorf("goroutine %d differs by %v", g, d)
		}
	}
}
