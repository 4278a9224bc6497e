package main

import (
	"net/http"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
)

func (s *apiServer) handlePredict(w http.ResponseWriter, r *http.Request) {
	release, ok := s.admit(w)
	if !ok {
		return
	}
	defer release()
	s.predictOn(w, r, s.sm, nil)
}

// predictOn decodes r's body, predicts with sm and writes the answer; tag, when
// not empty, is a list of JSON members ("k":v,) put first in the answer's object
// (the model and version that answered, in a model repository). The caller has
// admitted the request.
func (s *apiServer) predictOn(w http.ResponseWriter, r *http.Request, sm *servingModel, tag []byte) {
	if isWAV(r) {
		s.predictWAV(w, r, sm, tag)
		return
	}
	maxBody := s.cfg.maxBody
	vals, named, where, status, err := decodePredict(http.MaxBytesReader(connWriter(w), r.Body, maxBody), sm, maxBody)
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	ys, err := sm.predict(r.Context(), vals, where)
	if err != nil {
		var bad *badRequest
		status := http.StatusInternalServerError
		switch {
		case errors.As(err, &bad):
			writeError(w, http.StatusBadRequest, bad.Error())
			return
		case r.Context().Err() != nil:
			status = http.StatusServiceUnavailable
			setErrorKind(w, "canceled")
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "predict") {
			msg = "predict: " + msg
		}
		writeError(w, status, msg)
		return
	}
	s.metrics.requestRows.Observe(float64(vals[0].n))
	if !named && len(ys) == 1 {
		y := ys[0]
		o := sm.outs[0]
		if b, ok := appendPredictions(make([]byte, 0, 64+len(tag)+12*y.Shape().TotalSize()), y, o.width > 1 || o.binary, o.names); ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			w.Write(withTag(b, tag))
			return
		}
		writeTagged200(w, rowsResponse(o, outputRows(y)), tag)
		return
	}
	writeTagged200(w, sm.namedAnswer(ys), tag)
}

// withTag puts the JSON members tag ("k":v,) first in the JSON object b.
func withTag(b, tag []byte) []byte {
	if len(tag) == 0 || len(b) < 2 || b[0] != '{' {
		return b
	}
	out := make([]byte, 0, len(b)+len(tag))
	out = append(append(append(out, '{'), tag...), b[1:]...)
	if b[1] == '}' { // an empty object: no member after the tag's comma
		out = append(out[:1+len(tag)-1], b[1:]...)
	}
	return out
}

func handleModel(w http.ResponseWriter, sm *servingModel) {
	params := 0
	for _, p := range sm.model.Params() {
		params += p.Size()
	}
	atts := sm.model.Attachments()
	if atts == nil {
		atts = []string{}
	}
	resp := modelResponse{
		File: filepath.Base(sm.path), DType: sm.model.DType().String(),
		InputShape: sm.ins[0].Shape, OutputShape: sm.outs[0].Shape, Params: params,
		Scaler: sm.scaler != nil, Attachments: atts, Summary: sm.model.Summary(),
	}
	resp.Inputs, resp.Outputs = modelIO(sm)
	writeJSON200(w, resp)
}

// modelIO describes sm's inputs and outputs.
func modelIO(sm *servingModel) (ins []inputInfo, outs []outputInfo) {
	for _, in := range sm.ins {
		ins = append(ins, inputInfo{Name: in.Name, Shape: nonNil(in.Shape), DType: in.DType.String(), Values: in.width, Vocab: in.vocab})
	}
	for _, o := range sm.outs {
		outs = append(outs, outputInfo{Name: o.Name, Shape: nonNil(o.Shape), DType: o.DType.String(), Values: o.width, Classes: o.classes, ClassNames: o.names})
	}
	return ins, outs
}

func nonNil(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

func handleStats(w http.ResponseWriter, sm *servingModel) { writeStats(w, sm.pred.Stats()) }

// writeStats answers GET /v1/stats with the predictor counts st.
func writeStats(w http.ResponseWriter, st trainers.PredictorStats) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	writeJSON200(w, statsResponse{
		Requests: st.Requests, Rows: st.Rows, Batches: st.Batches, Canceled: st.Canceled,
		HeapInuseBytes: ms.HeapInuse, Goroutines: runtime.NumGoroutine(),
	})
}
