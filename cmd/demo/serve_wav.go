package main

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gokeras/gokeras/audio"
	"github.com/pkg/errors"
)

// maxServeBeam is the widest ?beam= a WAV prediction takes.
const maxServeBeam = 256

// isWAV reports whether r's body is declared a WAV file: Content-Type
// audio/wav, audio/x-wav, audio/wave or audio/vnd.wave.
func isWAV(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return false
	}
	switch mt {
	case "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave":
		return true
	}
	return false
}

// predictWAV answers a prediction whose body is a WAV file (at most -max-body
// bytes, 413 beyond) for a speech model, one that carries its audio features
// (demo run kws|digits-ctc -save): the clip's channels are averaged, resampled
// to the model's rate, padded or cut to its input and turned into log-mel
// features, as demo listen does. The answer is {"transcript": "...",
// "seconds": S} for a ctc model (greedy; ?beam=N for prefix beam search of
// width N, at most 256) or {"keyword": "...", "probability": P, "seconds": S}
// for a classifier; "cut": true when the clip was longer than the model's
// input. A model without audio features, or a body that is not a WAV file the
// audio package reads, answers 400.
func (s *apiServer) predictWAV(w http.ResponseWriter, r *http.Request, sm *servingModel, tag []byte) {
	beam := 0
	if v := r.URL.Query().Get("beam"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxServeBeam {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("beam=%q: want a width from 1 to %d", v, maxServeBeam))
			return
		}
		beam = n
	}
	f, err := speechFeatures(sm.model, "the model")
	if err != nil {
		writeError(w, http.StatusBadRequest, "a WAV body needs a speech model: "+err.Error())
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(connWriter(w), r.Body, s.cfg.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the WAV body is over %d bytes (-max-body)", s.cfg.maxBody))
			return
		}
		writeError(w, http.StatusBadRequest, "read the body: "+err.Error())
		return
	}
	clip, err := audio.ReadWAV(bytes.NewReader(body))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	in, res, err := speechInput(sm.model, f, clip, "the WAV body")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	probs, err := sm.pred.Predict(r.Context(), in)
	if err != nil {
		status := http.StatusInternalServerError
		if r.Context().Err() != nil {
			status = http.StatusServiceUnavailable
			setErrorKind(w, "canceled")
		}
		writeError(w, status, "predict: "+err.Error())
		return
	}
	s.metrics.requestRows.Observe(1)
	if res, err = speechAnswer(res, probs, f, beam, "the model"); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeTagged200(w, res, tag)
}
