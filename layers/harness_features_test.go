package layers_test

// featureHarnessCases are the harness cases of the categorical feature layers.
func featureHarnessCases() []harnessCase { return nil }
