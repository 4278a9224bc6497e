// Package explain attributes a model's predictions to its input values: which
// pixels (or features) made the model score a class as it did.
//
// Every method takes a trainers.Trainer (one made without a loss is enough) for a
// model of one float input and one output, and a batch x (N, input...) of float32
// or float64 values. The attributions come back as a float64 tensor of x's shape
// (GradCAM's as one (N, H, W) map per image, PermutationImportance's as one value
// per feature, KernelSHAP's with x's shape in a result). By default each row is explained for the class the model predicts for it, and a
// class score is its logit: the value before the output's softmax or sigmoid (the
// output itself for a linear output), as trainers.ClassLogit; WithClass and
// WithProbability change that.
//
//   - Saliency: the absolute gradient of the class score with respect to the input
//     (Simonyan et al. 2013), or gradient × input (WithGradientTimesInput).
//   - SmoothGrad: Saliency averaged over noisy copies of the input (Smilkov et al.
//     2017): WithSamples (default 25), WithNoise (default 0.15 of the row's value
//     range) and WithSeed (default 1) fix it, so the same options give the same map.
//   - IntegratedGradients: (x − baseline) × the average gradient along the straight
//     path from the baseline to x (Sundararajan et al. 2017), by the trapezoid rule
//     on WithSteps (default 50) intervals, from a baseline of zeros unless
//     WithBaseline; it reports the completeness error of each row.
//   - Occlusion: how much the class score drops when a patch of an image (H, W, C)
//     is set to a baseline value (Zeiler and Fergus 2014), averaged over the patches
//     covering each pixel: WithPatch (default 3), WithStride (default 1),
//     WithOcclusionValue (default 0).
//   - GradCAM: the feature maps of a convolutional layer weighed by the mean
//     gradient of the class score over each map (Selvaraju et al. 2017), ReLU'd,
//     upsampled bilinearly to the image and scaled to a maximum of 1, as Keras'
//     Grad-CAM tutorial: WithLayer (default: the last layer of rank-4 output).
//   - PermutationImportance: for tabular models, how much a metric worsens when
//     one feature column is shuffled (accuracy for classes, MSE for one output per
//     row, or WithMetric), WithRepeats (default 5) times from WithSeed (default 1).
//   - KernelSHAP: Shapley values of the features against a background data set
//     (Lundberg and Lee 2017) by the Shapley-kernel weighted least squares, every
//     coalition enumerated up to MaxExactFeatures (11) features, WithCoalitions
//     (default 2048) sampled ones beyond; the values add up to f(x) − E[f(b)]
//     exactly, and the result reports that additivity error.
//
// Overlay draws attributions as a heat map over a grayscale picture of the input,
// and WritePNG saves it atomically.
//
// The gradients come from trainers.Trainer.InputGradients (GradCAM's from
// trainers.Trainer.LayerGradients), compiled once per batch size and cached with
// the trainer's other programs.
package explain
