package zoo

// InceptionRecipeRows is inceptionRecipeRows for the tests of package zoo_test.
var InceptionRecipeRows = inceptionRecipeRows

// CTRRecipesRows is ctrRecipesRows for the tests of package zoo_test.
var CTRRecipesRows = ctrRecipesRows
