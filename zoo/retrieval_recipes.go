package zoo

// retrievalRecipes are the retrieval recipes (two-tower).
func retrievalRecipes() []Recipe { return []Recipe{twoTowerRecipe()} }
