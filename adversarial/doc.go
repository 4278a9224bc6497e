// Package adversarial crafts adversarial examples: inputs changed by a small,
// bounded perturbation so that a classifier gets them wrong (untargeted, the
// default) or predicts a chosen class (WithTarget).
//
// Every attack takes a trainers.Trainer for a classifier of one float input and
// one output, a batch x (N, input...) of float32 or float64 values inside the
// valid input range (WithRange, default [0, 1], in the units the model takes),
// and the labels y: class ids (N) or (N, 1), or one-hot rows (N, K), in the form
// the trainer's loss takes them. An output of K > 1 values predicts the largest;
// an output of one value is read as a binary classifier's probability of class 1
// (class 1 when >= 0.5). The attacks return a *Result: the adversarial examples
// (float64, x's shape, always inside the valid range), per row the clean and
// adversarial predictions and whether the attack succeeded, the L-inf and L2
// norms of the perturbations, and the robust accuracy.
//
//   - FGSM, the fast gradient sign method (Goodfellow et al. 2015): one step
//     x' = clip(x + eps*sign(∇x loss)). L-inf norm <= eps.
//   - PGD, projected gradient descent (Madry et al. 2018): from a random start in
//     the L-inf eps-ball (WithRandomStart, WithSeed, default 1), WithSteps
//     (default 20) signed gradient steps of WithStepSize (default 2.5*eps/steps),
//     each projected onto the eps-ball and the valid range. L-inf norm <= eps.
//   - PGDL2: PGD in the L2 ball: normalized gradient steps, projection by
//     rescaling. L2 norm <= eps.
//   - CW, the Carlini-Wagner L2 attack (Carlini and Wagner 2017): minimizes
//     ||x' - x||² + c*max(Z_y - max_{i≠y} Z_i, -κ) on the logits Z with Adam in
//     the tanh variables x' = low + (high-low)*(tanh(w)+1)/2, searching c per row
//     (WithBinarySteps, default 9; WithIterations, default 100; WithLearningRate,
//     default 0.1; WithInitialConst, default 0.01; WithKappa, default 0). It
//     finds near-minimal L2 perturbations and has no eps.
//
// FGSM and PGD differentiate the trainer's loss (trainers.WithLoss) per example
// with trainers.Trainer.InputGradients; CW needs no loss and differentiates the
// logits (trainers.ClassLogit, one class per row). The rows are differentiated
// WithBatchSize (default 64) at a time by programs compiled once per batch size
// and cached with the trainer's. The same options give the same examples: the
// only randomness is PGD's start, drawn from WithSeed row after row.
//
// # Adversarial training
//
// Training(method, eps, opts...) is a trainers fit option (a
// trainers.BatchTransform) that replaces each training batch, or WithFraction of
// its rows (default 1), by attacks on the model as it is before the step:
// TrainFGSMRS, FGSM from a uniform random start in the eps-ball with a step of
// 1.25*eps (Wong, Rice and Kolter 2020: "Fast is better than free"), or TrainPGD,
// PGD with 10 steps of 2.5*eps/steps by default (Madry et al. 2018). Its random
// numbers come from each batch's seed (trainers.Batch.Seed), so a rerun or a
// resumed run trains the same; the bounds hold in the input's own dtype. Zoo
// recipe lenet-robust trains LeNet-5 with it on MNIST (PGD-20 accuracy 0.936 at
// eps 0.1 against 0.517 for plain training).
package adversarial
