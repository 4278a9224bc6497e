package zoo

import (
	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/text"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// bertData is everything a RunBERT run trains and evaluates on.
type bertData struct {
	tok *text.BPE
	// pretrain holds the padded rows of the pretraining corpus: Opticks' head
	// in chunks of Length tokens, then the fortunes of the training split.
	pretrain [][]int
	// heldOut holds Opticks' tail in chunks of Length tokens (masked-token
	// evaluation; never trained on, not seen by the tokenizer).
	heldOut [][]int
	// trainX, testX (N, Length) Int64 ids and trainY, testY (N) Float32 class
	// ids of the fortunes classification splits.
	trainX, trainY, testX, testY *tensor.Dense
	classes                      []string
	opticksRows                  int
}

// loadBERTData reads Opticks and the fortunes, splits the fortunes (stratified,
// by seed), learns the BPE from the pretraining corpus only (Opticks' head and
// the training fortunes) and encodes everything into rows of length T.
func loadBERTData(run BERTRun, length int, seed int64) (*bertData, error) {
	var opts []datasets.FortunesOption
	if run.FortunesDir != "" {
		opts = append(opts, datasets.FortunesDir(run.FortunesDir))
	}
	fortunes, err := datasets.Fortunes(opts...)
	if err != nil {
		return nil, err
	}
	train, test, err := fortunes.Split(run.TestFraction, seed)
	if err != nil {
		return nil, err
	}
	if run.MaxTrainTexts > 0 && len(train.Texts) > run.MaxTrainTexts {
		train.Texts, train.Labels = train.Texts[:run.MaxTrainTexts], train.Labels[:run.MaxTrainTexts]
	}
	opticks, err := datasets.Opticks()
	if err != nil {
		return nil, err
	}
	head, tail := bertSplitText(opticks, 1-run.HeldOutFraction)
	corpus := append([]string{head}, train.Texts...)
	tok, err := text.TrainBPE(corpus, run.BPEVocab, text.BPEOptions{})
	if err != nil {
		return nil, errors.Wrap(err, "tokenizer")
	}
	d := &bertData{tok: tok, classes: fortunes.Classes}
	if d.pretrain, err = bertChunks(tok, head, length, run.MaxOpticksRows); err != nil {
		return nil, errors.Wrap(err, "Opticks")
	}
	d.opticksRows = len(d.pretrain)
	heldLimit := 0
	if run.MaxOpticksRows > 0 {
		heldLimit = max(1, run.MaxOpticksRows/8)
	}
	if d.heldOut, err = bertChunks(tok, tail, length, heldLimit); err != nil {
		return nil, errors.Wrap(err, "Opticks held-out tail")
	}
	trainRows, err := bertEncode(tok, train.Texts, length)
	if err != nil {
		return nil, errors.Wrap(err, "training fortunes")
	}
	d.pretrain = append(d.pretrain, trainRows...)
	if d.trainX, d.trainY, err = bertClassTensors(trainRows, train.Labels); err != nil {
		return nil, err
	}
	testRows, err := bertEncode(tok, test.Texts, length)
	if err != nil {
		return nil, errors.Wrap(err, "test fortunes")
	}
	d.testX, d.testY, err = bertClassTensors(testRows, test.Labels)
	return d, err
}

// bertSplitText cuts s at the first line break after frac of its bytes (or at
// the end).
func bertSplitText(s string, frac float64) (head, tail string) {
	i := int(float64(len(s)) * frac)
	for i < len(s) && s[i] != '\n' {
		i++
	}
	return s[:i], s[i:]
}

// bertChunks encodes s and cuts its ids into rows of length ids (the last,
// shorter one padded), at most limit rows when limit > 0.
func bertChunks(tok *text.BPE, s string, length, limit int) ([][]int, error) {
	ids, err := tok.Encode(s)
	if err != nil {
		return nil, err
	}
	var rows [][]int
	for i := 0; i < len(ids) && (limit <= 0 || len(rows) < limit); i += length {
		row := make([]int, length)
		copy(row, ids[i:min(i+length, len(ids))])
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, errors.New("no tokens")
	}
	return rows, nil
}

// bertEncode encodes each text into a row of length ids: truncated at the end,
// padded with 0. A text without tokens is an error naming it.
func bertEncode(tok *text.BPE, texts []string, length int) ([][]int, error) {
	rows := make([][]int, len(texts))
	for i, s := range texts {
		ids, err := tok.Encode(s)
		if err != nil {
			return nil, errors.Wrapf(err, "text %d", i)
		}
		if len(ids) == 0 {
			return nil, errors.Errorf("text %d has no tokens", i)
		}
		rows[i] = make([]int, length)
		copy(rows[i], ids)
	}
	return rows, nil
}

// bertClassTensors lays rows out as (N, T) Int64 ids and labels as (N)
// Float32 class ids.
func bertClassTensors(rows [][]int, labels []int) (x, y *tensor.Dense, err error) {
	if len(rows) == 0 || len(rows) != len(labels) {
		return nil, nil, errors.Errorf("%d rows and %d labels", len(rows), len(labels))
	}
	steps := len(rows[0])
	xs := make([]int64, 0, len(rows)*steps)
	ys := make([]float32, len(rows))
	for i, r := range rows {
		for _, id := range r {
			xs = append(xs, int64(id))
		}
		ys[i] = float32(labels[i])
	}
	return tensor.New(tensor.WithShape(len(rows), steps), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(len(rows)), tensor.WithBacking(ys)), nil
}
