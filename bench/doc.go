// Package bench holds the speed benchmarks of gokeras, each beside what it is
// compared with, so that ratios are measured in one run:
//
//		go test ./bench -run '^$' -bench . -benchtime 5x
//
//	  - BenchmarkFitMLP: a 784-256-128-10 MLP (ReLU, softmax cross-entropy, Adam,
//	    batch 128, float32) in gokeras and in RawMLP, a hand-written raw Gorgonia loop.
//	  - BenchmarkFitLeNet: LeNet-5 (batch 64); bench/lenet_torch.py is its PyTorch twin.
//	  - BenchmarkPredictOneRow: single-row latency (p50, p99) of Predict and Predictor.
//	  - BenchmarkScaling: epoch speed against data set size and batch size.
//	  - TestServeLoad (GOKERAS_LOADTEST=1): 10,000 requests from 8 clients to demo serve.
//	  - BenchmarkSparseDeepFM: the train step of a DeepFM-shaped model with 1,000-row
//	    and 1,000,000-row embedding tables, sparse (default) and dense updates.
//	  - TestSparseRSS (GOKERAS_SPARSE_RSS=1, or =dense): peak RSS while training a
//	    model with a 10,000,000 x 16 float32 table.
//
// bench/compare/run.sh runs gokeras (pure Go and OpenBLAS), raw Gorgonia and
// PyTorch side by side; RESULTS.md holds its last table.
package bench
