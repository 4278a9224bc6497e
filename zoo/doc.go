// Package zoo holds ready models with their recipes: the data, the architecture,
// the loss, the optimizer and the settings that make each one train to a stated
// result on a small machine.
//
// Recipes lists them, sorted by name, and Find looks one up:
//
//	r, err := zoo.Find("mlp")
//	res, err := r.Run(ctx, zoo.Settings{}) // zero fields take the recipe's defaults
//	fmt.Println(res.Test["accuracy"])
//
// The synthetic recipes ("dense", "linear", "logistic", "mlp") train on seeded data
// from package datasets and hold out 20% of it as a test split
// (datasets.TrainTestSplit); the others use their data set's own train/test split.
// After training every recipe evaluates the model on both splits: Result.Train and
// Result.Test hold the loss and metrics of trainers.Trainer.EvaluateMulti under
// Keras' names, not the running averages of the last epoch. A model of one output
// reports "loss" and its metrics ("accuracy"); a model of several outputs reports
// "loss" (the weighted sum), "<output>_loss" and "<output>_<metric>" for each output
// ("digit_loss", "digit_accuracy").
//
// A recipe's model is a layers.Model: a Sequential, or a functional model
// (layers.NewModel) with several named inputs or outputs, shared layers and merges,
// trained on a datasets.Multi whose named tensors feed the inputs and outputs of
// those names, with a loss, a loss weight and metrics per output.
//
// Every recipe trains with Adam; all but "linear" decay the learning rate along a
// half cosine to 1% of its start, so that the result does not hinge on the last
// few noisy steps. The recipes and their defaults (seed 42 for all):
//
//   - "backdoor": a BadNets backdoor (package poison) in MNIST: 1% of the
//     training images (600, none of class 0) carry a white 4x4 square at the
//     bottom right and the label 0; LeNet-5 (as lenet) trains on them,
//     activation clustering (poison.ActivationClustering: 4 k-means clusters
//     per class in 10 principal components of the last feature map, clusters
//     under 15% of their class) flags rows, and a fresh LeNet-5 retrains
//     without them; 4 epochs per training, batch 64, learning rate 0.002;
//     Result.Backdoor holds clean test accuracy and attack success (triggered
//     test images of other classes classified 0) before and after, and the
//     precision and recall of the detection and, for comparison, of spectral
//     signatures on the penultimate layer (measured: before 0.9919 clean, 0.995
//     attack success; 627 flagged, recall 0.993; after 0.9909 and 0.0012).
//   - "ctr-logistic", "ctr-mlp", "widedeep", "deepfm", "dcn": click-through-rate
//     models (LogisticCTR, MLPCTR, WideDeep, DeepFM, DCN, built from a
//     CTRFeatures description) on one synthetic click log (datasets.ClickLog,
//     1,000,000 rows, 5 Zipf id fields, a bag, 3 numerics, FM-type interactions
//     and crosses), binary_crossentropy with AUC; 4 epochs, batch 256, learning
//     rate 0.002; Result.Extra holds the test rows' Bayes-optimal AUC and log loss
//     (the generating probabilities are known), deepfm and dcn within 0.01 AUC of
//     it.
//   - "dense": the seed's dense network, Dense(10, relu) then Dense(1, sigmoid),
//     on 1000 points of two moons with noise 0.1 (a task a linear model cannot
//     solve); 100 epochs, batch 32, learning rate 0.05; test accuracy >= 0.98.
//   - "digits": an MLP 64-64-10 on scikit-learn's 8x8 digits, standardized by a
//     Normalization layer inside the model; 60
//     epochs, batch 32, learning rate 0.005; test accuracy >= 0.96.
//   - "digits-ctc": speech recognition (DigitsCTCRecipe) of 3 to 7 digits
//     spoken by espeak-ng (datasets.SpokenDigits: 800 training and 200 test
//     sequences, the test voices never heard in training), as log-mel images
//     (40 mels, 25 ms windows, 10 ms hop, padded to 400x40) through a
//     DeepSpeech2-style network (Conv2D 32 of strides 2x2 then 4x2: a step
//     every 80 ms, batch norm, two bidirectional GRUs of 64, Dense 11 softmax)
//     trained with the ctc loss and decoded greedily; 25 epochs, batch 32,
//     learning rate 0.002; test WER <= 0.10 on the held-out voices; the model
//     carries its AudioFeatures, so that demo listen transcribes a WAV file.
//   - "inception": Inception-style blocks (parallel 1x1, 1x1-3x3, 1x1-3x3-3x3 and
//     max pooling-1x1 branches joined by Concatenate) on Fashion-MNIST; 3 epochs,
//     batch 64, learning rate 0.003; test accuracy >= 0.90 in minutes.
//   - "iris": an MLP 4-16-3 on Iris, standardized by a Normalization layer inside
//     the model; 100 epochs, batch 16, learning
//     rate 0.01; test accuracy >= 0.95.
//   - "kws": keyword spotting (KWSRecipe) on the 20 words of
//     datasets.SpeechCommands (the ten digits and Speech Commands' ten
//     commands, spoken by espeak-ng: 2,240 training and 800 test clips of 1 s,
//     the test speakers, espeak-ng's variants, never heard in training), as
//     log-mel images (40 mels, 25 ms windows, 10 ms hop: 101x40) through
//     TensorFlow's simple-audio network (average pooling, Conv2D 32 and 64, max
//     pooling, dropout, Dense 128-20); 12 epochs, batch 32, learning rate 0.001;
//     test accuracy >= 0.95 on the held-out voices; KWSConfig.ConfusionPNG
//     draws the confusion matrix with the words as labels.
//   - "lenet": LeNet-5 on MNIST; 6 epochs, batch 64, learning rate 0.002; test
//     accuracy >= 0.99 in minutes.
//   - "lenet-robust": the same LeNet-5 on MNIST, adversarially trained with FGSM
//     and a random start (adversarial.Training) at eps 0.1 of the pixel range;
//     10 epochs, batch 64, learning rate 0.002; test accuracy >= 0.98 and PGD-20
//     accuracy at eps 0.1 >= 0.90 (Result.Robust) in ~14 min on 2 cores.
//   - "linear": linear regression y = 3x + 2 + U(0,1) on 1000 points with one
//     Dense unit and the mse loss, compared with the closed-form least-squares
//     fit; 200 epochs, batch 100, learning rate 0.05; weight and bias within 0.02
//     of least squares.
//   - "logistic": logistic regression, Dense(1, sigmoid), on 1000 points of two
//     nearly linearly separable classes; 50 epochs, batch 32, learning rate 0.05;
//     test accuracy >= 0.95.
//   - "mlp": a 2-64-64-1 classifier (relu, relu, sigmoid) on 2000 points of two
//     interleaved spirals with noise 0.5; 100 epochs, batch 32, learning rate
//     0.01; test accuracy >= 0.97.
//   - "mnist": an MLP 784-256-10 on MNIST; 5 epochs, batch 64, learning rate
//     0.002; test accuracy >= 0.975.
//   - "mnist-dp": differentially private training (trainers.DPSGD) of
//     MNISTDPModel, TensorFlow Privacy's MNIST CNN with tanh (Papernot et al.
//     2020), on MNIST: Poisson sampling at rate 256/60,000, per-example clip
//     norm 1, noise multiplier 1.1, SGD with momentum 0.9; 10 epochs, batch
//     256 (expected), learning rate 0.1; Result.Privacy reports epsilon at
//     delta 1e-5 (1.10 by package privacy's accountant) with the settings;
//     test accuracy >= 0.95 (0.968 measured).
//   - "multitask-digits": one input, the 8x8 digits scaled to [0, 1], through a
//     shared trunk into two outputs, "digit" (softmax over 10,
//     sparse_categorical_crossentropy, loss weight 1) and "even" (sigmoid,
//     binary_crossentropy, loss weight 0.5); 40 epochs, batch 32, learning rate
//     0.003; test digit_accuracy >= 0.96 and even_accuracy >= 0.97.
//   - "resnet-fashion": a ResNet-8-style network on Fashion-MNIST; 4 epochs,
//     batch 64, learning rate 0.003; test accuracy >= 0.90 in minutes.
//   - "siamese-digits": two inputs, "left" and "right" 8x8 digits, through one
//     shared tower (weights shared by both calls), merged by squared difference
//     and product into a sigmoid "same digit" output; pairs drawn from the seed,
//     half of the same digit, training pairs from the training images only and
//     test pairs from the test images only; 6 epochs, batch 32, learning rate
//     0.003; test accuracy >= 0.95.
//   - "two-tower": retrieval with a user tower and an item tower trained with
//     in-batch negatives and the log-q correction (graph.InBatchSoftmax) on
//     datasets.NewInteractions; 8 epochs, batch 256, learning rate 0.003; test
//     recall@10/50 and ndcg@10/50 over the whole catalogue (retrieval.TopK),
//     beside the most popular items' in Result.Extra.
//   - "vgg-digits": a small VGG-style network on the 8x8 digits scaled to [0, 1];
//     30 epochs, batch 32, learning rate 0.003; test accuracy >= 0.97.
//
// Every recipe's model takes raw rows: preprocessing (Normalization, lookups,
// pixel scaling) is part of the model, so a saved model serves raw values.
// TrainCSV (demo csv) trains an MLP or a recommender model on any CSV file.
//
// Nothing in this package keeps state between calls: Recipes builds a fresh list
// each time, and each Run builds a fresh model and data set.
package zoo
