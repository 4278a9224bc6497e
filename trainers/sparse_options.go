package trainers

// WithDenseEmbeddingUpdates turns updates by rows off: every parameter, Embedding
// tables included, gets a dense gradient of its full shape and a dense optimizer
// update at every step, as before updates by rows existed (Keras' and PyTorch's
// default dense Adam: every row's moments decay at every step, and a row absent
// from the batch still moves while its moments are not zero). A step then costs
// O(V·D) per table of V rows. A trainer saved with it set loads with it set, and
// so does a file saved before updates by rows existed (it was trained densely):
// WithSparseEmbeddingUpdates at Load turns it off.
//
// By default (WithSparseEmbeddingUpdates), a table that a training program reads
// only through graph.Gather (an Embedding's table with no weight penalty, not
// shared with a layer that reads it otherwise) is updated by rows when the
// optimizer is a SparseOptimizer (all of this package's are): only the rows of the
// batch, and their optimizer state, are computed and written (see
// SparseOptimizer for what that changes for each optimizer). Every other
// parameter is updated as before, bit for bit.
func WithDenseEmbeddingUpdates() Option {
	return optionFunc(func(c *config) { on := true; c.denseEmb = &on })
}

// WithSparseEmbeddingUpdates turns updates by rows on (the default for New; see
// WithDenseEmbeddingUpdates): use it at Load to train by rows a trainer saved with
// WithDenseEmbeddingUpdates or before updates by rows existed. Its dense optimizer
// state is then used in place, row by row.
func WithSparseEmbeddingUpdates() Option {
	return optionFunc(func(c *config) { off := false; c.denseEmb = &off })
}

// SparseEmbeddingUpdates reports whether training updates the tables read only
// through Gather by rows: neither WithDenseEmbeddingUpdates nor an optimizer that
// is not a SparseOptimizer.
func (t *Trainer) SparseEmbeddingUpdates() bool { return t.sparseUpdates() }
