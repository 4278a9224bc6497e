// Package distributed runs data-parallel training across processes with MPI.
//
// A Comm is one process's view of a group of ranks: its Rank, the group's Size,
// and the collectives that data-parallel training needs (Broadcast and an
// in-place sum Allreduce of float32 and float64 buffers, and a Barrier). Give it
// to the trainer with trainers.WithDistributed: every rank builds the same model,
// rank 0's initial weights and optimizer state are broadcast, each rank trains on
// its share of every global batch, and the gradients are averaged with one
// allreduce per step.
//
// Build with -tags mpi (cgo; Open MPI's flags come from pkg-config's ompi
// package: apt-get install openmpi-bin libopenmpi-dev pkg-config) and start the
// program with mpirun:
//
//	comm, err := distributed.Init()
//	if err != nil { ... }
//	defer distributed.Finalize()
//	tr, err := trainers.New(model, trainers.WithDistributed(comm), ...)
//
//	go build -tags mpi ./cmd/mytrain && mpirun -np 2 ./mytrain
//
// The default build is pure Go: Init returns a single-process Comm (Rank 0,
// Size 1) whose collectives only check their arguments, so the same code runs
// as one process without build tags. NewLocalGroup makes a group of ranks inside
// one process (one goroutine per rank), for tests.
//
// MPI's state is process-global: Init initializes it once per process (later
// calls return the same Comm) and Finalize ends it for good (MPI cannot be
// initialized again). This is the one piece of global state of the package. MPI
// errors on MPI_COMM_WORLD are returned as errors (MPI_ERRORS_RETURN), not
// aborts; an error in one rank does not stop the others, and a rank that
// returns early leaves the others waiting in their next collective, so the
// trainer tells every rank of a failure through its per-step allreduce.
//
// Faults: a rank that dies (killed, out of memory) makes Open MPI's mpirun
// abort the whole job: the other ranks are killed and mpirun exits non-zero
// within seconds (distributed/run_fault_test.sh measures it), rather than
// waiting in a collective. To lose little, write checkpoints with
// trainers.ModelCheckpoint (rank 0 alone writes, atomically; Period N: every N
// epochs) and start the job again with trainers.ResumeFrom on the last one:
// the resumed training ends with the weights of a run never stopped, and what
// is lost is at most the epochs since that checkpoint (checkpoints are taken
// at the end of epochs).
package distributed
