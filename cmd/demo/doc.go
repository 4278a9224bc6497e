// Command demo lists and runs the recipes of the gokeras model zoo.
//
// Usage:
//
//	demo list
//	demo run NAME [-epochs N] [-batch N] [-lr F] [-seed N] [-verbose N] [-json]
//
// "demo list" prints one line per recipe: its name, what it trains and the result
// it is expected to reach, with the time it takes.
//
// "demo run NAME" trains the recipe, then prints the model's summary and the loss
// and metrics on the training and test splits. The flags override the recipe's
// defaults; 0 (the default of -epochs, -batch, -lr and -seed) keeps the recipe's
// value. -verbose sets the progress output on stdout: 0 none, 1 a progress bar on
// a terminal and one line per epoch otherwise (default), 2 one line per epoch.
// With -json the last line of stdout is one JSON object:
//
//	{"model":"linear","epochs":200,"seconds":0.12,"train":{"loss":0.08,"mae":0.25},"test":{...},"extra":{...}}
//
// where "extra" appears only for recipes that report more numbers (the linear
// recipe's weight, bias, ls_weight and ls_bias).
//
// Exit status: 0 on success, 2 for bad flags, a missing or unknown recipe name or
// an unknown command (the message goes to stderr), 1 when a run fails.
package main
