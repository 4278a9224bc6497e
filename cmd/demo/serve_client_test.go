package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gokeras/gokeras/serving/client"
	"github.com/pkg/errors"
)

// TestClientAgainstServer drives the repository server through package
// serving/client with API keys: the typed calls decode the server's real
// answers, a key outside its scopes gets a 403 APIError, and a key over its
// rate is retried after the 429's Retry-After.
func TestClientAgainstServer(t *testing.T) {
	dir := t.TempDir()
	saveVersion(t, dir, "sum", "1", trainSum(t, 1))
	saveVersion(t, dir, "cls", "1", testModel(t, false))
	keys, err := loadKeyStore(writeKeys(t, t.TempDir(), keyLine("alice", aliceKey, "models=sum rate=1 burst=3")))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newRepoHandler(openTestRepo(t, dir), handlerConfig{maxBody: 1 << 20, keys: keys}))
	defer srv.Close()
	c, err := client.New(srv.URL, client.WithToken(aliceKey), client.WithRetries(2, 10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	models, err := c.Models(ctx)
	if err != nil || len(models) != 1 || models[0].Name != "sum" {
		t.Fatalf("Models: %+v, %v; want sum only", models, err)
	}
	v, err := c.Version(ctx, "sum", 1)
	if err != nil || v.Version != 1 || v.State != client.Available || len(v.Inputs) != 1 || v.Inputs[0].Values != 4 {
		t.Fatalf("Version: %+v, %v", v, err)
	}
	start := time.Now()
	resp, err := c.Predict(ctx, "sum", 0, client.PredictRequest{Rows: [][]any{{1, 1, 1, 1}}})
	if err != nil || resp.ModelName != "sum" || resp.ModelVersion != 1 || len(resp.Predictions) != 1 || resp.Predictions[0][0] < 2 {
		t.Fatalf("Predict: %+v, %v", resp, err)
	}
	// The 4th request is over the burst of 3: the client waits out Retry-After (1 s).
	if _, err := c.Predict(ctx, "sum", 1, client.PredictRequest{Rows: [][]any{{1, 1, 1, 1}}}); err != nil {
		t.Fatalf("Predict over the rate, retried: %v", err)
	}
	if took := time.Since(start); took < 900*time.Millisecond {
		t.Errorf("the request over the rate was answered after %v, before its Retry-After", took)
	}
	_, err = c.Model(ctx, "cls")
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
		t.Fatalf("a model outside the key's scopes: %v, want an APIError 403", err)
	}
}
