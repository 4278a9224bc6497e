package zoo

// BackdoorRecipeRows is the backdoor recipe on the first trainRows and
// testRows of MNIST, for the tests of zoo_test.
func BackdoorRecipeRows(trainRows, testRows int) Recipe {
	return backdoorRecipeRun(backdoorRun{trainRows: trainRows, testRows: testRows})
}
