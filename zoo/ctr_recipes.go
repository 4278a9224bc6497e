package zoo

// ctrRecipes are the click-through-rate recipes (Wide&Deep, DeepFM, DCN-v2).
func ctrRecipes() []Recipe { return nil }
