package layers_test

// seqUtilHarnessCases are the harness cases of the sequence utility layers.
func seqUtilHarnessCases() []harnessCase { return nil }
