// Package trainers compiles a gokeras model into Gorgonia TapeMachine programs and
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
// Programs are compiled once per batch size and kind (training, evaluation,
// prediction) and cached; every program binds the model's parameters to the same
// tensors, so an update is seen by all of them. The last partial batch of an epoch is
// trained, never dropped, and Predict takes any number of rows.
//
// Optimizers (SGD with momentum and Nesterov, Adam with AMSGrad, AdamW, RMSProp,
// AdaGrad) are written here and update the weights in place; Gorgonia's allocate a
// copy of every parameter at every step, and its AdamW never writes the decay.
// Learning-rate schedules, gradient clipping and callbacks (History, EarlyStopping,
// ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN, CSVLogger, a progress
// bar) follow Keras. Metrics are computed on the host by package trainers/metrics.
//
// Bad input is an error before training starts: data whose shape does not fit the
// model or the loss, NaN or Inf values, an empty data set, a batch size below 1, an
// unknown name. No panic escapes the package: Gorgonia's are turned into errors.
//
// A Trainer is not safe for concurrent use.
package trainers
