package audio

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// fixtureTol is the largest absolute difference allowed against the NumPy
// reference (testdata/make_fixtures.py).
const fixtureTol = 1e-4

type fixtureManifest struct {
	Signal     string `json:"signal"`
	SampleRate int    `json:"sample_rate"`
	Configs    map[string]struct {
		NFFT      int      `json:"n_fft"`
		WinLength int      `json:"win_length"`
		Hop       int      `json:"hop"`
		Center    bool     `json:"center"`
		PadMode   string   `json:"pad_mode"`
		Power     float64  `json:"power"`
		NMels     int      `json:"n_mels"`
		FMin      float64  `json:"fmin"`
		FMax      float64  `json:"fmax"`
		HTK       bool     `json:"htk"`
		Norm      *string  `json:"norm"`
		TopDB     float64  `json:"top_db"`
		LogOffset float64  `json:"log_offset"`
		NMFCC     int      `json:"n_mfcc"`
		Keep      []string `json:"keep"`
	} `json:"configs"`
	Arrays map[string]struct {
		Shape  []int `json:"shape"`
		Offset int   `json:"offset"`
	} `json:"arrays"`
	Wavs map[string]struct {
		Rate     int         `json:"rate"`
		Encoding string      `json:"encoding"`
		Samples  [][]float64 `json:"samples"`
	} `json:"wavs"`
}

func loadFixtures(t testing.TB) (*fixtureManifest, []float64) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "fixtures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m fixtureManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(filepath.Join("testdata", "fixtures.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bin)%8 != 0 {
		t.Fatalf("fixtures.bin has %d bytes, not a multiple of 8", len(bin))
	}
	vals := make([]float64, len(bin)/8)
	for i := range vals {
		vals[i] = math.Float64frombits(binary.LittleEndian.Uint64(bin[8*i:]))
	}
	return &m, vals
}

// fixtureArray returns the 2-D array name ("A/mfcc") from the fixtures.
func fixtureArray(t *testing.T, m *fixtureManifest, vals []float64, name string) [][]float64 {
	t.Helper()
	a, ok := m.Arrays[name]
	if !ok || len(a.Shape) != 2 {
		t.Fatalf("fixture %s missing or not 2-D", name)
	}
	out := make([][]float64, a.Shape[0])
	for i := range out {
		out[i] = vals[a.Offset+i*a.Shape[1] : a.Offset+(i+1)*a.Shape[1]]
	}
	return out
}

// maxAbsDiff compares shapes (failing the test on a mismatch) and returns the
// largest absolute difference.
func maxAbsDiff(t *testing.T, name string, got, want [][]float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", name, len(got), len(want))
	}
	worst := 0.0
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("%s: row %d has %d values, want %d", name, i, len(got[i]), len(want[i]))
		}
		for j := range want[i] {
			d := math.Abs(got[i][j] - want[i][j])
			if !(d <= worst) { // NaN counts as worst
				worst = d
			}
		}
	}
	return worst
}

func TestFeaturesMatchNumPy(t *testing.T) {
	m, vals := loadFixtures(t)
	clip, err := ReadWAVFile(filepath.Join("testdata", m.Signal))
	if err != nil {
		t.Fatal(err)
	}
	if clip.SampleRate != m.SampleRate || clip.Channels() != 1 || clip.Encoding != PCM16 {
		t.Fatalf("signal: rate %d channels %d encoding %v", clip.SampleRate, clip.Channels(), clip.Encoding)
	}
	x := clip.Samples[0]
	checked := 0
	defer func() {
		if checked != 14 || len(m.Arrays) != 14 {
			t.Errorf("checked %d of %d fixture arrays, want 14", checked, len(m.Arrays))
		}
	}()
	for name, c := range m.Configs {
		opts := []Option{WithNFFT(c.NFFT), WithWinLength(c.WinLength), WithHopLength(c.Hop),
			WithCenter(c.Center), WithPower(c.Power), WithNMels(c.NMels), WithFMin(c.FMin),
			WithFMax(c.FMax), WithTopDB(c.TopDB), WithLogOffset(c.LogOffset), WithNMFCC(c.NMFCC)}
		if c.PadMode == "constant" {
			opts = append(opts, WithPadMode(PadConstant))
		}
		if c.HTK {
			opts = append(opts, WithMelScale(MelHTK))
		}
		if c.Norm == nil {
			opts = append(opts, WithMelNorm(MelNormNone))
		}
		if name == "defaults" {
			opts = nil // the fixture's config must be the package defaults
		}
		e, err := NewExtractor(m.SampleRate, opts...)
		if err != nil {
			t.Fatal(err)
		}
		for key := range m.Arrays {
			cfgName, feat := filepath.Split(key)
			if cfgName != name+"/" {
				continue
			}
			want := fixtureArray(t, m, vals, key)
			var got [][]float64
			switch feat {
			case "spectrogram":
				got, err = e.Spectrogram(x)
			case "mel_filterbank":
				got, err = MelFilterbank(m.SampleRate, opts...)
			case "mel":
				got, err = e.MelSpectrogram(x)
			case "logmel":
				got, err = e.LogMelSpectrogram(x)
			case "mfcc":
				got, err = e.MFCC(x)
			case "stft_re", "stft_im":
				var s [][]complex128
				s, err = STFT(x, opts...)
				got = make([][]float64, len(s))
				for i, row := range s {
					got[i] = make([]float64, len(row))
					for j, v := range row {
						if feat == "stft_re" {
							got[i][j] = real(v)
						} else {
							got[i][j] = imag(v)
						}
					}
				}
			default:
				t.Fatalf("unknown fixture %s", key)
			}
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			checked++
			d := maxAbsDiff(t, key, got, want)
			t.Logf("%-22s shape %dx%d  max |Go - NumPy| = %.3g", key, len(want), len(want[0]), d)
			if !(d <= fixtureTol) {
				t.Errorf("%s: max abs difference %g > %g", key, d, fixtureTol)
			}
		}
	}
}

func TestReadWAVIndependentWriters(t *testing.T) {
	m, _ := loadFixtures(t)
	if len(m.Wavs) < 7 {
		t.Fatalf("only %d WAV fixtures", len(m.Wavs))
	}
	for file, want := range m.Wavs {
		t.Run(file, func(t *testing.T) {
			c, err := ReadWAVFile(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			if c.SampleRate != want.Rate || c.Encoding.String() != want.Encoding {
				t.Fatalf("rate %d encoding %v, want %d %s", c.SampleRate, c.Encoding, want.Rate, want.Encoding)
			}
			if d := maxAbsDiff(t, file, c.Samples, want.Samples); d != 0 {
				t.Fatalf("samples differ by up to %g", d)
			}
		})
	}
}
