// Package trainers compiles a gokeras model into programs run by graph.Executor and
// runs them: Fit, Evaluate and Predict, with Keras' names and defaults.
//
// A Trainer binds a built model (layers.Model) to a loss, an optimizer and metrics:
//
//	tr, err := trainers.New(model,
//	    trainers.WithOptimizer(trainers.Adam(0.001)),
//	    trainers.WithLoss("binary_crossentropy"),
//	    trainers.WithMetrics("accuracy"))
//	hist, err := tr.Fit(ctx, x, y, trainers.Epochs(100), trainers.BatchSize(32), trainers.ValidationSplit(0.2))
//	pred, err := tr.Predict(xNew)
//
// Fit takes tensors; a datasets.Dataset (what datasets.TrainTestSplit, the CSV
// readers, MNIST and the generators return) trains with FitDataset and evaluates
// with EvaluateDataset. The optimizer may also be given by Keras name, with Keras'
// defaults: WithOptimizerName("adam").
//
// Programs are compiled once per batch size and kind (training, evaluation,
// prediction) and cached; every program binds the model's parameters to the same
// tensors, so an update is seen by all of them. The last partial batch of an epoch is
// trained, never dropped, and Predict takes any number of rows. The training loss
// adds the regularization penalty of every weight that has one
// (graph.Param.Regularizer, set by the layers).
//
// # Several inputs and outputs
//
// A functional model (layers.NewModel) may have several named inputs and outputs.
// Each output gets a loss, in one of these ways (a per-output choice wins over
// WithLoss):
//
//   - WithLoss or WithLossFunc: the same loss for every output;
//   - WithLossMap({"click": "binary_crossentropy", ...}) or WithOutputLoss: by
//     output name, as Keras' compile(loss={...});
//   - WithLossList: one per output, in the order of the model's outputs;
//   - WithOutputLossFunc, WithLossFunc: a graph.LossFunc of your own, named in logs;
//     a trainer saved with one stores its name only, so Load needs the function
//     again.
//
// The total loss is Σ weight·output loss + regularization, with weights from
// WithLossWeights (by name) or WithLossWeightList (in order), 1 by default.
// WithMetrics adds metrics to every output, WithOutputMetrics to one. A model of one
// output logs "loss" and "accuracy" as Keras does; a model of several logs "loss"
// (the weighted total), then per output "<output>_loss" and "<output>_<metric>"
// ("click_loss", "kind_accuracy"), and "val_" before each for validation data.
// Unknown output names, outputs left without a loss and negative weights are errors
// of New naming the model's outputs.
//
// Data is given by name, in order, or as a data set:
//
//   - FitNamed, EvaluateNamed, PredictNamed, ValidationNamed: maps from each
//     input's (output's) name to a *tensor.Dense of shape (N, shape...);
//   - FitTensors, EvaluateTensors, PredictTensors: slices in the order of the
//     model's inputs and outputs (InputNames, OutputNames);
//   - FitMulti, EvaluateMulti, ValidationMulti: a datasets.Multi, matched by name
//     when it names its tensors, in order otherwise;
//   - Fit, Evaluate, Predict, FitDataset: a model of one input and one output.
//
// Inputs of an integer dtype (ids for an Embedding) take int32, int64 or int data;
// inputs of dtype String (raw categories, which a StringLookup layer inside the
// model maps to ids) take tensor.String data, and only they do. Targets of
// sparse_categorical_crossentropy are class ids, integer or float.
//
// # Checks
//
// Bad input is an error before training starts, tensor by tensor and naming the
// tensor: a missing or unknown name, data whose shape does not fit the model or the
// loss (input "features" expects examples of shape (3), ...), float data for an
// integer input, strings for a non-string input or numbers for a String one, NaN
// or Inf values, a class id out of range or a binary target outside [0, 1]
// (output "kind": target 3 of example 5 is not a class id in [0, 3)), an empty
// data set, a batch size below 1, an unknown loss, metric or optimizer name. An
// embedding id outside [0, vocab) stops the run at the batch that holds it, with
// an error naming the example, the id and the vocabulary size (example 2: id 12
// (position 0) is out of range [0, 10) of an embedding); Predict reports it the
// same way. So does a string unknown to a lookup without out-of-vocabulary ids (a
// *graph.LookupError naming the example); a Predictor gives that error to the
// request that holds the value only. No panic escapes the package: Gorgonia's are
// turned into errors.
//
// # Optimizers and callbacks
//
// Optimizers (SGD with momentum and Nesterov, Adam with AMSGrad, AdamW, RMSProp,
// AdaGrad) are written here and update the weights in place; Gorgonia's allocate a
// copy of every parameter at every step, and its AdamW never writes the decay.
// Learning-rate schedules, gradient clipping and callbacks (History, EarlyStopping,
// ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN, CSVLogger,
// ModelCheckpoint, a progress bar) follow Keras. Metrics are computed on the host by
// package trainers/metrics.
//
// # Embedding tables: updates by rows
//
// A training step touches only the Embedding rows its batch looks up: a table that
// the model reads only through graph.Gather gets a graph.RowGrad (the distinct rows
// and their summed gradients) instead of a dense (V, D) gradient, and the optimizer
// (SparseOptimizer: all of this package's) updates those rows and their state only,
// like TensorFlow's LazyAdam and PyTorch's SparseAdam; a step's cost does not grow
// with the table's size, and optimizer state is allocated for the rows touched so
// far. Plain SGD gives the dense weights bit for bit; with momentum, Adam, AdaGrad
// and RMSProp, rows absent from a batch keep their state and weights (see
// SparseOptimizer). Every other parameter is updated as before.
// WithDenseEmbeddingUpdates turns it off.
//
// # Stopping and resuming
//
// Trainer.Save (or a ModelCheckpoint) writes the model, the optimizer's state and
// the state of the stateful callbacks (EarlyStopping, ReduceLROnPlateau,
// ModelCheckpoint; see StatefulCallback); Load brings them back. A Fit with
// InitialEpoch(tr.Epoch()) and callbacks of the same settings then gives each
// callback its saved state, and ends with bit-identical weights and the same
// learning rates as a run that never stopped:
//
//	tr, err := trainers.Load("ckpt/m-5.safetensors")
//	hist, err := tr.FitDataset(ctx, train, trainers.Epochs(20), trainers.InitialEpoch(tr.Epoch()),
//	    trainers.Callbacks(&trainers.ReduceLROnPlateau{Monitor: "val_loss", Factor: 0.5}))
//
// # Predicting
//
// Predict returns the model's dtype whatever the float type of the input. A model
// loaded with layers.Load predicts in one call with the function Predict
// (trainers.Predict(model, x)); a trainer made without a loss (trainers.New(model))
// predicts too, and its Fit and Evaluate ask for a loss. For classifiers,
// layers.SetClassNames names the classes (saved with the model), and
// Trainer.ConfusionMatrix, ClassLabels and PredictedClasses use the names.
//
// A Trainer is not safe for concurrent use; a Predictor serves one model to many
// goroutines (PredictNamed for models of several inputs or outputs).
//
// # Variable sequence lengths
//
// Programs are compiled per (kind, batch size, sequence length) and cached (at
// most WithProgramCacheSize, default DefaultProgramCacheSize; the least recently
// used is dropped beyond it; CompiledPrograms counts the compilations). An input
// declared with a maximum length and WithVariableSteps (Keras' Input(shape=(None,)))
// takes data of any length up to it in Fit, Evaluate and Predict; a longer length is
// an error. datasets.Bucket pads rows of ids to the next bucket length, and Fit and
// Evaluate run a datasets.Bucketed bucket by bucket, every batch from one bucket,
// the batches of all buckets shuffled by the seed each epoch, so the programs stay
// few (one per batch size and bucket):
//
//	ids := layers.NewInput("ids", layers.Shape(256), layers.Int64).WithVariableSteps()
//	x := layers.Apply(layers.Embedding(vocab, 64, layers.WithMaskZero(true)), ids)[0]
//	x = layers.Apply(layers.GlobalAveragePooling1D(), x)[0]
//	... // Dense softmax, NewModel, Build, New
//	bk, err := datasets.Bucket(rows, labels, datasets.BucketBoundaries(32, 64, 128, 256))
//	hist, err := tr.FitMulti(ctx, bk, trainers.Epochs(10))
//
// With Embedding(WithMaskZero(true)) the padding does not change the loss. The
// model's outputs must not keep the sequence axis (pool it, or take an RNN's last
// state); the Predictor serves the declared length only.
package trainers
