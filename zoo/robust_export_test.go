package zoo

// LenetRobustRecipeRows is lenet-robust on the first trainRows and testRows of
// MNIST, attacking the first attackRows test rows, for the tests of zoo_test.
func LenetRobustRecipeRows(trainRows, testRows, attackRows int) Recipe {
	return lenetRobustRecipeRun(robustRun{trainRows: trainRows, testRows: testRows, attackRows: attackRows})
}
