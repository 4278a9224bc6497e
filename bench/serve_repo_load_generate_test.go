package bench

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gokeras/gokeras/serving/client"
)

// rlGenResult is one generation of phase 2: the time to the first piece (at
// the client and as the server reports it), the whole duration, the tokens and
// the text, or the error.
type rlGenResult struct {
	ttft, serverTTFT, dur time.Duration
	tokens                int
	text                  string
	err                   error
}

// rlGenerate streams one generation of rlGenTokens tokens of rlGenModel with
// rlGenSeed, through the Go client gc, and checks its done event.
func rlGenerate(ctx context.Context, gc *client.Client) rlGenResult {
	maxTokens, seed := rlGenTokens, int64(rlGenSeed)
	var r rlGenResult
	sctx, cancel := context.WithTimeout(ctx, rlStreamTimeout)
	defer cancel()
	t0 := time.Now()
	st, err := gc.Generate(sctx, rlGenModel, 0, client.GenerateRequest{Prompt: rlGenPrompt, MaxTokens: &maxTokens, Seed: &seed})
	if err != nil {
		r.err = err
		return r
	}
	defer st.Close()
	var sb strings.Builder
	for {
		piece, err := st.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			r.err = err
			return r
		}
		if sb.Len() == 0 && piece != "" {
			r.ttft = time.Since(t0)
		}
		sb.WriteString(piece)
	}
	r.dur = time.Since(t0)
	r.text = sb.String()
	d := st.Done()
	r.tokens = d.Tokens
	r.serverTTFT = time.Duration(d.TimeToFirstToken * float64(time.Second))
	switch {
	case d.Tokens != rlGenTokens || d.FinishReason != "length":
		r.err = fmt.Errorf("done %+v: want %d tokens, finish_reason length", *d, rlGenTokens)
	case r.text == "":
		r.err = fmt.Errorf("no text streamed (done %+v)", *d)
	}
	return r
}
