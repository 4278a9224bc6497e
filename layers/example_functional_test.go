package layers_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gokeras/gokeras/layers"
)

// clickModel is the model of ExampleNewModel: an int64 "user_id" through an
// Embedding and a float "features" input, joined, then two heads: "click" (sigmoid)
// and "kind" (softmax over 3 classes).
func clickModel() (*layers.Functional, error) {
	userID := layers.NewInput("user_id", layers.Shape(1), layers.Int64)
	features := layers.NewInput("features", layers.Shape(3))
	user := layers.Flatten().Apply(layers.Embedding(10, 4).Apply(userID))
	h := layers.Concatenate(-1).Apply(user, features)
	h = layers.Dense(16, layers.WithActivation("relu")).Apply(h)
	click := layers.Dense(1, layers.WithActivation("sigmoid"), layers.WithName("click")).Apply(h)
	kind := layers.Dense(3, layers.WithActivation("softmax"), layers.WithName("kind")).Apply(h)
	return layers.NewModel([]*layers.Tensor{userID, features}, []*layers.Tensor{click, kind})
}

// A functional model of two inputs and two outputs. Layers are applied to symbolic
// tensors; NewModel checks the graph of calls between the inputs and the outputs,
// Build infers every shape and makes the weights (trainers.New builds an unbuilt
// model with its WithSeed and WithDType; Summary never builds), and Summary shows
// what each layer is connected to, as layer[call][output]. Outputs are named after
// their layers.
func ExampleNewModel() {
	// An integer id through an Embedding, and three float features.
	userID := layers.NewInput("user_id", layers.Shape(1), layers.Int64)
	features := layers.NewInput("features", layers.Shape(3))
	user := layers.Flatten().Apply(layers.Embedding(10, 4).Apply(userID)) // (1, 4) -> (4)
	h := layers.Concatenate(-1).Apply(user, features)                     // (7)
	h = layers.Dense(16, layers.WithActivation("relu")).Apply(h)

	// Two heads on the shared trunk.
	click := layers.Dense(1, layers.WithActivation("sigmoid"), layers.WithName("click")).Apply(h)
	kind := layers.Dense(3, layers.WithActivation("softmax"), layers.WithName("kind")).Apply(h)

	model, err := layers.NewModel([]*layers.Tensor{userID, features}, []*layers.Tensor{click, kind})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := model.Build(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(model.Summary())
	fmt.Println("inputs: ", model.Inputs())
	fmt.Println("outputs:", model.Outputs())
	// Output:
	// Model: "functional"
	// _____________________________________________________________________________________
	//  Layer (type)                Output Shape              Param #   Connected to
	// =====================================================================================
	//  user_id (InputLayer)        (None, 1)                 0         -
	// _____________________________________________________________________________________
	//  features (InputLayer)       (None, 3)                 0         -
	// _____________________________________________________________________________________
	//  embedding (Embedding)       (None, 1, 4)              40        user_id[0][0]
	// _____________________________________________________________________________________
	//  flatten (Flatten)           (None, 4)                 0         embedding[0][0]
	// _____________________________________________________________________________________
	//  concatenate (Concatenate)   (None, 7)                 0         flatten[0][0]
	//                                                                  features[0][0]
	// _____________________________________________________________________________________
	//  dense (Dense)               (None, 16)                128       concatenate[0][0]
	// _____________________________________________________________________________________
	//  click (Dense)               (None, 1)                 17        dense[0][0]
	// _____________________________________________________________________________________
	//  kind (Dense)                (None, 3)                 51        dense[0][0]
	// =====================================================================================
	// Total params: 236
	// Trainable params: 236
	// Non-trainable params: 0
	// _____________________________________________________________________________________
	// inputs:  ["user_id" (1) int64 "features" (3) float32]
	// outputs: ["click" (1) float32 "kind" (3) float32]
}

// A model applied as a layer: one "tower" encodes two inputs with the same weights
// (a siamese network), and a Dot layer compares the two codes (cosine similarity).
// The tower is built once, by its first call; its weights are named
// "<model>/<layer>/<weight>".
func ExampleFunctional_Apply() {
	x := layers.NewInput("x", layers.Shape(4))
	code := layers.Dense(8, layers.WithActivation("relu")).Apply(x)
	code = layers.Dense(3).Apply(code)
	tower, err := layers.NewModel([]*layers.Tensor{x}, []*layers.Tensor{code}, layers.ModelName("tower"))
	if err != nil {
		fmt.Println(err)
		return
	}

	left := layers.NewInput("left", layers.Shape(4))
	right := layers.NewInput("right", layers.Shape(4))
	sim := layers.Dot(1, layers.WithNormalize(true), layers.WithName("cosine")).
		Apply(tower.Apply(left), tower.Apply(right))
	model, err := layers.NewModel([]*layers.Tensor{left, right}, []*layers.Tensor{sim}, layers.ModelName("siamese"))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := model.Build(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(model.Summary())
	for _, p := range model.Params() {
		fmt.Println(p.Name, p.Value.Shape())
	}
	// Output:
	// Model: "siamese"
	// _____________________________________________________________________________________
	//  Layer (type)                Output Shape              Param #   Connected to
	// =====================================================================================
	//  left (InputLayer)           (None, 4)                 0         -
	// _____________________________________________________________________________________
	//  right (InputLayer)          (None, 4)                 0         -
	// _____________________________________________________________________________________
	//  tower (Functional)          (None, 3)                 67        left[0][0]
	//                                                                  right[0][0]
	// _____________________________________________________________________________________
	//  cosine (Dot)                (None, 1)                 0         tower[0][0]
	//                                                                  tower[1][0]
	// =====================================================================================
	// Total params: 67
	// Trainable params: 67
	// Non-trainable params: 0
	// _____________________________________________________________________________________
	// tower/dense/kernel (4, 8)
	// tower/dense/bias (8)
	// tower/dense_1/kernel (8, 3)
	// tower/dense_1/bias (3)
}

// Save writes the architecture (Keras' functional config: every layer with the
// tensors of each of its calls, "inbound_nodes") and the weights to one safetensors
// file; Load rebuilds the same model with the same weights.
func ExampleFunctional_Save() {
	model, err := clickModel()
	if err == nil {
		err = model.Build(layers.WithSeed(7))
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "gokeras-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "click.safetensors")
	if err := model.Save(path); err != nil {
		fmt.Println(err)
		return
	}

	// Load builds the model with the default seed, then sets every weight from
	// the file: the weights are those of the seed-7 model.
	loaded, err := layers.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%T %s -> %s\n", loaded, loaded.Inputs(), loaded.Outputs())
	saved := map[string][]float64{}
	for _, p := range model.Params() {
		saved[p.Name] = p.Float64s()
	}
	for _, p := range loaded.Params() {
		same := len(saved[p.Name]) == p.Size()
		for i, v := range p.Float64s() {
			same = same && v == saved[p.Name][i]
		}
		fmt.Printf("%-20s %-8s same: %v\n", p.Name, fmt.Sprint(p.Value.Shape()), same)
	}
	// Output:
	// *layers.Functional ["user_id" (1) int64 "features" (3) float32] -> ["click" (1) float32 "kind" (3) float32]
	// embedding/embeddings (10, 4)  same: true
	// dense/kernel         (7, 16)  same: true
	// dense/bias           (16)     same: true
	// click/kernel         (16, 1)  same: true
	// click/bias           (1)      same: true
	// kind/kernel          (16, 3)  same: true
	// kind/bias            (3)      same: true
}
