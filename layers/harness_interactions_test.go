package layers_test

// interactionHarnessCases are the harness cases of the recommender interaction
// layers.
func interactionHarnessCases() []harnessCase { return nil }
