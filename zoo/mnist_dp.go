package zoo

import (
	"context"

	"github.com/gokeras/gokeras/datasets"
	"github.com/gokeras/gokeras/layers"
	"github.com/gokeras/gokeras/trainers"
	"github.com/pkg/errors"
)

// Privacy is the differential privacy a recipe trained with DP-SGD spent
// (mnist-dp), as the -json line reports it.
type Privacy struct {
	// Epsilon is the (epsilon, Delta)-DP guarantee, in nats, by package
	// privacy's RDP accountant (Improved conversion).
	Epsilon float64 `json:"epsilon"`
	// Delta is the target delta.
	Delta float64 `json:"delta"`
	// NoiseMultiplier is sigma: the noise's standard deviation over ClipNorm.
	NoiseMultiplier float64 `json:"noise_multiplier"`
	// ClipNorm is the per-example gradient norm bound C.
	ClipNorm float64 `json:"clip_norm"`
	// SamplingRate is q = batch/N, each example's chance to be in a step.
	SamplingRate float64 `json:"sampling_rate"`
	// Steps is the number of DP-SGD steps.
	Steps int `json:"steps"`
	// Sampling is "poisson" (what the accountant analyses) or "shuffled".
	Sampling string `json:"sampling"`
}

// The settings of mnist-dp's DP-SGD: TensorFlow Privacy's MNIST tutorial's
// noise and clip norm, at delta 1e-5 (below 1/N for N = 60,000).
const (
	mnistDPNoise = 1.1
	mnistDPClip  = 1.0
	mnistDPDelta = 1e-5
)

// MNISTDPModel returns the mnist-dp network, unbuilt: the convolutional network
// of TensorFlow Privacy's MNIST tutorial with tanh activations (Papernot et al.
// 2020, "Tempered sigmoid activations for deep learning with differential
// privacy"): pixels scaled to [0, 1], Conv2D 16 8x8 stride 2 same, max pooling
// 2x2 stride 1, Conv2D 32 4x4 stride 2, max pooling 2x2 stride 1, Flatten,
// Dense 32, Dense 10 softmax; 26,010 weights. Every weight is in a Dense or
// Conv2D layer, as DP-SGD's per-example gradients need.
func MNISTDPModel() *layers.Sequential {
	return layers.NewSequential(layers.Input(28, 28, 1), pixelScale(),
		layers.Conv2D(16, 8, layers.WithStrides(2, 2), layers.WithPadding("same"), layers.WithActivation("tanh")),
		layers.MaxPooling2D(2, layers.WithStrides(1, 1)),
		layers.Conv2D(32, 4, layers.WithStrides(2, 2), layers.WithActivation("tanh")),
		layers.MaxPooling2D(2, layers.WithStrides(1, 1)),
		layers.Flatten(),
		layers.Dense(32, layers.WithActivation("tanh")),
		layers.Dense(10, layers.WithActivation("softmax")))
}

// mnistDPRecipe trains MNISTDPModel with DP-SGD.
func mnistDPRecipe() Recipe { return MNISTDPRecipeRows(0, 0) }

// MNISTDPRecipeRows is mnist-dp on the first trainRows and testRows of MNIST
// (0: all); epsilon is that of the rows trained on.
func MNISTDPRecipeRows(trainRows, testRows int) Recipe {
	const name = "mnist-dp"
	defaults := Settings{Epochs: 10, BatchSize: 256, LR: 0.1, Seed: 42}
	return Recipe{
		Name: name,
		Description: "TensorFlow Privacy's MNIST CNN with tanh (Papernot et al. 2020) trained with DP-SGD " +
			"(Poisson sampling, per-example clip norm 1, noise multiplier 1.1, SGD with momentum 0.9); reports epsilon at delta 1e-5",
		Expected: "test accuracy >= 0.95 (0.968 measured) at epsilon 1.10 (delta 1e-5) in 10 epochs, ~5-10 min on 2 cores (pure Go)",
		Defaults: defaults,
		Run: func(ctx context.Context, s Settings) (*Result, error) {
			s, err := s.withDefaults(defaults)
			if err != nil {
				return nil, errors.Wrapf(err, "zoo: recipe %q: settings", name)
			}
			res, err := runMNISTDP(ctx, trainRows, testRows, s)
			if err != nil {
				return nil, errors.Wrapf(err, "zoo: recipe %q", name)
			}
			res.Model, res.Settings = name, s
			res.Settings.Out = nil
			return res, nil
		},
	}
}

// runMNISTDP trains with DP-SGD, evaluates on both splits and reports the
// privacy spent. The learning rate follows a half cosine to 1% of LR (SGD,
// momentum 0.9): the schedule depends on no data.
func runMNISTDP(ctx context.Context, trainRows, testRows int, s Settings) (*Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	var classes []string
	sp := spec{split: imageData(datasets.MNIST, trainRows, testRows, &classes), adapt: nameClasses(&classes),
		model: sequential(MNISTDPModel), loss: "sparse_categorical_crossentropy", metrics: []string{"accuracy"}}
	train, test, err := sp.trainTest(s.Seed)
	if err != nil {
		return nil, err
	}
	model, err := sp.model()
	if err != nil {
		return nil, errors.Wrap(err, "make the model")
	}
	if err := sp.adapt(model, train); err != nil {
		return nil, errors.Wrap(err, "adapt the preprocessing layers")
	}
	steps := s.Epochs * ((train.Len()-1)/s.BatchSize + 1)
	opt := trainers.SGD(s.LR, trainers.Momentum(0.9), trainers.WithSchedule(trainers.CosineDecay{
		Initial: s.LR, DecaySteps: steps, Alpha: finalLRFraction}))
	opts := append(sp.trainerOptions(), trainers.WithOptimizer(opt), trainers.WithSeed(s.Seed))
	if s.Out != nil {
		opts = append(opts, trainers.WithOutput(s.Out))
	}
	tr, err := trainers.New(model, s.trainerOpts(opts...)...)
	if err != nil {
		return nil, errors.Wrap(err, "new trainer")
	}
	defer tr.Close()
	dp := trainers.DPSGD(mnistDPClip, mnistDPNoise)
	res, err := fitAndEvaluate(ctx, tr, model, train, test, s, dp)
	if err != nil {
		return nil, err
	}
	spent, err := dp.Spent(mnistDPDelta)
	if err != nil {
		return nil, err
	}
	res.Privacy = &Privacy{Epsilon: spent.Epsilon, Delta: spent.Delta, NoiseMultiplier: spent.NoiseMultiplier,
		ClipNorm: dp.ClipNorm(), SamplingRate: spent.SamplingRate, Steps: spent.Steps, Sampling: dp.Sampling().String()}
	return res, nil
}
