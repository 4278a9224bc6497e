package trainers

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Batch is a training batch handed to a BatchTransformFunc before its step.
type Batch struct {
	// Epoch and Index say which batch this is: the epoch (counted from 0, as
	// InitialEpoch counts) and the batch's place in the epoch's order.
	Epoch, Index int
	// Seed is derived from the trainer's seed, the epoch and the index: a
	// transform that draws its random numbers from it (and from nothing else)
	// makes the same batch on a rerun or a resumed run.
	Seed int64
	// Inputs are the batch's model inputs, one tensor per input in the model's
	// order, of shape (rows, input shape...) and the input's dtype; Targets the
	// targets, one per output. They are the training program's own tensors:
	// change their values in place; never their shapes or backing arrays.
	Inputs, Targets []*tensor.Dense
}

// BatchTransformFunc changes a training batch in place before its step, with the
// trainer's weights as they are before the step: adversarial training
// (package adversarial) replaces the inputs by attacks on the current model;
// data augmentation on the fly is another use. It may call the trainer's
// InputGradients and Predict (not Fit). An error stops Fit, wrapped with the
// epoch and batch.
type BatchTransformFunc func(t *Trainer, b *Batch) error

// BatchTransform calls f on every training batch of Fit before its step (default
// none; validation and Evaluate batches are not transformed). Several
// BatchTransform options run in the order given.
func BatchTransform(f BatchTransformFunc) FitOption {
	return fitFunc(func(c *fitConfig) {
		if f != nil {
			c.transforms = append(c.transforms, f)
		}
		c.set["batch_transform"] = true
	})
}

// batchSeed is the seed of batch index of epoch: splitmix64 of the trainer's
// seed, the epoch and the index, so that nearby batches get unrelated seeds.
func batchSeed(seed int64, epoch, index int) int64 {
	z := uint64(seed) ^ uint64(epoch+1)*0x9e3779b97f4a7c15 ^ uint64(index+1)*0xd1b54a32d192ed03
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return int64(z ^ (z >> 31))
}

// transformBatch runs the transforms on the batch gathered into p, the training
// program of batch index of epoch. p is pinned meanwhile: the programs a
// transform compiles (input gradients) never evict it from the cache.
func (t *Trainer) transformBatch(fs []BatchTransformFunc, p *program, epoch, index int) error {
	p.pinned = true
	defer func() { p.pinned = false }()
	batch := &Batch{Epoch: epoch, Index: index, Seed: batchSeed(t.seed, epoch, index), Inputs: p.xs, Targets: p.ys}
	for _, f := range fs {
		if err := f(t, batch); err != nil {
			return errors.Wrapf(err, "fit: epoch %d batch %d: batch transform", epoch, index)
		}
	}
	return nil
}
