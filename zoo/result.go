package zoo

import (
	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/trainers"
)

// Result is what a recipe run reports.
type Result struct {
	// Model is the recipe's name.
	Model string
	// Settings are the settings the run used: the given ones with the recipe's
	// defaults filled in (Out is not kept).
	Settings Settings
	// Epochs is the number of epochs trained.
	Epochs int
	// Seconds is the wall time of training (Fit), without building the data and
	// without the final evaluation.
	Seconds float64
	// Train holds the loss and metrics of the trained model on the training split,
	// evaluated after training in inference mode (not the running average of the
	// last epoch), under Keras' names: "loss" and each metric ("accuracy") for a
	// model of one output; for a model of several outputs "loss" (the weighted
	// sum), then "<output>_loss" and "<output>_<metric>" for each output
	// ("digit_loss", "digit_accuracy").
	Train map[string]float64
	// Test holds the same for the held-out test split.
	Test map[string]float64
	// Extra holds recipe-specific numbers (nil when a recipe has none); "linear"
	// reports "weight", "bias", "ls_weight" and "ls_bias".
	Extra map[string]float64
	// Robust is the accuracy under attack of a recipe trained against attacks
	// (lenet-robust); nil for the others.
	Robust *Robustness
	// Backdoor is the backdoor recipe's attack, detection and retraining
	// figures; nil for the others.
	Backdoor *Backdoor `json:"backdoor,omitempty"`
	// Privacy is the differential privacy spent by a recipe trained with DP-SGD
	// (mnist-dp); nil for the others.
	Privacy *Privacy `json:"privacy,omitempty"`
	// Summary is the model's Keras-style layer table.
	Summary string
	// History holds the per-epoch logs of training.
	History *trainers.History
	// Trainer is the trainer after training: Trainer.Model() is the trained
	// model, and Trainer.Save writes the model with the optimizer's state, so
	// that trainers.Load resumes training. Its compiled programs are released
	// (they are compiled again if it is used).
	Trainer *trainers.Trainer
	// TestData is the held-out split the Test metrics were computed on, as a
	// Dataset when it has one input and one target; nil otherwise (see TestMulti).
	TestData datasets.Dataset
	// TestMulti is the same held-out split as a Multi, for every recipe: named
	// inputs and targets for a model of several inputs or outputs.
	TestMulti datasets.Multi
}
