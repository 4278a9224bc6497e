package client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gokeras/gokeras/serving/client"
)

func Example() {
	// A stand-in for "demo serve -models DIR".
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/models/iris:predict":
			io.WriteString(w, `{"model_name":"iris","model_version":2,"predictions":[[0.98,0.01,0.01]],"classes":[0],"labels":["setosa"]}`)
		case "/v1/models/gpt:generate":
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "data: {\"text\": \" a\"}\n\ndata: {\"text\": \" body\"}\n\n"+
				"event: done\ndata: {\"tokens\": 2, \"seconds\": 0.004, \"time_to_first_token\": 0.002, \"finish_reason\": \"length\"}\n\n")
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error": "no model \"nope\" (see GET /v1/models)"}`)
		}
	}))
	defer srv.Close()

	c, err := client.New(srv.URL)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	resp, err := c.Predict(ctx, "iris", 0, client.PredictRequest{Rows: [][]any{{5.1, 3.5, 1.4, 0.2}}})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.ModelName, resp.ModelVersion, resp.Predictions[0], resp.Classes[0], resp.Labels[0])

	_, err = c.Model(ctx, "nope")
	fmt.Println(err)

	s, err := c.Generate(ctx, "gpt", 0, client.GenerateRequest{Prompt: "Light is"})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	text := "Light is"
	for {
		piece, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		text += piece
	}
	d := s.Done()
	fmt.Printf("%q: %d tokens (%s)\n", text, d.Tokens, d.FinishReason)
	// Output:
	// iris 2 [0.98 0.01 0.01] 0 setosa
	// demo serve: 404 Not Found: no model "nope" (see GET /v1/models)
	// "Light is a body": 2 tokens (length)
}
