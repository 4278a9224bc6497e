// Package bench holds the speed benchmarks of gokeras, each beside a hand-written
// raw Gorgonia loop doing the same work, so that the ratio is measured in one run:
//
//	go test ./bench -run '^$' -bench . -benchtime 5x
//
// BenchmarkFitMLP trains a 784-256-128-10 MLP (ReLU, softmax cross-entropy, Adam,
// batch 128, float32) on synthetic data and reports samples/s.
package bench
