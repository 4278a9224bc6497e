// Package zoo holds ready models with their recipes: the data, the architecture,
// the loss, the optimizer and the settings that make each one train to a stated
// result in a few seconds on a small machine.
//
// Recipes lists them, sorted by name, and Find looks one up:
//
//	r, err := zoo.Find("mlp")
//	res, err := r.Run(ctx, zoo.Settings{}) // zero fields take the recipe's defaults
//	fmt.Println(res.Test["accuracy"])
//
// Every recipe trains on seeded synthetic data from package datasets and holds out
// 20% of it as a test split (datasets.TrainTestSplit). After training it evaluates
// the model on both splits: Result.Train and Result.Test hold the loss and metrics
// of trainers.Trainer.Evaluate, not the running averages of the last epoch.
//
// Every recipe trains with Adam; all but "linear" decay the learning rate along a
// half cosine to 1% of its start, so that the result does not hinge on the last
// few noisy steps. The recipes and their defaults (seed 42 for all):
//
//   - "dense": the seed's dense network, Dense(10, relu) then Dense(1, sigmoid),
//     on 1000 points of two moons with noise 0.1 (a task a linear model cannot
//     solve); 100 epochs, batch 32, learning rate 0.05; test accuracy >= 0.98.
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
//
// Nothing in this package keeps state between calls: Recipes builds a fresh list
// each time, and each Run builds a fresh model and data set.
package zoo
