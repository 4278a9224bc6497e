package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/audio"
	"github.com/gokeras/gokeras/graph"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/zoo"
)

// listenFeatures are tiny audio features: 0.1 s at 8 kHz, 11 frames of 8 mels.
func listenFeatures(output string, labels ...string) zoo.AudioFeatures {
	return zoo.AudioFeatures{SampleRate: 8000, Samples: 800, Align: "start", NFFT: 128, WinLength: 128,
		HopLength: 80, NMels: 8, Frames: 11, Output: output, Labels: labels}
}

// listenModel saves a model whose output ignores its input (zero kernel) and
// favours class best by its bias (2 for a classifier, 8 for a ctc model, so that
// beam search agrees with greedy decoding): a ctc model of output (11, len(labels)) or a
// classifier of output (len(labels)). attach adds the audio features.
func listenModel(t *testing.T, f zoo.AudioFeatures, best int, attach bool) string {
	t.Helper()
	ls := []layers.Layer{layers.Input(f.Frames, f.NMels, 1)}
	if f.Output == "ctc" {
		ls = append(ls, layers.Reshape([]int{f.Frames, f.NMels}))
	} else {
		ls = append(ls, layers.Flatten())
	}
	ls = append(ls, layers.Dense(len(f.Labels), layers.WithActivation("softmax"),
		layers.WithKernelInitializer(graph.Constant{V: 0})))
	m := layers.NewSequential(ls...)
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	logit := float32(2)
	if f.Output == "ctc" {
		logit = 8
	}
	for _, p := range m.Params() {
		if strings.HasSuffix(p.Name, "/bias") {
			p.Value.Data().([]float32)[best] = logit
		}
	}
	if attach {
		if err := zoo.AttachAudioFeatures(m, f); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "model.json")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// listenWAV writes 0.05 s of a 440 Hz tone at 16 kHz (resampled by listen).
func listenWAV(t *testing.T) string {
	t.Helper()
	x := make([]float64, 800)
	for i := range x {
		x[i] = 0.5 * math.Sin(2*math.Pi*440*float64(i)/16000)
	}
	c, err := audio.NewClip(16000, x)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tone.wav")
	if err := audio.WriteWAVFile(path, c); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestListen transcribes with a ctc model (greedy and beam search: every frame
// says class 2, so one "two") and classifies with a classifier (class 1 of 2
// at probability e²/(1+e²)), as text and as JSON.
func TestListen(t *testing.T) {
	wav := listenWAV(t)
	ctcModel := listenModel(t, listenFeatures("ctc", "", "one", "two"), 2, true)
	for _, beam := range []string{"0", "8"} {
		code, out, errOut := runDemo("listen", "-model", ctcModel, "-wav", wav, "-beam", beam)
		if code != exitOK || out != "two\n" {
			t.Errorf("beam %s: exit %d, stdout %q, stderr %q; want \"two\"", beam, code, out, errOut)
		}
	}
	code, out, errOut := runDemo("listen", "-model", ctcModel, "-wav", wav, "-json")
	var got struct {
		Transcript string  `json:"transcript"`
		Seconds    float64 `json:"seconds"`
	}
	if err := json.Unmarshal([]byte(out), &got); code != exitOK || err != nil || got.Transcript != "two" || math.Abs(got.Seconds-0.05) > 1e-3 {
		t.Errorf("-json: exit %d, stdout %q (%v), stderr %q", code, out, err, errOut)
	}

	kws := listenModel(t, listenFeatures("classes", "no", "yes"), 1, true)
	code, out, errOut = runDemo("listen", "-model", kws, "-wav", wav)
	if want := "yes 0.8808\n"; code != exitOK || out != want {
		t.Errorf("classifier: exit %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
	}
	code, out, _ = runDemo("listen", "-model", kws, "-wav", wav, "-json")
	var cls struct {
		Keyword     string  `json:"keyword"`
		Probability float64 `json:"probability"`
	}
	if err := json.Unmarshal([]byte(out), &cls); code != exitOK || err != nil || cls.Keyword != "yes" || math.Abs(cls.Probability-0.8808) > 1e-4 {
		t.Errorf("classifier -json: exit %d, stdout %q (%v)", code, out, err)
	}
}

// TestListenErrors checks the flags and a model without audio features.
func TestListenErrors(t *testing.T) {
	wav := listenWAV(t)
	bare := listenModel(t, listenFeatures("ctc", "", "one"), 1, false)
	good := listenModel(t, listenFeatures("ctc", "", "one"), 1, true)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-wav", wav}, exitUsage, "-model is required"},
		{[]string{"-model", bare}, exitUsage, "-wav is required"},
		{[]string{"-model", bare, "-wav", wav, "-beam", "-1"}, exitUsage, "-beam -1"},
		{[]string{"-model", bare, "-wav", wav}, exitFailure, `no "audio_features" attachment`},
		{[]string{"-model", good, "-wav", filepath.Join(t.TempDir(), "none.wav")}, exitFailure, "none.wav"},
	} {
		code, _, errOut := runDemo(append([]string{"listen"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.msg)
		}
	}
}
