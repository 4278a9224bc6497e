// Command demo lists and runs the recipes of the gokeras model zoo, trains an MLP
// on any CSV file, and predicts with or serves a saved model.
//
// Usage:
//
//	demo [-debug] COMMAND [flags]
//	demo list
//	demo run NAME [-corpus FILE] [-epochs N] [-batch N] [-lr F] [-seed N] [-verbose N] [-json] [-plot FILE] [-report FILE] [-save FILE] [-distributed] [-checkpoint-every N] [-checkpoint FILE] [-resume FILE]
//	demo csv -file F [-test F] [-target COL] [-task classification|regression] [-model mlp|widedeep|deepfm|dcn] [-categorical A,B] [-hidden 128,64] [-dropout F] [-patience N] [-epochs N] [-batch N] [-lr F] [-seed N] [-verbose N] [-json] [-plot FILE] [-report FILE] [-save FILE]
//	demo predict -model FILE -csv FILE [-target COL] [-json]
//	demo serve -model FILE | -models DIR [-versions latest|latest:N|all] [-poll 2s] [-addr 127.0.0.1:8080] [-max-body 1MB] [-workers N] [-max-batch N] [-linger D] [-shutdown-timeout D] [-max-in-flight N] [-max-tokens N] [-stats] [-token SECRET] [-keys FILE] [-tls-cert FILE -tls-key FILE] [-allow-unauthenticated]
//	demo text -file F.csv -text COL -target COL [-test F] [-model cnn|lstm|transformer] [-patience N] [-epochs N] [-batch N] [-lr F] [-seed N] [-verbose N] [-json] [-save FILE]
//	demo generate -model FILE [-prompt TEXT] [-tokens N] [-temperature F] [-top-k N] [-top-p F] [-seed N] [-json]
//	demo explain -model FILE -out F.png [-data digits|mnist|fashion-mnist] [-index N] [-method saliency|smoothgrad|ig|occlusion|gradcam] [-layer NAME] [-json]
//	demo attack -model F -data mnist|fashion-mnist|digits [-attack fgsm|pgd|pgd-l2|cw] [-eps 0.1] [-steps 20] [-n 1000] [-seed S] [-grid out.png] [-json]
//	demo privacy [-n 60000] [-batch 256] [-noise 1.1] [-epochs 60] [-delta 1e-5] [-json]
//	demo audit -model FILE -data digits|mnist|fashion-mnist|iris|wine|breast-cancer [-n 1000] [-json]
//	demo listen -model FILE -wav FILE.wav [-beam N] [-json]
//	demo import -torch F.pt|F.safetensors -arch resnet18|lstm-classifier|transformer-encoder -out FILE [-input-shape 224,224,3] [-steps N] [-heads N] [-json]
//	demo export -model FILE -onnx OUT.onnx [-opset 17] [-json]
//	demo help
//
// "demo help" prints these lines, and "demo COMMAND -h" describes the flags of
// COMMAND. Errors print on one line; with -debug (before the command) they are
// followed by the stacks of calls where they arose.
//
// "demo list" prints one line per recipe: its name, what it trains and the result
// it is expected to reach, with the time it takes.
//
// "demo run NAME" trains the recipe, then prints the model's summary and the loss
// and metrics on the training and test splits. The flags override the recipe's
// defaults; 0 (the default of -epochs, -batch, -lr and -seed) keeps the recipe's
// value. -epochs is at most 1,000,000, -batch at most 1,048,576 (a batch larger
// than the training split trains on all of it at once) and -lr finite. -verbose
// sets the progress output on stdout: 0 none, 1 a progress bar on a terminal and
// one line per epoch otherwise (default), 2 one line per epoch. After training,
// -plot FILE writes the learning curves (PNG, or SVG for a .svg name), -report
// FILE a self-contained HTML report (summary, curves, metrics, confusion matrix
// of a classifier), and -save FILE the model with its optimizer state
// (Trainer.Save: training resumes with trainers.Load; demo predict and demo
// serve read it). With -json the last line of stdout is one JSON object:
//
//	{"model":"linear","epochs":200,"seconds":0.12,"train":{"loss":0.08,"mae":0.25},"test":{...},"extra":{...}}
//
// where "extra" appears only for recipes that report more numbers (the linear
// recipe's weight, bias, ls_weight and ls_bias). -corpus FILE makes a text
// recipe (gpt-opticks) train on that UTF-8 text instead of its own (the same
// 90/10 split; the test metrics include "perplexity").
//
// "mpirun -np 2 demo run NAME -distributed" trains data-parallel across the ranks
// mpirun starts (build demo with -tags mpi; without it, or without mpirun,
// -distributed trains as one process): every rank trains on its share of each
// batch and the gradients are averaged, so the weights are those of one process
// at the same -batch; only rank 0 prints, plots and saves, and its -json object
// adds "ranks":N. -checkpoint-every N writes the model and its training state
// atomically every N epochs (to -checkpoint FILE, default
// NAME-checkpoint.safetensors; rank 0 alone); if a rank dies, mpirun stops the
// job, and "demo run NAME -resume FILE" with the same flags resumes from the last
// checkpoint to the weights of a run never stopped: at most the epochs since
// that checkpoint are lost. A recipe that trains no model through zoo.Settings'
// Options fails with these flags rather than ignore them.
//
// "demo text -file F -text COL -target COL" trains a text classifier on the raw
// texts of a CSV file (any class names in -target), held out as demo csv does
// (a stratified 20%, or the -test file): a TextVectorization layer (a word
// tokenizer learned from the training texts: lower-cased, punctuation
// stripped, at most 20,000 words, padded to the 95th percentile of the texts'
// lengths, 8 to 256) inside the model, an embedding, then -model cnn (the
// default: Conv1D and global max pooling), lstm or transformer (a
// TransformerEncoder and masked average pooling), and a softmax; early stopping
// on 10% of the training texts (-patience, default 3). It prints the held-out
// accuracy beside that of a bag-of-words logistic regression trained in the
// same run (-json: "baseline":{"bow_logreg_accuracy":...}). A model saved with
// -save takes raw text: demo predict reads the text column of a CSV file and
// demo serve answers JSON strings. A text that is empty, not UTF-8 or without a
// word is an error naming its row.
//
// "demo generate -model F -prompt TEXT" continues TEXT with a language model
// saved by demo run gpt-opticks -save F (its tokenizer is in the file): -tokens
// (default 200) tokens drawn with -temperature (default 0.8; 0 takes the most
// likely token), among the -top-k (default 40; 0 all) most likely and, with
// -top-p P, the smallest set of them whose probability reaches P, from a
// generator seeded by -seed (default 1: the same seed gives the same text).
// The text streams to stdout as it is drawn; -json prints one line instead
// ({"prompt","text","tokens","seconds","tokens_per_second"}); the speed goes to
// stderr. Each new token costs one position of the model (a cache holds the
// keys and values of the earlier ones).
//
// "demo explain -model F -out F.png" explains the prediction of a saved image
// classifier for test example -index (default 0) of -data (digits, the
// default, mnist or fashion-mnist; raw pixels, as the recipes feed them) with
// package explain: -method saliency (|gradient| of the predicted class's
// logit), smoothgrad, ig (Integrated Gradients from a black image, 50 steps;
// -json adds "completeness_error"), occlusion or gradcam (Grad-CAM of a
// convolutional model's -layer, default the last of rank-4 output; -json adds
// "layer"). The PNG shows the attributions over the image (red raises the
// score, blue lowers it), written atomically.
//
// "demo attack -model F -data D" attacks a saved image classifier on the first
// -n (default 1000) test images of -data (digits, mnist or fashion-mnist; raw
// pixels, as the recipes feed them) with package adversarial: -attack fgsm (the
// default), pgd (L-inf, random start, -steps iterations, default 20, seeded by
// -seed), pgd-l2 or cw (Carlini-Wagner L2: no bound, -steps sets its Adam
// iterations when given). -eps (default 0.1) bounds the perturbation (its L2
// norm for pgd-l2) in units of the pixel range (0.1 on MNIST is 25.5 byte
// levels). It prints the clean and robust accuracy and the mean L-inf and L2
// perturbations (in the same units); -json prints one line instead (a LeNet
// trained for 2 epochs, PGD-20 at eps 0.1 on 2 cores):
//
//	{"attack":"pgd","eps":0.1,"n":1000,"clean_accuracy":0.985,"robust_accuracy":0.491,"mean_linf":0.09999,"mean_l2":1.823,"seconds":9.131}
//
// -grid F.png writes a picture of the first 10 images, written atomically: the
// originals, the perturbations (gray 0, scaled to be visible) and the
// adversarial images.
//
// "demo audit -model F -data D" runs package audit's loss-threshold
// membership-inference attack (Yeom et al. 2018) on a saved classifier: the
// losses of the first -n (default 1000) rows of D's training split, which the
// model was trained on, against those of the first -n of its test split. It
// prints the attack's ROC AUC (0.5: the losses tell nothing) and its membership
// advantage (the best true-positive minus false-positive rate over loss
// thresholds); -json prints one line with model, data, members, non_members,
// auc, advantage, threshold, member_loss and non_member_loss. The loss is the
// one the model was trained with (saved with the trainer), else
// sparse_categorical_crossentropy. Rows are in the units the recipes' models
// take (raw pixels, raw features).
//
// "demo privacy" prints the epsilon that DP-SGD spends at -delta (default
// 1e-5; in (0, 1)) on -n examples (60000) in batches of -batch (256) with noise
// multiplier -noise (1.1) for -epochs (60), by package privacy's Rényi DP
// accountant for the sampled Gaussian mechanism: sampling rate q = batch/n,
// epochs*ceil(n/batch) steps, the best of its default orders, the improved
// RDP-to-DP conversion (the classic one is printed beside it). It assumes
// Poisson sampling; shuffled fixed-size batches are commonly reported with it
// as an approximation. -json prints one line:
//
//	{"epsilon":2.6007181389424776,"delta":0.00001,"noise_multiplier":1.1,"sampling_rate":0.004266666666666667,"steps":14100,"order":8}
//
// "demo listen -model F -wav FILE.wav" runs a saved speech model on a WAV file
// (any sample rate, channels averaged; resampled to the model's rate, padded or
// cut to its input length) and prints the transcript of a ctc model (demo run
// digits-ctc -save F: "three one four", decoded greedily, or by prefix beam
// search of width -beam N) or the keyword and its probability of a classifier.
// The model file must carry its zoo.AudioFeatures (the attachment
// "audio_features": sample rate, window, hop, mels, frames, labels). -json prints
// one line: {"transcript":"three one four","seconds":1.7} or
// {"keyword":"yes","probability":0.97,"seconds":1}.
//
// "demo import -torch F -arch NAME -out FILE" builds the gokeras model of a known
// PyTorch architecture from its weights, loads them and saves the model (atomically)
// for demo predict and demo serve. -torch is a torch.save'd state_dict (.pt/.pth) or
// a safetensors file, told apart by content. -arch is resnet18 (torchvision's ResNet:
// BasicBlock or Bottleneck, any widths, block counts and classes, read from the
// tensors; it takes channels-last images, so PyTorch's NCHW batch becomes NHWC,
// -input-shape H,W,C, default 224,224,C), lstm-classifier (Embedding -> nn.LSTM of
// any number of layers -> last step -> Linear; -steps, the sequence length, is
// required) or transformer-encoder (Embedding plus a learned positional Embedding
// -> nn.TransformerEncoder -> mean over steps -> Linear; -steps defaults to the
// positional table's length; -heads, default 4, must match nhead, which a state dict
// does not record). The model outputs what the PyTorch model returns (logits). It
// prints the sizes it inferred, the tensors copied, the weights filled and the
// parameter count, with notes on what the state dict cannot check; -json prints one
// object {"arch","torch","format","out","sizes","tensors","weights","parameters",
// "input","output","notes"}. A state dict of another architecture is refused,
// naming the tensor that is missing.
//
// "demo export -model FILE -onnx OUT.onnx" loads a saved gokeras model
// (layers.Load) and writes it as an ONNX model (package onnx: IR version 8, opset
// -opset, default 17, valid 13 to 17) with the model's input and output names, a
// dynamic first dimension "batch" and gokeras' layouts (images stay NHWC); weights
// are initializers in the model's float type. It prints the inputs, the outputs
// and the counts of nodes, initializers and parameters, or with -json one object
// (model, onnx, opset, inputs and outputs with name, shape (-1 for the batch) and
// dtype, nodes, initializers, parameters). A layer ONNX cannot express is an error
// naming it and its type: the string preprocessing layers TextVectorization,
// StringLookup, Hashing and HashedCrossing, and custom layers. ONNX Runtime's CPU
// kernels lack float64 Conv, AveragePool and Erf: onnx.WithFloatType(tensor.Float32)
// exports a float64 model as float32 from Go.
//
// "demo csv -file F" trains an MLP (ReLU hidden layers of the -hidden widths,
// default 128,64) on any CSV file and prints the summary and the metrics on 20%
// of the rows held out (stratified for classification), or on the rows of the
// -test file (same columns), as demo run does; the training flags, -json, -plot,
// -report and -save are those of demo run. The target is the -target column
// (default: the last one). -task classification (the default) takes strings
// (each a class) or class ids, whole numbers from 0 below 10,000
// (datasets.MaxClasses), and at least two classes must be present; it trains a
// softmax with sparse_categorical_crossentropy and reports accuracy (two
// classes: a sigmoid, see below). -task
// regression trains a linear output on the standardized target and reports mse
// and mae in the target's units. The model carries its preprocessing
// (zoo.TrainCSV): a Normalization layer standardizes the numeric columns, each
// string column is an input of its own turned into one-hot rows (or an
// embedding) by a StringLookup, so a model saved with -save takes raw rows.
// Training stops early when the loss on 10% of the training rows has not
// improved for -patience epochs (default 30), keeping the best epoch's weights
// (Adam's rate halves after 8 epochs without improvement); -epochs (default 200)
// bounds it. -dropout (default 0.1) follows every hidden layer. -categorical
// names integer columns to treat as categories (looked up inside the model, as
// string columns are). A binary target trains a sigmoid and reports accuracy,
// AUC and the log loss; for it -model widedeep, deepfm or dcn trains a
// recommender model (zoo.WideDeep, zoo.DeepFM, zoo.DCN) over 16-dimensional
// embeddings of every categorical column instead of the MLP. Bounds: a record (a row) of the file may take
// 1 MiB (datasets.MaxCSVRecordBytes), so that a file that is not CSV fails at
// once; -hidden allows at most 64 layers of 16,384 units and 20,000,000
// parameters in the whole network (counted from the file's features and
// classes).
//
// "demo predict -model FILE -csv F [-target COL] [-json]" predicts every row of a
// CSV file with a saved model (demo run -save, or a model's Save) and prints one
// line per row. The CSV's feature columns (every column but -target) are the
// model's inputs, flattened, in the model's input order: for a model of one input,
// all of its values; for inputs "user_id" (shape (1), int64) and "features" (3),
// column 1 is the id and columns 2-4 the features. An integer input takes whole
// numbers only (3 or 3.0, not 3.5 nor a string), within its dtype, below 2^53 and,
// when an Embedding takes the input, within [0, vocabulary). A string input (a
// model that maps strings to ids itself, as demo csv's do) takes the text of its
// fields, numbers-looking text included ("07" stays "07"), read as demo csv's
// training reads it: without surrounding spaces, and "" for a missing value
// (empty, NA, NaN, ?); a value may take 4 KiB. When the file has a header, a string
// input of shape (1) named like a column takes that column, and the other columns
// fill the other inputs in order: so a model saved by demo csv -save (input
// "numeric", the numeric columns in file order, then one string input per string
// column, named after it) predicts the rows of its training file as they are,
// with -target naming the target. A value unknown to a lookup without
// out-of-vocabulary ids is an error naming its row and column. A model of one output
// prints its values comma separated and, for more than one value, a tab and the
// index of the largest (the class), then, when the model names its classes
// (layers.ClassNames: the recipes' models and demo csv's classifiers do), a tab
// and the class's name: "0.98,0.02,0<TAB>0<TAB>setosa" (a name that holds a tab
// or another unprintable character, or starts with a double quote, is printed
// as a quoted Go string); with -json,
// {"row":0,"output":[...],"class":0,"label":"setosa"} ("label" only with names).
// An output of shape (1) with two class names is a binary classifier (demo csv's
// for a target of two classes: one sigmoid unit, the probability of class 1): its
// class is 1 when the value is >= 0.5 and 0 below (a NaN gives 1, as the argmax
// of a row of NaNs gives its last class): "0.83<TAB>1<TAB>yes". One of shape (1)
// without two names (a regression, an unnamed sigmoid) prints its value only.
// A model of several outputs prints, tab separated, NAME=V1,V2,... per output in
// the model's order and NAME.class=K for every output with classes (shape (k),
// k > 1, or a binary classifier), each followed by NAME.label=CLASS when that
// output's classes have names; with
// -json, {"row":0,"outputs":{"NAME":[...]},"classes":{"NAME":1},"labels":{"NAME":"CLASS"}}.
//
// "demo serve -model FILE" answers predictions over HTTP:
//
//	POST /v1/predict {"rows": [[...], ...]}
//	    -> {"predictions": [[...], ...], "classes": [0, 2], "labels": ["setosa", "virginica"]}
//	POST /v1/predict {"inputs": {"user_id": [[3], [7]], "features": [[...], [...]]}}
//	    -> {"outputs": {"click": [[0.31], [0.82]], "kind": [[...], [...]]}, "classes": {"kind": [2, 0]}, "labels": {"kind": ["bird", "cat"]}}
//	GET /v1/model   file (its base name only), dtype, params, summary, attachments, scaler, input_shape and
//	                output_shape (the first input's and output's), and
//	                "inputs": [{"name", "shape", "dtype", "values", "vocab"}],
//	                "outputs": [{"name", "shape", "dtype", "values", "classes", "class_names"}]
//	GET /v1/stats   heap, goroutines and predictor counts    (only with -stats or -token)
//	GET /metrics    Prometheus text format                    (only with -stats or -token)
//	GET /healthz
//
// In the "rows" form a row holds one example's values of every input, flattened
// (row-major over each input's shape), in the model's input order, as demo
// predict's columns do: [1.5, -2, "red"] for inputs "numeric" (2) and "color" (1).
// It answers "predictions" (and "classes" when an output row has more than one
// value, or the output is a binary classifier) for a model of one output, and the
// named answer for a model of several.
// The named form gives every input by name, no other name, the same number of
// rows each, a row holding that input's values: {"inputs": {"numeric": [[1.5,
// -2]], "color": [["red"]]}}. An output row is flattened likewise, and "classes"
// gives the index of the largest value for every output of shape (k), k > 1, and
// for a binary classifier (shape (1) with two class names, as demo predict): 1
// when the value is >= 0.5, 0 below ("classes": true in /v1/model).
// When an output's classes have names (layers.ClassNames, saved in the file;
// "class_names" in /v1/model), "labels" gives the name of each of its classes
// per row, beside "classes", in both forms; an output without names has no
// "labels" (nor does the answer when no output has them).
// Integer inputs take integers within their dtype (3, 3.0 or 3e0; not 3.5 nor
// 1e30) and, where an Embedding takes the input directly, within [0, vocabulary)
// ("vocab" in /v1/model); float inputs take finite numbers (within float32 for a
// float32 model); string inputs ("dtype": "string" in /v1/model) take JSON
// strings of at most 4 KiB, as they are (a number there is an error, as a string
// is at a number's place), and where a lookup without out-of-vocabulary ids
// takes the input, only the values of its vocabulary. A request that breaks a
// rule gets a 400 whose {"error": ...} names the input, the row and the column
// (and the unknown value); so does an unknown value that a lookup behind other
// layers meets, while the requests batched with it get their answers. A StandardScaler attached
// to the model as "scaler" is applied to the input of a model of one float input
// (both forms, and demo predict); a model of any other kind that carries one is
// refused when loaded, rather than served without it.
//
// At most -max-in-flight requests (default 4 x workers) are read and run at once;
// beyond that the server answers 503 with Retry-After: 1 before reading the body.
// A prediction that fails inside the model (a panic included) answers 500 and logs
// one line to stderr; the server and its workers keep serving. /v1/stats and
// /metrics are off by default (404 saying how to turn them on): -stats opens them
// to every client; -token SECRET (or GOKERAS_SERVE_TOKEN, 16 characters or more)
// requires "Authorization: Bearer SECRET" for them, compared in constant time.
// /metrics counts requests by endpoint and status (gokeras_serve_requests_total),
// latencies and rows per request as histograms
// (gokeras_serve_request_duration_seconds, gokeras_serve_request_rows), errors by
// kind, requests in flight, the predictor's requests, rows and batches, and the Go
// runtime's and the process's metrics. Flags out of their bounds (-workers 0..256,
// -max-batch 1..4096, -max-in-flight 1..4096, -linger up to 1s, -max-body up to 1GB)
// exit with status 2. demo predict refuses a cell that is not a number in a float
// input's column, naming its row and column.
//
// A speech model (one that carries its audio features: demo run kws or
// digits-ctc -save) also answers a WAV body, POST /v1/predict (or a
// repository's :predict) with Content-Type audio/wav: the clip (any rate and
// channels, at most -max-body bytes, 413 beyond) is turned into the model's
// input as demo listen does, and the answer is {"transcript": "three one
// four", "seconds": 1.7} (greedy; ?beam=N for beam search of width N, up to
// 256) or {"keyword": "yes", "probability": 0.97, "seconds": 1}. A model
// without audio features answers 400.
//
// "demo serve -models DIR" serves a model repository: every model file in
// DIR/NAME/VERSION/ (VERSION a positive integer directory holding one model file,
// as TensorFlow Serving lays them out), through package serving:
//
//	GET  /v1/models                           names, versions, states (LOADING, AVAILABLE, FAILED with
//	                                          "error"), and the inputs and outputs of the versions AVAILABLE
//	GET  /v1/models/NAME                      one model
//	GET  /v1/models/NAME/versions/V           one version: its state, file, inputs and outputs
//	POST /v1/models/NAME:predict              as POST /v1/predict, from the highest version AVAILABLE;
//	                                          the answer adds "model_name" and "model_version"
//	POST /v1/models/NAME/versions/V:predict   from version V
//	POST /v1/models/NAME:generate             a language model's text as server-sent events (below)
//	POST /v1/models/NAME/versions/V:generate  from version V
//	POST /v1/models/NAME:reload               rescan that model now (failed versions are tried again)
//	GET  /healthz, GET /readyz                alive; ready once every model has a version AVAILABLE
//
// :generate continues a prompt with a language model saved with its tokenizer
// (demo run gpt-opticks -save FILE; the zoo's GPT shape). The body is
//
//	{"prompt": "Light is", "max_tokens": 64, "temperature": 0.8, "top_k": 40, "top_p": 0, "seed": 1, "stop": ["\n\n"]}
//
// where only "prompt" is required (the others have these defaults; max_tokens at
// most -max-tokens, 1024 by default; temperature 0 is greedy; top_p 0 is off;
// the same seed gives the same text). The answer is text/event-stream: one
// event per piece of text as it is drawn, flushed at once, then a "done" event:
//
//	data: {"text": " a"}
//
//	data: {"text": " body"}
//
//	event: done
//	data: {"tokens": 2, "seconds": 0.004, "time_to_first_token": 0.002, "finish_reason": "length"}
//
// A stop string ends the text when it appears (finish_reason "stop"); it is not
// sent, nor is anything after it. A model without a tokenizer or not of the
// GPT shape, malformed JSON or a value out of range answers 400 (JSON, before
// any event); an unknown model 404. Generation stops when the client
// disconnects, and counts towards -max-in-flight. /metrics adds
// gokeras_serve_generate_requests_total (by finish_reason),
// gokeras_serve_generate_tokens_total, and the histograms
// gokeras_serve_generate_time_to_first_token_seconds and
// gokeras_serve_generate_tokens_per_second.
//
// An unknown model or version answers 404, one loading or failed 503.
// -max-in-flight bounds the predictions and generations of all the models
// together (the default, 4 x workers, suits one model: raise it with the number of
// models and clients). -versions
// latest (the default) serves the highest version that loads, latest:N the N
// highest, all every one. The directory is polled every -poll (2s; 0: only on
// :reload): polling rather than inotify works the same on every system and on
// network file systems. A new version loads and is checked in the background,
// then swapped in; requests in flight finish on the version they started with,
// which is closed after them. A version that fails to load is FAILED (in
// /v1/models and the log) and never replaces a working one. Write a model file
// atomically: save it as .NAME or NAME.tmp in the version directory, then rename
// it (such names are skipped).
//
// Access control, for either form: -keys FILE names a file of API keys, one per
// line (blank lines and # comments skipped):
//
//	NAME sha256:HEX [models=NAME,NAME,...|models=*] [admin] [rate=R] [burst=B]
//
// HEX is the SHA-256 of the key (printf %s KEY | sha256sum): the key itself is
// never stored. Every route but /healthz and /readyz then needs the key as
// "Authorization: Bearer KEY" (or "X-API-Key: KEY") and answers 401 without a
// known one, whether the route exists or not; 403 for a model outside models=
// (the same answer whether the model exists or not; with -model the model's name
// is its file's base name without extension); admin allows :reload (of its
// models), /v1/stats and /metrics (-stats opens these two to every key); rate=
// (requests per second, default no limit; burst= at once, default the rate
// rounded up) answers 429 with Retry-After beyond it. GET /v1/models lists the
// key's models only, and /readyz names no model. The file is read again every 2s
// and a change takes effect at once (a file that fails to parse is logged and the
// keys before stay). -tls-cert and -tls-key serve HTTPS (TLS 1.2 or newer; the
// files are read again when they change). Without -keys the server refuses an
// -addr other than loopback unless -allow-unauthenticated; -keys and -token do
// not go together (give the monitoring client an admin key).
//
// Exit status: 0 on success, 2 for bad flags (a value out of bounds included),
// a missing or unknown recipe name or an unknown command (the message goes to
// stderr), 1 when a run fails (a file that cannot be read, a target that is not
// a class, ...).
package main
