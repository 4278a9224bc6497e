package zoo

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/poison"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
)

// Backdoor is what the "backdoor" recipe reports: a BadNets backdoor planted in
// MNIST, found by spectral signatures and removed by retraining.
type Backdoor struct {
	// Poisoned is the number of training rows poisoned.
	Poisoned int `json:"poisoned"`
	// Fraction is Poisoned's share of the training rows.
	Fraction float64 `json:"fraction"`
	// Target is the class the trigger sends images to.
	Target int `json:"target"`
	// Before holds the scores of the model trained on the poisoned rows.
	Before BackdoorScores `json:"before"`
	// Detection is how well activation clustering found the poisoned rows
	// (the rows removed before retraining).
	Detection BackdoorDetection `json:"detection"`
	// Spectral is how well spectral signatures, on the penultimate layer,
	// would have found them (reported for comparison; nothing is removed).
	Spectral BackdoorDetection `json:"spectral"`
	// After holds the scores of the model retrained without the flagged rows.
	After BackdoorScores `json:"after"`
}

// BackdoorScores are a model's scores on the clean and the triggered test rows.
type BackdoorScores struct {
	// CleanAccuracy is the accuracy on the clean test split.
	CleanAccuracy float64 `json:"clean_accuracy"`
	// AttackSuccess is the share of the test rows not of the target class
	// that, stamped with the trigger, are classified as the target.
	AttackSuccess float64 `json:"attack_success"`
}

