package main

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// textTopics are the classes of textCSV, each with its own words.
var textTopics = map[string][]string{
	"sport": {"goal", "match", "team", "score", "referee", "league", "coach", "striker"},
	"food":  {"bread", "cheese", "soup", "oven", "recipe", "spice", "butter", "salad"},
	"tech":  {"compiler", "kernel", "server", "bug", "network", "cache", "router", "binary"},
}

// textTopicNames are textTopics' classes, sorted (the class ids of demo text).
var textTopicNames = []string{"food", "sport", "tech"}

// topicText is a text of 5 to 9 words, most of them of topic's words, with
// punctuation and capitals that the tokenizer strips.
func topicText(rng *rand.Rand, topic string) string {
	filler := []string{"the", "a", "of", "and", "today"}
	n := 5 + rng.Intn(5)
	words := make([]string, n)
	for i := range words {
		if rng.Intn(4) == 0 {
			words[i] = filler[rng.Intn(len(filler))]
		} else {
			words[i] = textTopics[topic][rng.Intn(len(textTopics[topic]))]
		}
	}
	words[0] = strings.ToUpper(words[0][:1]) + words[0][1:]
	return strings.Join(words, " ") + "."
}

// textCSV writes n texts per topic (header "review,topic") to a temporary file.
func textCSV(t *testing.T, n int, seed int64) string {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	var sb strings.Builder
	sb.WriteString("review,topic\n")
	for i := 0; i < n; i++ {
		for _, topic := range textTopicNames {
			fmt.Fprintf(&sb, "%q,%s\n", topicText(rng, topic), topic)
		}
	}
	return writeTextFile(t, "texts.csv", sb.String())
}

// writeTextFile writes body to a file named name in a temporary folder.
func writeTextFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// trainTextModel runs demo text on textCSV with args, checks its JSON line
// and returns the saved model's path.
func trainTextModel(t *testing.T, args ...string) string {
	t.Helper()
	model := filepath.Join(t.TempDir(), "text.model")
	code, out, errOut := runDemo(append([]string{"text", "-file", textCSV(t, 40, 1), "-text", "review", "-target", "topic",
		"-epochs", "15", "-verbose", "0", "-json", "-save", model}, args...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"held-out 20% of the texts: accuracy", "bag-of-words logistic regression", "saved: " + model} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var got struct {
		Model    string             `json:"model"`
		Test     map[string]float64 `json:"test"`
		Baseline map[string]float64 `json:"baseline"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
	}
	if acc := got.Test["accuracy"]; acc < 0.9 {
		t.Errorf("test accuracy %.3f, want >= 0.9 on separable topics: %s", acc, lines[len(lines)-1])
	}
	if acc, ok := got.Baseline["bow_logreg_accuracy"]; !ok || acc < 0.9 {
		t.Errorf("baseline %v, want bow_logreg_accuracy >= 0.9", got.Baseline)
	}
	if _, ok := got.Test["loss"]; !ok {
		t.Errorf("no test loss: %v", got.Test)
	}
	return model
}

// TestTextCmdSavedModelAnswersText trains demo text on topics, then the saved
// model answers raw texts with class names: through demo predict on a CSV file
// of the text column and through the server's JSON (both forms).
func TestTextCmdSavedModelAnswersText(t *testing.T) {
	path := trainTextModel(t)
	rng := rand.New(rand.NewSource(99))
	var texts, want []string
	for i := 0; i < 4; i++ {
		for _, topic := range textTopicNames {
			texts = append(texts, topicText(rng, topic)+" Zyzzyva!") // an unknown word as well
			want = append(want, topic)
		}
	}
	var sb strings.Builder
	sb.WriteString("review\n")
	for _, s := range texts {
		fmt.Fprintf(&sb, "%q\n", s)
	}
	code, out, errOut := runDemo("predict", "-model", path, "-csv", writeTextFile(t, "new.csv", sb.String()))
	if code != exitOK {
		t.Fatalf("predict: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != len(texts) {
		t.Fatalf("predict: %d lines for %d texts:\n%s", len(lines), len(texts), out)
	}
	for i, line := range lines {
		fields := strings.Split(line, "\t")
		if got := fields[len(fields)-1]; got != want[i] {
			t.Errorf("predict line %d %q: class %q, want %q (%q)", i, line, got, want[i], texts[i])
		}
	}

	h := newHandler(testServing(t, path), handlerConfig{maxBody: defaultMaxBody})
	rows := "[" + strings.Join(quoteRows(texts), ",") + "]"
	for _, body := range []string{
		fmt.Sprintf(`{"inputs": {"review": %s}}`, rows),
		fmt.Sprintf(`{"rows": %s}`, rows),
	} {
		status, b := post(t, h, body)
		var got struct {
			Labels json.RawMessage `json:"labels"`
		}
		if status != 200 || json.Unmarshal(b, &got) != nil {
			t.Fatalf("serve %s: %d %s", body, status, b)
		}
		var labels []string
		if err := json.Unmarshal(got.Labels, &labels); err != nil {
			var named map[string][]string
			if err := json.Unmarshal(got.Labels, &named); err != nil || len(named["topic"]) == 0 {
				t.Fatalf("serve: labels %s", got.Labels)
			}
			labels = named["topic"]
		}
		if fmt.Sprint(labels) != fmt.Sprint(want) {
			t.Errorf("serve %.40s...: labels %v, want %v", body, labels, want)
		}
	}
	if status, msg := postError(t, h, `{"rows": [["Goal!"], [""]]}`); status != 400 || !strings.Contains(msg, "empty text") {
		t.Errorf("serve an empty text: %d %q, want 400 naming the empty text", status, msg)
	}
}

// quoteRows returns each text as a JSON row of one string.
func quoteRows(texts []string) []string {
	out := make([]string, len(texts))
	for i, s := range texts {
		b, _ := json.Marshal([]string{s})
		out[i] = string(b)
	}
	return out
}
