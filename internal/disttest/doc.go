// Package disttest holds the data and models that the distributed-training
// tests share (package distributed's MPI tests and package trainers' local
// ones), so that both check equivalence on the same problems.
package disttest
