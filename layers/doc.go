// Package layers holds the Keras-like model API of gokeras: the Layer interface,
// the layers, functional models (several inputs and outputs, shared layers, models
// used as layers) and Sequential, with shape inference, a Keras-style Summary, and
// Save/Load.
//
// # Layers
//
// Every layer implements Layer (a name, a type, its weights) by embedding Base, and
// one of two ways to be built and run:
//
//   - SingleLayer: one float input and one output, Build(ctx, in) then
//     Forward(g, x): Dense, Activation, Dropout, Flatten, Reshape, Conv2D, the
//     pooling layers, BatchNormalization, Normalization, ZeroPadding2D, Residual,
//     FM, CrossNet, Conv1D and the 1-D pooling layers, LayerNormalization,
//     PositionalEmbedding, SinusoidalEncoding, RepeatVector, Masking;
//   - MultiLayer: any number of inputs and outputs of any dtype, BuildMulti(ctx,
//     specs) then ForwardMulti(g, xs): Embedding (integer ids to vectors),
//     EmbeddingBag (bags of ids to pooled vectors), StringLookup and IntegerLookup
//     (raw categories to ids), Hashing, Discretization and HashedCrossing (values,
//     numbers and crosses to bins), CategoryEncoding (ids to one-hot, multi-hot or
//     count rows), the merges (Add, Subtract, Multiply, Average, Maximum, Minimum,
//     Concatenate, Dot), DotInteraction, the recurrent layers (RNN over a cell:
//     SimpleRNN, LSTM, GRU; Bidirectional), MultiHeadAttention, and models
//     themselves. TimeDistributed applies a SingleLayer to every step.
//
// Recurrent layers keep the recurrence cell (RNNCell: one step) apart from the
// time loop (RNN), as Flax does, so a cell of one's own runs in RNN too.
//
// The recommender layers: FM (a factorization machine's pairwise interactions in
// O(fields·k)), CrossNet (DCN-v2 cross layers, full or low rank), DotInteraction
// (DLRM's pairwise dot products), EmbeddingBag; zoo builds Wide&Deep, DeepFM and
// DCN from them.
//
// # Preprocessing inside the model
//
// As in Keras, a model can carry its preprocessing, so that a saved model takes raw
// rows: Normalization standardizes features with a mean and a variance learned by
// Adapt (saved as non-trainable weights; WithInvert maps a standardized regression
// output back to the target's units); StringLookup and IntegerLookup learn a
// vocabulary with Adapt (saved in the configuration) and give unknown values
// out-of-vocabulary ids. Call Adapt on the training data before the model is built.
//
// Shapes given to and returned by layers exclude the batch dimension: Input(784) and
// NewInput("x", Shape(784)) declare examples of shape (784); in a graph the node has
// shape (batch, 784). Only inputs state a size; every layer infers its input shape
// from the tensors it is applied to.
//
// # Functional models
//
// NewInput returns a symbolic tensor (a Tensor) with a name, a shape and a dtype
// (Int32 or Int64 for ids that go to an Embedding, String for raw categories that
// go to a StringLookup). Applying a layer to tensors
// (l.Apply(x), or the function Apply(l, xs...) for any layer, custom ones
// included) records the call and returns the output tensors; nothing is built yet.
// NewModel(inputs, outputs) checks the graph of calls between them (every output
// reachable from the given inputs, every input used, no cycle, unique layer names;
// unnamed layers are named dense, dense_1, ...) and returns a *Functional:
//
//	ids := layers.NewInput("user_id", layers.Shape(1), layers.Int64)
//	feats := layers.NewInput("features", layers.Shape(3))
//	user := layers.Flatten().Apply(layers.Embedding(10, 4).Apply(ids))
//	h := layers.Dense(16, layers.WithActivation("relu")).Apply(layers.Concatenate(-1).Apply(user, feats))
//	click := layers.Dense(1, layers.WithActivation("sigmoid"), layers.WithName("click")).Apply(h)
//	kind := layers.Dense(3, layers.WithActivation("softmax"), layers.WithName("kind")).Apply(h)
//	model, err := layers.NewModel([]*layers.Tensor{ids, feats}, []*layers.Tensor{click, kind})
//
// Inputs are named by NewInput, outputs after the layers that give them ("click",
// "kind"): the trainers and the Predictor take data by these names. Summary lists
// each layer with the tensors it is connected to, as layer[call][output].
//
// A model implements Model and is also a layer: tower.Apply(left) and
// tower.Apply(right) run one tower, with one set of weights, on two inputs (a
// siamese network). Sequential is a functional model of one input and one output
// with a simpler constructor: NewSequential(Input(2), Dense(10), ...) chains its
// layers, and applied inside another model it may leave out its Input.
//
// # Building
//
// A model is built once (Build, called by trainers.New with the trainer's seed and
// dtype): every tensor's shape is inferred and every layer creates its weights.
// The build-once rule lives in Base: the first call of a layer builds it and later
// calls (a shared layer, a model built again) reuse its weights, after checking that
// the inputs have the shapes and dtypes it was built for. Layers make their weights
// with BuildContext.AddWeight (name, shape, initializer; options WeightRegularizer,
// NonTrainable, WeightFans), which lists them in Params; trainers collect the
// regularization penalties of every weight a program uses, so a layer does not add
// its own. A weight's path is "<layer>/<weight>" ("dense/kernel"), and
// "<model>/<layer>/<weight>" ("tower/dense/kernel") inside a model applied as a
// layer (ModelName names a model), and so on down, whatever order the models were
// built in: WeightPaths gives them, and model files and saved optimizer state use
// them. (A weight's Name is its path when the outer model builds the inner one; a
// model built on its own first keeps its shorter names.) Two weights of one path
// are an error of Build and Save naming it.
//
// A model owns its weights (graph.Param). Forward and ForwardMulti may be called on
// any number of graphs (a training graph at batch 32, an inference graph at batch
// 1, ...): each binds its parameter nodes to the same tensors.
//
// # Saving
//
// Save writes one safetensors file: the weights under their names, attachments
// (Attach: a scaler, a vocabulary), and the architecture as JSON in its metadata. A
// functional model is written as Keras writes its functional config: "layers", each
// with its class, config and "inbound_nodes" (the tensors of each call as [layer,
// call index, output index]), "input_layers" and "output_layers"; nested models are
// nested configs. A Sequential is written as a Sequential config, as before
// functional models existed, and files written by earlier releases still load.
// Load rebuilds the model, builds it and sets every weight; layers of classes this
// package does not know are rebuilt by factories given with WithCustomLayer.
package layers
