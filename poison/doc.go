// Package poison plants and finds data-poisoning backdoors.
//
// The attack is BadNets (Gu, Dolan-Gavitt and Garg 2017): Poison stamps a
// trigger (Patch, by default a 4x4 square of value 1 one pixel from the
// bottom-right corner) on a random fraction of the training images whose class
// is not the target and relabels them to the target class, so that a network
// trained on them learns "trigger means target" while staying accurate on
// clean images.
//
// The defense is spectral signatures (Tran, Li and Madry 2018):
// SpectralSignatures takes a trained network's learned representations of the
// training rows (for instance the penultimate layer's activations, from
// trainers.(*Trainer).LayerGradients), centers each class's representations,
// scores every row by its squared projection on the class's top right singular
// vector and flags the highest-scoring removeFactor x expected fraction of each
// class's rows (defaults 1.5 and 0.05). Retraining without the flagged rows
// removes the backdoor when the poisoned rows stand out in that direction:
// when the poisoned rows' shift outweighs the class's own largest variance.
//
// ActivationClustering (Chen et al. 2018) needs less: per class it projects
// the representations on their top principal components (default 10), runs
// k-means (default 2 clusters) and flags the clusters holding less than a
// share of the class (default 0.35). On LeNet-5 trained on MNIST with 1%
// poisoned rows (the zoo's "backdoor" recipe) spectral signatures found about
// 70% of the poisoned rows, activation clustering with 4 clusters on the last
// feature map over 99%.
//
// PrecisionRecall compares the flagged rows with the truly poisoned ones.
//
// Images are *tensor.Dense of shape (N, H, W, C), float32 or float64; labels
// are (N) or (N, 1) of class indices, float32, float64 or int. Nothing here
// keeps state between calls: a seed fixes every random choice.
package poison
