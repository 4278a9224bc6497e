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
// "demo predict -model FILE -csv F [-target COL] [-json]" predicts every row of a
// CSV file with a saved model (demo run -save, or a model's Save) and prints one
// line per row. The CSV's feature columns (every column but -target) are the
// model's inputs, flattened, in the model's input order: for a model of one input,
// all of its values; for inputs "user_id" (shape (1), int64) and "features" (3),
// column 1 is the id and columns 2-4 the features. An integer input takes whole
// numbers only (3 or 3.0, not 3.5 nor a string), within its dtype, below 2^53 and,
// when an Embedding takes the input, within [0, vocabulary). A model of one output
// prints its values comma separated and, for more than one value, a tab and the
// index of the largest (the class); with -json, {"row":0,"output":[...],"class":1}.
// A model of several outputs prints, tab separated, NAME=V1,V2,... per output in
// the model's order and NAME.class=K for every output of shape (k), k > 1; with
// -json, {"row":0,"outputs":{"NAME":[...]},"classes":{"NAME":1}}.
//
// "demo serve -model FILE" answers predictions over HTTP:
//
//	POST /v1/predict {"rows": [[...], ...]}
//	    -> {"predictions": [[...], ...], "classes": [...]}
//	POST /v1/predict {"inputs": {"user_id": [[3], [7]], "features": [[...], [...]]}}
//	    -> {"outputs": {"click": [[0.31], [0.82]], "kind": [[...], [...]]}, "classes": {"kind": [2, 0]}}
//	GET /v1/model   file, dtype, params, summary, attachments, scaler, input_shape and
//	                output_shape (the first input's and output's), and
//	                "inputs": [{"name", "shape", "dtype", "values", "vocab"}],
//	                "outputs": [{"name", "shape", "dtype", "values", "classes"}]
//	GET /v1/stats, GET /healthz
//
// The "rows" form is for a model of one input; it answers "predictions" (and
// "classes" when an output row has more than one value) for a model of one output,
// and the named answer for a model of several. The named form works for any model:
// every input by name, no other name, the same number of rows each. A row holds
// one example's values flattened (row-major over the input's shape); an output row
// likewise, and "classes" gives the index of the largest value for every output of
// shape (k), k > 1. Integer inputs take integers within their dtype (3, 3.0 or
// 3e0; not 3.5 nor 1e30) and, where an Embedding takes the input directly, within
// [0, vocabulary) ("vocab" in /v1/model); float inputs take finite numbers (within
// float32 for a float32 model). A request that breaks a rule gets a 400 whose
// {"error": ...} names the input, the row and the column. A StandardScaler attached
// to the model as "scaler" is applied to the input of a model of one float input
// (both forms, and demo predict); a model of any other kind that carries one is
// refused when loaded, rather than served without it.
//
// Exit status: 0 on success, 2 for bad flags, a missing or unknown recipe name or
// an unknown command (the message goes to stderr), 1 when a run fails.
package main
