package zoo

import (
	"context"

	"github.com/pkg/errors"
)

// CSVTask is what TrainCSV learns: "classification" (the target holds classes:
// strings or integer ids) or "regression" (a number).
type CSVTask string

// The tasks of TrainCSV.
const (
	Classification CSVTask = "classification"
	Regression     CSVTask = "regression"
)

// csvDefaults are the settings a zero field takes in TrainCSV: at most 200 epochs
// (early stopping usually ends sooner), batch 32, peak learning rate 0.003, seed 42.
func csvDefaults() Settings { return Settings{Epochs: 200, BatchSize: 32, LR: 0.003, Seed: 42} }

// CSVOption sets an optional setting of TrainCSV.
type CSVOption func(*csvConfig)

type csvConfig struct {
	testFile    string
	patience    int
	validation  float64
	dropout     float64
	model       string
	categorical []string
}

// The models of TrainCSV (CSVModel).
const (
	CSVMLP      = "mlp"
	CSVWideDeep = "widedeep"
	CSVDeepFM   = "deepfm"
	CSVDCN      = "dcn"
)

// CSVModel chooses the model of TrainCSV: CSVMLP (default), or for a binary
// target the recommender models CSVWideDeep, CSVDeepFM or CSVDCN (see WideDeep,
// DeepFM, DCN), which embed every categorical column (CTRDim 16) and take the
// numeric columns through a Normalization.
func CSVModel(kind string) CSVOption { return func(c *csvConfig) { c.model = kind } }

// CSVCategorical names integer columns to treat as categories (an IntegerLookup
// learns their values; unknown values share an out-of-vocabulary id) rather than
// as numbers (default none; string columns are categorical anyway).
func CSVCategorical(cols ...string) CSVOption {
	cs := append([]string(nil), cols...)
	return func(c *csvConfig) { c.categorical = cs }
}

// CSVTestFile evaluates on the rows of another CSV file with the same columns
// instead of holding out 20% of the training file (default: hold out).
func CSVTestFile(path string) CSVOption { return func(c *csvConfig) { c.testFile = path } }

// CSVPatience stops training when the validation loss has not improved for n
// epochs, and restores the weights of the best epoch (default 30; 0 trains every
// epoch, with the learning rate decaying along a half cosine, and keeps the last
// weights). With it, Adam's rate halves whenever the validation loss has not
// improved for 8 epochs, down to 1% of the peak rate.
func CSVPatience(n int) CSVOption { return func(c *csvConfig) { c.patience = n } }

// CSVDropout sets the dropout rate after every hidden layer (default 0.1; 0: none).
// It must be in [0, 1).
func CSVDropout(rate float64) CSVOption { return func(c *csvConfig) { c.dropout = rate } }

// CSVValidation sets the fraction of the training rows held out to watch the
// validation loss for early stopping (default 0.1; stratified by class for
// classification). It must be in (0, 0.5]; with CSVPatience(0) no rows are held out.
func CSVValidation(f float64) CSVOption { return func(c *csvConfig) { c.validation = f } }

// TrainCSV trains an MLP on any CSV file and returns the model, which takes raw
// rows: target is the target column's name ("" for the last column), hidden the
// widths of the ReLU layers (nil: 128, 64, as the scikit-learn reference of
// bench/csvcompare), each followed by Dropout (CSVDropout).
// The model is functional: the numeric
// columns form the input "numeric", standardized by a Normalization layer adapted
// to the training rows; every string column is an input of its own (String, shape
// (1), named after the column) turned into ids by a StringLookup (its vocabulary
// learned from the training rows; an unknown value gets the out-of-vocabulary id)
// and one-hot encoded (an Embedding of 8-16 dimensions above 10 values). A missing
// value (empty, NA, NaN, ?) is "" in a string column, its own category, and an
// error naming the row and column in a numeric one.
// Classification ends in a softmax over the classes (sparse_categorical_crossentropy
// with accuracy); regression in one linear unit followed by an inverted
// Normalization holding the target's mean and variance, so the network learns a
// standardized target while the model predicts in the target's units (mse, with mse
// and mae reported in those units). 20% of the rows are held out for the test
// metrics (stratified by class for classification) unless CSVTestFile gives them,
// and 10% of the rest watch early stopping and the learning rate (CSVPatience,
// CSVValidation). The Result's Model is "csv".
func TrainCSV(ctx context.Context, path, target string, task CSVTask, hidden []int, s Settings, opts ...CSVOption) (*Result, error) {
	cfg := csvConfig{patience: 30, validation: 0.1, dropout: 0.1, model: CSVMLP}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if task != Classification && task != Regression {
		return nil, errors.Errorf("zoo: csv task %q (valid: classification, regression)", task)
	}
	if cfg.patience < 0 || !(cfg.validation > 0 && cfg.validation <= 0.5) || !(cfg.dropout >= 0 && cfg.dropout < 1) {
		return nil, errors.Errorf("zoo: csv: patience %d must not be negative, the validation fraction %g must be in (0, 0.5] and the dropout rate %g in [0, 1)",
			cfg.patience, cfg.validation, cfg.dropout)
	}
	switch cfg.model {
	case CSVMLP:
	case CSVWideDeep, CSVDeepFM, CSVDCN:
		if task != Classification {
			return nil, errors.Errorf("zoo: csv: model %q predicts a binary target (task classification), not a %s", cfg.model, task)
		}
	default:
		return nil, errors.Errorf("zoo: csv: model %q (valid: %s, %s, %s, %s)", cfg.model, CSVMLP, CSVWideDeep, CSVDeepFM, CSVDCN)
	}
	if hidden == nil {
		hidden = []int{128, 64}
	}
	s, err := s.withDefaults(csvDefaults())
	if err != nil {
		return nil, errors.Wrap(err, "zoo: csv: settings")
	}
	parts, err := readCSVParts(path, target, task, cfg.testFile, s.Seed, cfg.categorical)
	if err != nil {
		return nil, errors.Wrap(err, "zoo: csv")
	}
	res, err := trainCSVParts(ctx, parts, task, hidden, s, cfg)
	if err != nil {
		return nil, errors.Wrap(err, "zoo: csv")
	}
	res.Model = "csv"
	res.Settings = s
	res.Settings.Out = nil
	return res, nil
}

// csvParts is a CSV file read with raw string columns and split by row index.
type csvParts struct {
	data        *csvTable
	test        *csvTable // the -test file, or nil: then testIdx rows of data
	trainIdx    []int
	testIdx     []int
	classes     int
	classNames  []string
	numericName string // "" when the file has no numeric feature
}