// BackdoorDetection is the result of a defense on the training rows.
type BackdoorDetection struct {
	// Method is "activation_clustering" or "spectral_signatures".
	Method string `json:"method"`
	// Layer is the layer whose activations were the representations.
	Layer string `json:"layer"`
	// Settings are the defense's settings: clusters, components and
	// max_share for activation clustering (see poison.ActivationClustering),
	// expected_fraction and remove_factor for spectral signatures (see
	// poison.SpectralSignatures).
	Settings map[string]float64 `json:"settings"`
	// Flagged is the number of training rows flagged (and removed).
	Flagged int `json:"flagged"`
	// Precision is the share of flagged rows that were poisoned, Recall the
	// share of poisoned rows flagged.
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// The settings of the backdoor recipe.
const (
	backdoorFraction = 0.01 // share of the training rows poisoned: 600 of MNIST's 60,000
	backdoorTarget   = 0    // the class the trigger sends images to
	// Activation clustering, the defense whose flagged rows are removed: on
	// the last convolutional feature map (5x5x16), 4 k-means clusters per class
	// in 10 principal components, clusters under 15% of their class flagged
	// (measured: Chen et al.'s 2 clusters split the zeros along their natural
	// variation, not the trigger).
	backdoorClusters   = 4
	backdoorComponents = 10
	backdoorMaxShare   = 0.15
	// Spectral signatures, reported for comparison: backdoorEps is the
	// defender's upper bound on the poisoned share of a class (600 poisoned
	// among 5,923 zeros make 9.2% of class 0), backdoorFactor Tran et al.'s
	// removal factor.
	backdoorEps    = 0.1
	backdoorFactor = 1.5
	backdoorBatch  = 256 // rows per batch of the activations and predictions
)

// backdoorRun sizes the backdoor recipe: the first trainRows and testRows of
// MNIST (0: all).
type backdoorRun struct {
	trainRows, testRows int
}

// backdoorRecipe is BadNets on MNIST, then spectral signatures and retraining.
func backdoorRecipe() Recipe { return backdoorRecipeRun(backdoorRun{}) }

func backdoorRecipeRun(run backdoorRun) Recipe {
	const name = "backdoor"
	defaults := Settings{Epochs: 4, BatchSize: 64, LR: 0.002, Seed: 42}
	return customRecipe(name,
		"BadNets backdoor: LeNet-5 (as lenet) on MNIST with 1% of the training images (not of class 0) "+
			"stamped with a white 4x4 square at the bottom right and relabeled 0; activation clustering "+
			"(Chen et al. 2018: 4 k-means clusters per class in 10 principal components of the last feature map, "+
			"clusters under 15% flagged) finds them, spectral signatures (Tran et al. 2018) on the penultimate layer "+
			"are reported beside it, and the model is retrained without the flagged rows; reports clean accuracy "+
			"and attack success before and after (Result.Backdoor)",
		"before: test accuracy >= 0.98, attack success >= 0.9 (measured 0.9919, 0.995); activation clustering "+
			"recall >= 0.95 (measured 627 flagged, precision 0.95, recall 0.993; spectral signatures: recall 0.725); "+
			"after: attack success <= 0.05, test accuracy >= 0.98 (measured 0.0012, 0.9909); two trainings of 4 epochs, "+
			"~8 min on 2 shared cores (pure Go)",
		defaults, func(ctx context.Context, s Settings) (*Result, error) { return runBackdoor(ctx, run, s) })
}

// runBackdoor poisons the training rows, trains, detects, retrains and
// reports; the Result's model, metrics and history are the retrained model's.
func runBackdoor(ctx context.Context, run backdoorRun, s Settings) (*Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	d, err := loadBackdoorData(run, s.Seed)
	if err != nil {
		return nil, err
	}
	out := s.Out
	if out == nil {
		out = os.Stdout
	}
	logf := func(format string, args ...interface{}) {
		if s.Verbose > 0 {
			fmt.Fprintf(out, "backdoor: "+format+"\n", args...)
		}
	}
	rep := &Backdoor{Poisoned: len(d.poisoned), Fraction: float64(len(d.poisoned)) / float64(d.trainY.Shape()[0]),
		Target: backdoorTarget}
	logf("%d of %d training rows poisoned; training on them", rep.Poisoned, d.trainY.Shape()[0])
	all, err := datasets.NewTensor(d.trainX, d.trainY)
	if err != nil {
		return nil, errors.Wrap(err, "poisoned training split")
	}
	first, err := fitBackdoor(ctx, all, d, s, false)
	if err != nil {
		return nil, errors.Wrap(err, "train on the poisoned rows")
	}
	defer first.tr.Close()
	rep.Before = first.scores
	logf("before: %+v; representations of the training rows", rep.Before)
	flagged, err := detectBackdoor(first.tr, d, rep)
	if err != nil {
		return nil, err
	}
	logf("detection: %+v; spectral signatures: %+v; retraining without the %d flagged rows",
		rep.Detection, rep.Spectral, len(flagged))
	kept, err := datasets.Subset(all, complement(flagged, all.Len()))
	if err != nil {
		return nil, errors.Wrap(err, "remove the flagged rows")
	}
	second, err := fitBackdoor(ctx, kept, d, s, true)
	if err != nil {
		return nil, errors.Wrap(err, "retrain without the flagged rows")
	}
	defer second.tr.Close()
	rep.After = second.scores
	logf("after: %+v", rep.After)
	second.res.Seconds += first.res.Seconds
	second.res.Backdoor = rep
	second.res.Extra = map[string]float64{
		"poisoned": float64(rep.Poisoned), "flagged": float64(rep.Detection.Flagged),
		"precision": rep.Detection.Precision, "recall": rep.Detection.Recall,
		"spectral_precision": rep.Spectral.Precision, "spectral_recall": rep.Spectral.Recall,
		"clean_accuracy_before": rep.Before.CleanAccuracy, "attack_success_before": rep.Before.AttackSuccess,
		"clean_accuracy_after": rep.After.CleanAccuracy, "attack_success_after": rep.After.AttackSuccess,
	}
	return second.res, nil
}

// detectBackdoor runs activation clustering on the last convolutional feature
// map and spectral signatures on the penultimate layer's activations of the
// (poisoned) training rows, under their training labels, fills rep.Detection
// and rep.Spectral and returns the rows activation clustering flags.
func detectBackdoor(tr *trainers.Trainer, d *backdoorData, rep *Backdoor) ([]int, error) {
	labels, err := poison.Labels(d.trainY)
	if err != nil {
		return nil, err
	}
	ls := tr.Model().Layers()
	if len(ls) < 2 {
		return nil, errors.Errorf("a model of %d layers has no penultimate layer", len(ls))
	}
	conv, err := tr.LayerGradients(d.trainX, "", trainers.ClassLogit(backdoorTarget), trainers.BatchSize(backdoorBatch))
	if err != nil {
		return nil, errors.Wrap(err, "activations of the last feature map")
	}
	ac, err := poison.ActivationClustering(conv.Activations, labels, poison.Clusters(backdoorClusters),
		poison.Components(backdoorComponents), poison.MaxShare(backdoorMaxShare))
	if err != nil {
		return nil, err
	}
	rep.Detection = detection("activation_clustering", conv.Layer, ac, d.poisoned, map[string]float64{
		"clusters": backdoorClusters, "components": backdoorComponents, "max_share": backdoorMaxShare})
	penultimate := ls[len(ls)-2].Name()
	pen, err := tr.LayerGradients(d.trainX, penultimate, trainers.ClassLogit(backdoorTarget), trainers.BatchSize(backdoorBatch))
	if err != nil {
		return nil, errors.Wrapf(err, "activations of layer %q", penultimate)
	}
	ss, err := poison.SpectralSignatures(pen.Activations, labels,
		poison.ExpectedFraction(backdoorEps), poison.RemoveFactor(backdoorFactor))
	if err != nil {
		return nil, err
	}
	rep.Spectral = detection("spectral_signatures", penultimate, ss, d.poisoned, map[string]float64{
		"expected_fraction": backdoorEps, "remove_factor": backdoorFactor})
	return ac.Flagged, nil
}

// detection summarizes det against the truly poisoned rows.
func detection(method, layer string, det *poison.Detection, poisoned []int, settings map[string]float64) BackdoorDetection {
	b := BackdoorDetection{Method: method, Layer: layer, Settings: settings, Flagged: len(det.Flagged)}
	b.Precision, b.Recall = poison.PrecisionRecall(det.Flagged, poisoned)
	return b
}

// complement returns the indices 0..n-1 not in sorted.
func complement(sorted []int, n int) []int {
	out := make([]int, 0, n-len(sorted))
	j := 0
	for i := 0; i < n; i++ {
		if j < len(sorted) && sorted[j] == i {
			j++
			continue
		}
		out = append(out, i)
	}
	return out
}

// backdoorFit is one trained model of the recipe.
type backdoorFit struct {
	tr     *trainers.Trainer
	res    *Result
	scores BackdoorScores
}

// fitBackdoor trains a fresh LeNet (seeded by s.Seed) on train and scores it
// on d's clean and triggered test rows. The run's Fit options (checkpoints,
// resuming) go to the recipe's own model only, the retrained one (own).
func fitBackdoor(ctx context.Context, train datasets.Dataset, d *backdoorData, s Settings, own bool) (*backdoorFit, error) {
	sp := lenetSpec(0, 0)
	model, err := sp.model()
	if err != nil {
		return nil, errors.Wrap(err, "make the model")
	}
	if err := layers.SetClassNames(model, d.classes...); err != nil {
		return nil, errors.Wrap(err, "class names")
	}
	steps := s.Epochs * ((train.Len()-1)/s.BatchSize + 1)
	opts := append(sp.trainerOptions(), trainers.WithOptimizer(sp.optimizer(s.LR, steps)), trainers.WithSeed(s.Seed))
	if s.Out != nil {
		opts = append(opts, trainers.WithOutput(s.Out))
	}
	tr, err := trainers.New(model, s.trainerOpts(opts...)...)
	if err != nil {
		return nil, errors.Wrap(err, "new trainer")
	}
	trainM := datasets.AsMulti(train)
	start := time.Now()
	fitOpts := []trainers.FitOption{trainers.Epochs(s.Epochs), trainers.BatchSize(s.BatchSize), trainers.Verbose(s.Verbose)}
	if own {
		fitOpts = s.fitOpts(fitOpts...)
	}
	hist, err := tr.FitMulti(ctx, trainM, fitOpts...)
	if err != nil {
		tr.Close()
		return nil, errors.Wrap(err, "fit")
	}
	f := &backdoorFit{tr: tr, res: &Result{Epochs: len(hist.Epoch), Seconds: time.Since(start).Seconds(),
		Summary: model.Summary(), History: hist, Trainer: tr, TestData: d.test, TestMulti: datasets.AsMulti(d.test)}}
	if err := f.score(ctx, trainM, d); err != nil {
		tr.Close()
		return nil, err
	}
	return f, nil
}

// score evaluates f's model on its training rows and the clean test split and
// measures the attack's success on the triggered test rows.
func (f *backdoorFit) score(ctx context.Context, train datasets.Multi, d *backdoorData) error {
	var err error
	if f.res.Train, err = evaluate(ctx, f.tr, train); err != nil {
		return errors.Wrap(err, "evaluate on the training rows")
	}
	if f.res.Test, err = evaluate(ctx, f.tr, f.res.TestMulti); err != nil {
		return errors.Wrap(err, "evaluate on the test split")
	}
	f.scores.CleanAccuracy = f.res.Test["accuracy"]
	probs, err := f.tr.Predict(d.triggered, trainers.BatchSize(backdoorBatch))
	if err != nil {
		return errors.Wrap(err, "predict the triggered test rows")
	}
	classes, err := argmaxRows(probs)
	if err != nil {
		return err
	}
	hits := 0
	for _, c := range classes {
		if c == backdoorTarget {
			hits++
		}
	}
	f.scores.AttackSuccess = float64(hits) / float64(len(classes))
	return nil
}
